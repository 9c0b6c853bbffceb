import Core
import Foundation
import Logging
import PostgresNIO

/// Reads a user's plan, subscription, balance and usage for the account routes,
/// provisioning what an account created by the auth service may lack (a subscription, a
/// referral code). Reads go through the in-process read model (`AccountReadModel`),
/// which the change feed keeps current.
struct AccountService: Sendable {
    let dependencies: APIDependencies
    var logger: Logger { dependencies.logger }
    var readModel: AccountReadModel { dependencies.readModel }

    /// The subscription, provisioned and rolled into the current period (which also pays
    /// the period's monthly grant).
    func subscription(userID: UUID) async throws -> SubscriptionRecord {
        let record = try await readModel.subscriptions.value(for: userID) { try await loadSubscription(userID: userID) }
        if record.currentPeriodEnd > Date() { return record }
        // The period ended since it was read: roll it over now.
        readModel.invalidate(userID: userID)
        return try await loadSubscription(userID: userID)
    }

    private func loadSubscription(userID: UUID) async throws -> SubscriptionRecord {
        let logger = self.logger
        let (record, changed) = try await dependencies.transaction { runner in
            try await SubscriptionStore(logger: logger).current(userID: userID, on: runner)
        }
        if changed {
            // Provisioned or rolled over, which pays a grant and starts new counters.
            readModel.balances.invalidate(userID)
            readModel.usage.invalidate(userID)
        }
        return record
    }

    func plans() async throws -> [Plan] {
        try await readModel.plans.value(for: 0) { [logger, database = dependencies.database] in
            try await PlanCatalog(logger: logger).plans(on: database.client)
        }
    }

    func plan(_ tier: PlanTier) async throws -> Plan {
        guard let plan = try await plans().first(where: { $0.tier == tier }) else { throw CreditError.unknownPlan(tier.rawValue) }
        return plan
    }

    func balance(userID: UUID) async throws -> CreditBalance {
        try await readModel.balances.value(for: userID) { [logger, database = dependencies.database] in
            try await CreditLedger(logger: logger).balance(userID: userID, on: database.client)
        }
    }

    /// Settled use per quota in the subscription's current period.
    func usage(userID: UUID) async throws -> [String: Int] {
        try await readModel.usage.value(for: userID) { [database = dependencies.database] in
            try await UsageStore(database: database).quotaUsage(userID: userID)
        }
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
