import Core
import Foundation
import Hummingbird

/// GET /stats: the caller's usage. Per quota this period (as /subscription/usage),
/// credits spent this period, and a 30-day daily series with zero-filled days.
struct UserStatsRoutes: APIRouteCollection {
    let accounts: AccountService
    let store: UsageStore
    let requiresAuth = true

    static let seriesDays = 30

    var operations: [OpenAPIOperation] {
        [OpenAPIOperation("GET", "/stats", summary: "The caller's usage this period and a 30-day daily series", tag: "usage", requiresAuth: true)]
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("/stats") { _, context in
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
            var usage: [String: JSONValue] = [:]
            for quota in Quota.all {
                usage[quota] = PlanJSON.usage(used: counts[quota] ?? 0, limit: plan.limit(for: quota))
            }
            usage["tokens"] = PlanJSON.usage(used: counts["tokens"] ?? 0, limit: Quota.unlimited)
            let days = try await series
            return Envelope.ok([
                "plan": .string(plan.tier.rawValue),
                "period": ["start": Envelope.date(subscription.currentPeriodStart), "end": Envelope.date(subscription.currentPeriodEnd)],
                "usage": .object(usage),
                "creditsSpent": .int(try await spent),
                "credits": ["balance": .int(try await balance.balance)],
                "totals": [
                    "operations": .int(days.reduce(0) { $0 + $1.operations }), "tokens": .int(days.reduce(0) { $0 + $1.tokens }),
                    "credits": .int(days.reduce(0) { $0 + $1.credits }),
                ],
                "daily": .array(days.map { ["date": .string($0.date), "operations": .int($0.operations), "tokens": .int($0.tokens), "credits": .int($0.credits)] }),
            ])
        }
    }
}
