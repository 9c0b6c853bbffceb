import AsyncHTTPClient
import Core
import Foundation
import Logging

/// The subscription routes' rules: which provider, whose subscription, and what is stored
/// after the provider agreed.
struct BillingService: Sendable {
    let dependencies: APIDependencies
    let config: BillingConfig
    let stripe: StripeClient?
    let paypal: PayPalClient?
    var store: BillingStore { BillingStore(logger: dependencies.logger) }

    init(dependencies: APIDependencies, config: BillingConfig, http: HTTPClient) {
        self.dependencies = dependencies
        self.config = config
        self.stripe = config.stripe.map { StripeClient(config: $0, http: http, logger: dependencies.logger) }
        self.paypal = config.paypal.map { PayPalClient(config: $0, http: http, logger: dependencies.logger) }
    }

    func checkout(user: UserRecord, plan: PaidPlan, idempotencyKey: String?) async throws -> StripeClient.CheckoutSession {
        guard let stripe else { throw CoreError.serviceUnavailable("Stripe is not configured") }
        let link = try await store.link(userID: user.id, on: dependencies.database.client)
        return try await mapped {
            try await stripe.createCheckoutSession(
                userID: user.id, email: user.email, customerID: link.provider == .stripe ? link.customerID : nil, plan: plan,
                successURL: config.returnURL + "/subscription?checkout=success&session_id={CHECKOUT_SESSION_ID}",
                cancelURL: config.returnURL + "/subscription?checkout=cancelled", idempotencyKey: idempotencyKey)
        }
    }

    func portal(user: UserRecord) async throws -> String {
        guard let stripe else { throw CoreError.serviceUnavailable("Stripe is not configured") }
        guard let customer = try await store.link(userID: user.id, on: dependencies.database.client).customerID else {
            throw CoreError.conflict("There is no Stripe billing account for this user yet")
        }
        return try await mapped { try await stripe.createPortalSession(customerID: customer, returnURL: config.returnURL + "/subscription") }
    }

    /// Cancels at period end: at the provider first, then here, so the two never disagree
    /// in the user's favour or against it.
    func cancel(user: UserRecord) async throws {
        let link = try await store.link(userID: user.id, on: dependencies.database.client)
        guard let subscriptionID = link.subscriptionID, let provider = link.provider else {
            throw CoreError.conflict("There is no paid subscription to cancel")
        }
        switch provider {
        case .stripe:
            guard let stripe else { throw CoreError.serviceUnavailable("Stripe is not configured") }
            try await mapped { try await stripe.setCancelAtPeriodEnd(subscriptionID: subscriptionID, true) }
        case .paypal:
            guard let paypal else { throw CoreError.serviceUnavailable("PayPal is not configured") }
            try await mapped { try await paypal.cancel(subscriptionID: subscriptionID, reason: "Cancelled by the user") }
        }
        try await setCancelled(user.id, true)
    }

    func reactivate(user: UserRecord) async throws {
        let link = try await store.link(userID: user.id, on: dependencies.database.client)
        guard let subscriptionID = link.subscriptionID, link.provider != nil else {
            throw CoreError.conflict("There is no paid subscription to reactivate")
        }
        guard link.provider == .stripe, let stripe else {
            throw CoreError.conflict("A cancelled PayPal subscription cannot be resumed; subscribe again")
        }
        try await mapped { try await stripe.setCancelAtPeriodEnd(subscriptionID: subscriptionID, false) }
        try await setCancelled(user.id, false)
    }

    func paypalCheckout(user: UserRecord, plan: PaidPlan) async throws -> PayPalClient.Subscription {
        guard let paypal else { throw CoreError.serviceUnavailable("PayPal is not configured") }
        let created = try await mapped {
            try await paypal.createSubscription(
                plan: plan, userID: user.id, returnURL: config.returnURL + "/subscription?paypal=success",
                cancelURL: config.returnURL + "/subscription?canceled=true")  // Subscription.js L70-78 reads `canceled === 'true'`
        }
        guard created.approvalURL != nil else { throw CoreError.badGateway("PayPal returned no approval link") }
        return created
    }

    /// After the buyer approved: the subscription must be the caller's (`custom_id`) and
    /// ACTIVE at PayPal (its first payment taken) before the plan changes.
    func paypalExecute(user: UserRecord, subscriptionID: String) async throws -> (PayPalClient.Subscription, PaidPlan) {
        guard let paypal, let paypalConfig = config.paypal else { throw CoreError.serviceUnavailable("PayPal is not configured") }
        let subscription = try await mapped { try await paypal.subscription(id: subscriptionID) }
        guard subscription.customID?.lowercased() == user.id.lowercasedString else { throw CoreError.notFound }
        guard let plan = paypalConfig.planIDs.first(where: { $0.value == subscription.planID })?.key else {
            throw CoreError.badGateway("PayPal subscription is for an unknown plan")
        }
        // APPROVED means the buyer agreed, not that PayPal took the first payment: the plan
        // changes on ACTIVE (here, or on the BILLING.SUBSCRIPTION.ACTIVATED webhook).
        guard subscription.status == "ACTIVE" else {
            throw CoreError.conflict(
                subscription.status == "APPROVED"
                    ? "PayPal has not taken the first payment yet; your plan changes as soon as it has"
                    : "The PayPal subscription is \(subscription.status), not active")
        }
        let store = self.store
        let change = BillingEvent.Change.activated(
            userID: user.id, plan: plan, customerID: nil, subscriptionID: subscription.id, periodStart: subscription.startTime,
            periodEnd: subscription.nextBillingTime)
        // Keyed like a webhook event so that a repeated execute changes nothing twice.
        let event = BillingEvent(provider: .paypal, eventID: "execute:\(subscription.id)", type: "execute", change: change)
        _ = try await dependencies.transaction { runner in try await store.apply(event, on: runner) }
        dependencies.readModel.invalidate(userID: user.id)
        return (subscription, plan)
    }

    /// Stores a verified webhook event; the caller answers 200 only after this returns.
    func record(_ event: BillingEvent) async throws -> BillingStore.Outcome {
        let store = self.store
        let outcome = try await dependencies.transaction { runner in try await store.apply(event, on: runner) }
        if case .applied(let userID?) = outcome { dependencies.readModel.invalidate(userID: userID) }
        return outcome
    }

    private func setCancelled(_ userID: UUID, _ cancelled: Bool) async throws {
        let store = self.store
        try await dependencies.transaction { runner in try await store.setCancelAtPeriodEnd(userID: userID, cancelled, on: runner) }
        dependencies.readModel.invalidate(userID: userID)
    }

    /// Billing failures in the envelope's terms.
    func mapped<T>(_ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch let error as BillingError {
            throw error.coreError
        }
    }
}

extension BillingError {
    var coreError: CoreError {
        switch self {
        case .notConfigured(let what): .serviceUnavailable("Payments are not configured (\(what))")
        case .invalidWebhook(let reason):
            .invalidInput([ValidationIssue(type: "value_error", location: .header, path: ["signature"], message: reason)])
        case .provider(let message): .badGateway(message)
        case .notFound: .notFound
        }
    }
}
