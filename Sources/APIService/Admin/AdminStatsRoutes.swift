import Core
import Foundation
import Hummingbird

/// The admin dashboard's statistics: GET /stats/usage, /stats/plans, /stats/failures
/// (admins only; GET /stats itself is the caller's own, in `UserStatsRoutes`).
struct AdminStatsRoutes: APIRouteCollection {
    let reports: AdminReportStore
    let catalog: @Sendable () async throws -> [Plan]
    let requiresAuth = true

    /// Chart colours per tier (the dashboard's pie chart).
    static let colors: [PlanTier: String] = [.free: "#94a3b8", .pro: "#3b82f6", .enterprise: "#8b5cf6"]
    /// The frontend sends `period=daily` (AdminDashboard.js L159-165).
    static let periods = ["day": 1, "week": 7, "month": 30, "daily": 1, "weekly": 7, "monthly": 30]

    var operations: [OpenAPIOperation] {
        let responses: [Int: String] = [200: "Successful Response", 400: "Bad query parameter", 401: "Not signed in", 403: "Not an admin"]
        return [
            OpenAPIOperation(
                "GET", "/stats/usage", summary: "Heaviest users by tokens over the last days", tag: "admin", requiresAuth: true,
                responses: responses,
                parameters: [
                    ["name": "days", "in": "query", "required": false, "schema": ["type": "integer", "minimum": 1, "maximum": 365]],
                    ["name": "limit", "in": "query", "required": false, "schema": ["type": "integer", "minimum": 1, "maximum": 100]],
                ]),
            OpenAPIOperation("GET", "/stats/plans", summary: "Users per plan, for a chart", tag: "admin", requiresAuth: true, responses: responses),
            OpenAPIOperation(
                "GET", "/stats/failures", summary: "Generation failures per day, service and error type", tag: "admin", requiresAuth: true,
                responses: responses,
                parameters: [
                    ["name": "days", "in": "query", "required": false, "schema": ["type": "integer", "minimum": 1, "maximum": 365]],
                    ["name": "period", "in": "query", "required": false, "schema": ["type": "string", "enum": ["day", "week", "month", "daily", "weekly", "monthly"]]],
                ]),
        ]
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("/stats/usage") { request, context in
            _ = try context.requireAdmin()
            var issues: [ValidationIssue] = []
            let days = PageRequest.integer(request, "days", default: 30, range: 1...365, issues: &issues)
            let limit = PageRequest.integer(request, "limit", default: 10, range: 1...PageRequest.maximumLimit, issues: &issues)
            if !issues.isEmpty { throw CoreError.invalidInput(issues) }
            return Envelope.ok(.array(try await reports.topUsers(days: days, limit: limit)))
        }
        group.get("/stats/plans") { _, context in
            _ = try context.requireAdmin()
            async let counts = reports.usersByPlan()
            let plans = try await catalog()
            let users = try await counts
            let items: [JSONValue] = plans.map { plan in
                ["name": .string(plan.name), "tier": .string(plan.tier.rawValue), "value": .int(users[plan.tier.rawValue] ?? 0),
                 "color": .string(Self.colors[plan.tier] ?? "#64748b")]
            }
            return Envelope.ok(["plans": .array(items), "total": .int(users.values.reduce(0, +))])
        }
        group.get("/stats/failures") { request, context in
            _ = try context.requireAdmin()
            var issues: [ValidationIssue] = []
            // `period` is a shorthand for days; an explicit `days` wins.
            let period = QueryFields.oneOf(request, "period", ["day", "week", "month", "daily", "weekly", "monthly"], default: nil, issues: &issues)
            let days = PageRequest.integer(request, "days", default: period.flatMap { Self.periods[$0] } ?? 7, range: 1...365, issues: &issues)
            if !issues.isEmpty { throw CoreError.invalidInput(issues) }
            let summary = try await reports.failures(days: days)
            return Envelope.ok([
                "days": .int(days),
                "failures": .array(summary.daily.map { ["date": .string($0.date), "failures": .int($0.failures)] }),
                "total": .int(summary.daily.reduce(0) { $0 + $1.failures }),
                "byService": countsObject(summary.byService), "byErrorType": countsObject(summary.byErrorType),
            ])
        }
    }
}
