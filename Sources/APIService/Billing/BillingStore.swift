import Core
import Foundation
import Logging
import PostgresNIO

/// Applies payment-provider events to `subscriptions`, each event exactly once (its id is
/// recorded in the same transaction as the change).
struct BillingStore: Sendable {
    let logger: Logger

    enum Outcome: Equatable, Sendable {
        case applied(userID: UUID?)
        case duplicate
    }

    /// The Stripe customer and the provider subscription of a user, if any.
    struct Link: Sendable, Equatable {
        var provider: PaymentProvider?
        var customerID: String?
        var subscriptionID: String?
    }

    func apply(_ event: BillingEvent, on runner: any SQLRunner) async throws -> Outcome {
        let fresh = try await runner.run(
            """
            INSERT INTO processed_webhook_events (provider, event_id, event_type)
            VALUES (\(event.provider.rawValue), \(event.eventID), \(event.type)) ON CONFLICT DO NOTHING RETURNING 1
            """, logger: logger)
        var isNew = false
        for try await _ in fresh { isNew = true }
        guard isNew else { return .duplicate }
        let userID = try await apply(event.change, provider: event.provider, eventID: event.eventID, on: runner)
        if let payment = event.payment, let userID {
            try await runner.run(
                """
                INSERT INTO payments (user_id, provider, event_id, amount_cents, currency, status, plan)
                SELECT \(userID), \(event.provider.rawValue), \(event.eventID), \(payment.amountCents), \(payment.currency), \(payment.status), s.plan
                FROM subscriptions s WHERE s.user_id = \(userID)
                ON CONFLICT (provider, event_id) DO NOTHING
                """, logger: logger)
        }
        return .applied(userID: userID)
    }

    /// Returns the user whose subscription changed.
    func apply(_ change: BillingEvent.Change, provider: PaymentProvider, eventID: String, on runner: any SQLRunner) async throws -> UUID? {
        let subscriptions = SubscriptionStore(logger: logger)
        switch change {
        case let .activated(userID, plan, customerID, subscriptionID, start, end):
            guard try await userExists(userID, on: runner) else {
                logger.warning("billing event for an unknown user", metadata: ["event": "\(eventID)"])
                return nil
            }
            _ = try await subscriptions.current(userID: userID, on: runner)
            let periodStart = start ?? Date()
            let periodEnd = end.flatMap { $0 > periodStart ? $0 : nil } ?? SubscriptionStore.addMonth(to: periodStart)
            try await runner.run(
                """
                UPDATE subscriptions SET plan = \(plan.tier.rawValue), status = 'ACTIVE', cancel_at_period_end = false,
                    payment_provider = \(provider.rawValue), external_customer_id = coalesce(\(customerID), external_customer_id),
                    billing_anchor = CASE WHEN external_subscription_id IS DISTINCT FROM \(subscriptionID) OR billing_anchor IS NULL
                                          THEN \(periodStart) ELSE billing_anchor END,
                    external_subscription_id = \(subscriptionID), current_period_start = \(periodStart),
                    current_period_end = \(periodEnd), updated_at = now()
                WHERE user_id = \(userID)
                """, logger: logger)
            // Pays the new plan's grant for the new period (keyed by plan and period).
            _ = try await subscriptions.current(userID: userID, on: runner)
            try await notify(
                userID, type: "subscription_started", title: "Welcome to \(plan.rawValue)",
                message: "Your \(plan.rawValue) subscription is active.", key: "billing:\(eventID)", on: runner)
            return userID

        case let .updated(subscriptionID, plan, status, cancel, start, end):
            guard let userID = try await owner(of: subscriptionID, provider: provider, on: runner) else { return nil }
            // "Cancel at period end" is our CANCELLED: the plan lasts until the period ends.
            let effective = (cancel == true && status == .active) ? SubscriptionStatus.cancelled : status
            try await runner.run(
                """
                UPDATE subscriptions SET plan = coalesce(\(plan?.tier.rawValue), plan), status = \(effective.rawValue),
                    cancel_at_period_end = coalesce(\(cancel), cancel_at_period_end),
                    current_period_start = coalesce(\(start), current_period_start),
                    billing_anchor = coalesce(billing_anchor, \(start), current_period_start),
                    current_period_end = coalesce(\(end), current_period_end), updated_at = now()
                WHERE user_id = \(userID)
                """, logger: logger)
            if effective == .cancelled {
                try await notify(
                    userID, type: "subscription_cancelled", title: "Subscription cancelled",
                    message: "Your plan stays active until the end of the current period.", key: "billing:\(eventID)", on: runner)
            }
            _ = try await subscriptions.current(userID: userID, on: runner)
            return userID

        case .ended(let subscriptionID):
            guard let userID = try await owner(of: subscriptionID, provider: provider, on: runner) else { return nil }
            // Ending the period now lets the period roll-over move the user to FREE (and
            // pay FREE's grant for the new period).
            try await runner.run(
                """
                UPDATE subscriptions SET status = 'EXPIRED', current_period_end = least(current_period_end, now()), updated_at = now()
                WHERE user_id = \(userID)
                """, logger: logger)
            _ = try await subscriptions.current(userID: userID, on: runner)
            return userID

        case let .paymentSucceeded(subscriptionID, start, end):
            guard let userID = try await owner(of: subscriptionID, provider: provider, on: runner) else { return nil }
            if let end {
                // Stripe states the paid period: a later one starts the next period.
                try await runner.run(
                    """
                    UPDATE subscriptions SET
                        status = CASE WHEN cancel_at_period_end THEN status ELSE 'ACTIVE' END,
                        current_period_start = CASE WHEN \(end)::timestamptz > current_period_end THEN coalesce(\(start), current_period_end) ELSE current_period_start END,
                        current_period_end = greatest(current_period_end, \(end)), updated_at = now()
                    WHERE user_id = \(userID)
                    """, logger: logger)
            } else {
                // PayPal's sale names no period. The first one comes at activation, inside
                // the period it pays; a renewal comes at the next billing time, at the end
                // of the period (a day early at most): that one starts the next month.
                try await runner.run(
                    """
                    UPDATE subscriptions SET
                        status = CASE WHEN cancel_at_period_end THEN status ELSE 'ACTIVE' END,
                        current_period_start = CASE WHEN now() >= current_period_end - interval '1 day' THEN current_period_end ELSE current_period_start END,
                        current_period_end = CASE WHEN now() >= current_period_end - interval '1 day' THEN current_period_end + interval '1 month' ELSE current_period_end END,
                        updated_at = now()
                    WHERE user_id = \(userID)
                    """, logger: logger)
            }
            _ = try await subscriptions.current(userID: userID, on: runner)
            return userID

        case .paymentFailed(let subscriptionID):
            guard let userID = try await owner(of: subscriptionID, provider: provider, on: runner) else { return nil }
            try await notify(
                userID, type: "payment_failed", title: "Payment failed",
                message: "We could not charge your payment method. Please update it to keep your plan.", key: "billing:\(eventID)", on: runner)
            return userID

        case .ignored:
            return nil
        }
    }

    func link(userID: UUID, on runner: any SQLRunner) async throws -> Link {
        let rows = try await runner.run(
            "SELECT payment_provider, external_customer_id, external_subscription_id FROM subscriptions WHERE user_id = \(userID)",
            logger: logger)
        for try await (provider, customer, subscription) in rows.decode((String?, String?, String?).self) {
            return Link(provider: provider.flatMap(PaymentProvider.init(rawValue:)), customerID: customer, subscriptionID: subscription)
        }
        return Link()
    }

    /// Records a cancellation (or its undoing) made through the API at the provider.
    func setCancelAtPeriodEnd(userID: UUID, _ cancel: Bool, on runner: any SQLRunner) async throws {
        try await runner.run(
            """
            UPDATE subscriptions SET cancel_at_period_end = \(cancel), status = \(cancel ? "CANCELLED" : "ACTIVE"), updated_at = now()
            WHERE user_id = \(userID)
            """, logger: logger)
    }

    private func owner(of subscriptionID: String, provider: PaymentProvider, on runner: any SQLRunner) async throws -> UUID? {
        let rows = try await runner.run(
            """
            SELECT user_id FROM subscriptions WHERE payment_provider = \(provider.rawValue) AND external_subscription_id = \(subscriptionID)
            FOR UPDATE
            """, logger: logger)
        for try await id in rows.decode(UUID.self) { return id }
        logger.info("billing event for an unknown provider subscription", metadata: ["subscription": "\(subscriptionID)"])
        return nil
    }

    private func userExists(_ id: UUID, on runner: any SQLRunner) async throws -> Bool {
        for try await _ in try await runner.run("SELECT 1 FROM users WHERE id = \(id)", logger: logger) { return true }
        return false
    }

    private func notify(_ userID: UUID, type: String, title: String, message: String, key: String, on runner: any SQLRunner) async throws {
        try await runner.run(
            """
            INSERT INTO notifications (user_id, type, title, message, data, dedupe_key)
            VALUES (\(userID), \(type), \(title), \(message), '{}'::jsonb, \(key))
            ON CONFLICT (user_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
            """, logger: logger)
    }
}
