import Core
import Foundation
import Hummingbird

/// GET /stats: the caller's usage. Per quota this period (as /subscription/usage),
/// credits spent this period, and a 30-day daily series with zero-filled days.
struct UserStatsRoutes: TypedRouteCollection {
    let accounts: AccountService
    let store: UsageStore
    let requiresAuth = true

    static let seriesDays = 30

    let tag = "usage"

    struct Period: ResponseContent {
        var start: Date
        var end: Date
    }

    struct Balance: ResponseContent {
        var balance: Int
    }

    struct Totals: ResponseContent {
        var operations: Int
        var tokens: Int
        var credits: Int
    }

    struct Day: ResponseContent {
        var date: String
        var operations: Int
        var tokens: Int
        var credits: Int

        init(_ day: UsageStore.Day) {
            date = day.date
            operations = day.operations
            tokens = day.tokens
            credits = day.credits
        }
    }

    struct Stats: ResponseContent {
        var plan: String
        var period: Period
        /// Per quota name, and `tokens` (never limited).
        var usage: [String: QuotaUsageView]
        var creditsSpent: Int
        var credits: Balance
        var totals: Totals
        var daily: [Day]
    }

    func routes(_ routes: inout APIRoutes) {
        routes.get("/stats", "The caller's usage this period and a 30-day daily series") { _, context -> Envelope<Stats> in
            let user = try context.requireUser()
            // Provisions the subscription and rolls its period first, so the joins below
            // read the current period.
            let subscription = try await accounts.subscription(userID: user.id)
            let plan = try await accounts.plan(subscription.plan)
            async let used = store.quotaUsage(userID: user.id)
            async let spent = store.creditsSpent(userID: user.id)
            async let series = store.dailySeries(userID: user.id, days: Self.seriesDays)
            async let balance = accounts.balance(userID: user.id)
            let counts = try await used
            var usage: [String: QuotaUsageView] = [:]
            for quota in Quota.all {
                usage[quota] = QuotaUsageView(used: counts[quota] ?? 0, limit: plan.limit(for: quota))
            }
            usage["tokens"] = QuotaUsageView(used: counts["tokens"] ?? 0, limit: Quota.unlimited)
            let days = try await series
            return Envelope(
                Stats(
                    plan: plan.tier.rawValue,
                    period: Period(start: subscription.currentPeriodStart, end: subscription.currentPeriodEnd),
                    usage: usage,
                    creditsSpent: try await spent,
                    credits: Balance(balance: try await balance.balance),
                    totals: Totals(
                        operations: days.reduce(0) { $0 + $1.operations }, tokens: days.reduce(0) { $0 + $1.tokens },
                        credits: days.reduce(0) { $0 + $1.credits }),
                    daily: days.map(Day.init)))
        }
    }
}
