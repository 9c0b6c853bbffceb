import Core
import Foundation
import Hummingbird

/// The admin dashboard's statistics: GET /stats/usage, /stats/plans, /stats/failures
/// (admins only; GET /stats itself is the caller's own, in `UserStatsRoutes`).
struct AdminStatsRoutes: TypedRouteCollection {
    let reports: AdminReportStore
    let catalog: @Sendable () async throws -> [Plan]
    let requiresAuth = true

    /// Chart colours per tier (the dashboard's pie chart).
    static let colors: [PlanTier: String] = [.free: "#94a3b8", .pro: "#3b82f6", .enterprise: "#8b5cf6"]
    /// The frontend sends `period=daily` (AdminDashboard.js L159-165).
    static let periods = ["day": 1, "week": 7, "month": 30, "daily": 1, "weekly": 7, "monthly": 30]
    static let periodNames = ["day", "week", "month", "daily", "weekly", "monthly"]

    let tag = "admin"
    var commonErrors: [Int] { [403] }

    /// Admins only, before any body is read.
    func authorize(_ context: AppRequestContext) throws { _ = try context.requireAdmin() }

    struct TopUser: ResponseContent {
        var userId: UUID
        var email: String
        var name: String?
        var plan: String
        var tokensUsed: Int
        var operationsCount: Int

        init(_ row: AdminReportStore.TopUser) {
            userId = row.userID
            email = row.email
            name = row.name
            plan = row.plan
            tokensUsed = row.tokens
            operationsCount = row.operations
        }
    }

    /// One slice of the dashboard's pie chart.
    struct PlanSlice: ResponseContent {
        var name: String
        var tier: String
        /// Users on the plan.
        var value: Int
        var color: String
    }

    struct PlanChart: ResponseContent {
        var plans: [PlanSlice]
        var total: Int
    }

    struct FailureDay: ResponseContent {
        /// `YYYY-MM-DD`, UTC.
        var date: String
        var failures: Int
    }

    struct Failures: ResponseContent {
        var days: Int
        /// Oldest first, every day present.
        var failures: [FailureDay]
        var total: Int
        var byService: [String: Int]
        var byErrorType: [String: Int]
    }

    func routes(_ routes: inout APIRoutes) {
        let days = OpenAPIOperation.query("days", ["type": "integer", "minimum": 1, "maximum": 365])
        routes.get(
            "/stats/usage", "Heaviest users by tokens over the last days",
            query: [days, OpenAPIOperation.query("limit", ["type": "integer", "minimum": 1, "maximum": .int(PageRequest.maximumLimit)])]
        ) { request, context -> Envelope<[TopUser]> in
            var issues: [ValidationIssue] = []
            let days = PageRequest.integer(request, "days", default: 30, range: 1...365, issues: &issues)
            let limit = PageRequest.integer(request, "limit", default: 10, range: 1...PageRequest.maximumLimit, issues: &issues)
            if !issues.isEmpty { throw CoreError.invalidInput(issues) }
            return Envelope(try await reports.topUsers(days: days, limit: limit).map(TopUser.init))
        }
        routes.get("/stats/plans", "Users per plan, for a chart") { _, context -> Envelope<PlanChart> in
            async let counts = reports.usersByPlan()
            let plans = try await catalog()
            let users = try await counts
            let slices = plans.map { plan in
                PlanSlice(
                    name: plan.name, tier: plan.tier.rawValue, value: users[plan.tier.rawValue] ?? 0, color: Self.colors[plan.tier] ?? "#64748b")
            }
            return Envelope(PlanChart(plans: slices, total: users.values.reduce(0, +)))
        }
        routes.get(
            "/stats/failures", "Generation failures per day, service and error type",
            query: [
                days,
                OpenAPIOperation.query(
                    "period", ["type": "string", "enum": .array(Self.periodNames.map(JSONValue.string))],
                    description: "Days by name; an explicit days wins"),
            ]
        ) { request, context -> Envelope<Failures> in
            var issues: [ValidationIssue] = []
            // `period` is a shorthand for days; an explicit `days` wins.
            let period = QueryFields.oneOf(request, "period", Self.periodNames, default: nil, issues: &issues)
            let days = PageRequest.integer(request, "days", default: period.flatMap { Self.periods[$0] } ?? 7, range: 1...365, issues: &issues)
            if !issues.isEmpty { throw CoreError.invalidInput(issues) }
            let summary = try await reports.failures(days: days)
            return Envelope(
                Failures(
                    days: days, failures: summary.daily.map { FailureDay(date: $0.date, failures: $0.failures) },
                    total: summary.daily.reduce(0) { $0 + $1.failures },
                    byService: Dictionary(summary.byService, uniquingKeysWith: +), byErrorType: Dictionary(summary.byErrorType, uniquingKeysWith: +)))
        }
    }
}
