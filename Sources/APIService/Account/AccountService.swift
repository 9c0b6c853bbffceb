import Core
import Foundation
import Logging
import PostgresNIO

/// Reads a user's plan, subscription, balance and usage for the account routes,
/// provisioning what an account created by the auth service may lack (a subscription, a
/// referral code). The subscription is cached 5 minutes; anything that writes it
/// invalidates the entry.
struct AccountService: Sendable {
    let dependencies: APIDependencies
    var logger: Logger { dependencies.logger }

    /// The subscription, provisioned and rolled into the current period (which also pays
    /// the period's monthly grant).
    func subscription(userID: UUID) async throws -> SubscriptionRecord {
        let cache = dependencies.subscriptionCache
        if let cached = await cache.get(userID: userID), cached.currentPeriodEnd > Date() {
            return cached
        }
        let logger = self.logger
        let (record, _) = try await dependencies.transaction { runner in
            try await SubscriptionStore(logger: logger).current(userID: userID, on: runner)
        }
        await cache.set(record)
        return record
    }

    func plans() async throws -> [Plan] {
        try await PlanCatalog(logger: logger).plans(on: dependencies.database.client)
    }

    func plan(_ tier: PlanTier) async throws -> Plan {
        try await PlanCatalog(logger: logger).plan(tier, on: dependencies.database.client)
    }

    func balance(userID: UUID) async throws -> CreditBalance {
        try await CreditLedger(logger: logger).balance(userID: userID, on: dependencies.database.client)
    }

    /// Settled use per quota in the subscription's current period. The period is taken
    /// from the stored subscription, not from a cached copy: a timestamp that went through
    /// the cache's encoding may be a microsecond off and would match no counter.
    func usage(userID: UUID) async throws -> [String: Int] {
        var used: [String: Int] = [:]
        let rows = try await dependencies.database.client.query(
            """
            SELECT counter.quota, counter.used FROM usage_counters counter
            JOIN subscriptions subscription
              ON subscription.user_id = counter.user_id AND counter.period_start = subscription.current_period_start
            WHERE counter.user_id = \(userID)
            """, logger: logger)
        for try await (quota, count) in rows.decode((String, Int).self) { used[quota] = count }
        return used
    }

    func referralCode(for user: UserRecord) async throws -> String? {
        if let code = user.referralCode { return code }
        let code = try await ReferralCodes.ensure(userID: user.id, on: dependencies.database.client, logger: logger)
        // The cached row predates the code: without this, every /me until it expires
        // would look the code up again.
        dependencies.users.invalidate(id: user.id)
        return code
    }
}
