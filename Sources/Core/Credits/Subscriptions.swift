import Foundation
import Logging
import PostgresNIO

/// A user's subscription as stored (one row per user).
public struct SubscriptionRecord: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        case active = "ACTIVE"
        case cancelled = "CANCELLED"
        case expired = "EXPIRED"
        case trial = "TRIAL"
    }

    public var userID: UUID
    public var plan: PlanTier
    public var status: Status
    public var currentPeriodStart: Date
    public var currentPeriodEnd: Date
    public var cancelAtPeriodEnd: Bool
    public var paymentProvider: String?
    /// The provider's subscription, and the start of its first period as we learnt it:
    /// the monthly grant of a provider-billed plan is keyed by the two (see `grantReference`).
    public var externalSubscriptionID: String?
    public var billingAnchor: Date?

    /// Whether the plan's paid limits apply now (a cancelled plan keeps them to period end).
    public func isActive(at now: Date = Date()) -> Bool {
        now < currentPeriodEnd && (status == .active || status == .trial || status == .cancelled)
    }
}

/// `subscriptions`: provisioning FREE on first use, and rolling periods forward. A
/// CANCELLED, EXPIRED or TRIAL subscription (or one set to cancel) whose period has ended
/// becomes FREE. An ACTIVE one that we bill ourselves (FREE, or a plan an admin gave)
/// rolls into its next month here; one a payment provider bills does not: its next period
/// starts when the provider reports the renewal paid (Stripe's `invoice.paid`, PayPal's
/// `PAYMENT.SALE.COMPLETED`), and it ends when the provider gives up on the payment
/// (`customer.subscription.deleted`, `BILLING.SUBSCRIPTION.SUSPENDED`). Every period earns
/// the plan's monthly grant once.
public struct SubscriptionStore: Sendable {
    let logger: Logger
    let catalog: PlanCatalog
    let ledger: CreditLedger

    public init(logger: Logger) {
        self.logger = logger
        self.catalog = PlanCatalog(logger: logger)
        self.ledger = CreditLedger(logger: logger)
    }

    static let columns = """
        user_id, plan, status, current_period_start, current_period_end, cancel_at_period_end, payment_provider, external_subscription_id, \
        billing_anchor
        """

    /// The user's subscription, provisioned and brought up to date, with the row locked
    /// until the caller's transaction ends. Must run inside a transaction.
    /// `changed` tells whether anything was written (callers drop cached copies).
    public func current(userID: UUID, now: Date = Date(), on runner: any SQLRunner) async throws -> (SubscriptionRecord, changed: Bool) {
        var changed = false
        // The row is there but for a user's first use: lock it first, insert only when missing.
        var found = try await locked(userID: userID, on: runner)
        if found == nil {
            let inserted = try await runner.run(
                """
                INSERT INTO subscriptions (user_id, plan, status, current_period_start, current_period_end)
                VALUES (\(userID), 'FREE', 'ACTIVE', \(now), \(Self.addMonth(to: now))) ON CONFLICT (user_id) DO NOTHING RETURNING user_id
                """, logger: logger)
            for try await _ in inserted { changed = true }
            found = try await locked(userID: userID, on: runner)
        }
        guard let found else { throw CreditError.unknownPlan("no subscription") }
        var record = found.record
        let awaitsRenewal = record.paymentProvider != nil && record.status == .active && !record.cancelAtPeriodEnd
        if now >= record.currentPeriodEnd, !awaitsRenewal {
            let fallsBack = record.status != .active || record.cancelAtPeriodEnd
            if fallsBack {
                record.plan = .free
                record.status = .active
                record.cancelAtPeriodEnd = false
                record.paymentProvider = nil
            }
            while record.currentPeriodEnd <= now {
                record.currentPeriodStart = record.currentPeriodEnd
                record.currentPeriodEnd = Self.addMonth(to: record.currentPeriodStart)
            }
            try await runner.run(
                """
                UPDATE subscriptions SET plan = \(record.plan.rawValue), status = \(record.status.rawValue),
                    cancel_at_period_end = \(record.cancelAtPeriodEnd), payment_provider = \(record.paymentProvider),
                    current_period_start = \(record.currentPeriodStart), current_period_end = \(record.currentPeriodEnd),
                    updated_at = now()
                WHERE user_id = \(userID)
                """, logger: logger)
            changed = true
            // A new period: tell the user (the API service mails it when they want).
            let periodKey = ISO8601.string(from: record.currentPeriodStart, fractionalSeconds: true)
            let renewed = try await catalog.plan(record.plan, on: runner)
            let message =
                "A new period started on your \(renewed.name) plan: quotas are reset"
                + (renewed.monthlyCredits > 0 ? " and \(renewed.monthlyCredits) credits were added." : ".")
            try await runner.run(
                """
                INSERT INTO notifications (user_id, type, title, message, data, dedupe_key)
                VALUES (\(userID), 'usage_reset', 'Your monthly allowance is renewed', \(message),
                        jsonb_build_object('plan', \(record.plan.rawValue)::text, 'periodStart', \(periodKey)::text), \("usage_reset:" + periodKey))
                ON CONFLICT (user_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
                """, logger: logger)
        }
        // The monthly grant, keyed by the period: paid exactly once per period (the ledger's
        // unique reference decides). `grant_reference` remembers the period already seen to,
        // so that an ordinary request does not try again.
        let reference = Self.grantReference(record)
        if found.grantReference != reference {
            let plan = try await catalog.plan(record.plan, on: runner)
            if plan.monthlyCredits > 0,
                try await ledger.apply(userID: userID, delta: plan.monthlyCredits, reason: .planGrant, reference: reference, on: runner) != nil
            {
                changed = true
            }
            try await runner.run("UPDATE subscriptions SET grant_reference = \(reference) WHERE user_id = \(userID)", logger: logger)
        }
        return (record, changed)
    }

    /// The locked row, and the grant reference last seen to (`grant_reference`).
    func locked(userID: UUID, on runner: any SQLRunner) async throws -> (record: SubscriptionRecord, grantReference: String?)? {
        let rows = try await runner.run(
            "SELECT \(unescaped: Self.columns), grant_reference FROM subscriptions WHERE user_id = \(userID) FOR UPDATE", logger: logger)
        for try await (id, plan, status, start, end, cancel, provider, external, anchor, granted)
            in rows.decode((UUID, String, String, Date, Date, Bool, String?, String?, Date?, String?).self)
        {
            let record = SubscriptionRecord(
                userID: id, plan: PlanTier(rawValue: plan) ?? .free, status: .init(rawValue: status) ?? .active,
                currentPeriodStart: start, currentPeriodEnd: end, cancelAtPeriodEnd: cancel, paymentProvider: provider,
                externalSubscriptionID: external, billingAnchor: anchor)
            return (record, granted)
        }
        return nil
    }

    /// The ledger reference of a period's grant. A period we compute ourselves is named by
    /// its start. A provider's period is named by the subscription and the number of months
    /// since its first period (rounded), because the provider restates the start it chose
    /// (Stripe's `customer.subscription.updated` arrives seconds away from the start we
    /// recorded at checkout): the same month is the same grant, whoever said when it began.
    static func grantReference(_ record: SubscriptionRecord) -> String {
        if record.paymentProvider != nil, let subscription = record.externalSubscriptionID, let anchor = record.billingAnchor {
            let months = record.currentPeriodStart.timeIntervalSince(anchor) / (30.436875 * 86_400)
            return "\(record.plan.rawValue):\(subscription):\(Int(months.rounded()))"
        }
        return "\(record.plan.rawValue):\(ISO8601.string(from: record.currentPeriodStart, fractionalSeconds: true))"
    }

    public static func addMonth(to date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        return calendar.date(byAdding: .month, value: 1, to: date) ?? date.addingTimeInterval(30 * 86_400)
    }
}
