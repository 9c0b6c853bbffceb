import Core
import Foundation

typealias SubscriptionStatus = SubscriptionRecord.Status

/// A payment provider's webhook, reduced to the change it means for our subscription.
/// Parsing (per provider) and applying (one store) are separate so that both can be
/// tested on their own.
struct BillingEvent: Sendable, Equatable {
    enum Change: Sendable, Equatable {
        /// A checkout finished: the user now has `plan` through this provider subscription.
        case activated(userID: UUID, plan: PaidPlan, customerID: String?, subscriptionID: String, periodStart: Date?, periodEnd: Date?)
        /// The provider's subscription changed: plan, status, period or cancellation.
        case updated(
            subscriptionID: String, plan: PaidPlan?, status: SubscriptionStatus, cancelAtPeriodEnd: Bool?, periodStart: Date?, periodEnd: Date?)
        /// The provider's subscription is over; the user falls back to FREE.
        case ended(subscriptionID: String)
        case paymentSucceeded(subscriptionID: String, periodStart: Date?, periodEnd: Date?)
        case paymentFailed(subscriptionID: String)
        /// A verified event of a type that changes nothing here.
        case ignored
    }

    /// The money an invoice or sale event reports, for the admin's payment list.
    struct Payment: Sendable, Equatable {
        var amountCents: Int
        var currency: String
        /// `completed` or `failed`.
        var status: String
    }

    var provider: PaymentProvider
    var eventID: String
    var type: String
    var change: Change
    var payment: Payment? = nil
}

enum PaymentProvider: String, Sendable, Codable {
    case stripe
    case paypal
}

/// Why a payment call or webhook failed, mapped to the envelope in one place.
enum BillingError: Error, Equatable {
    /// The provider is not configured (no key) or the plan has no price id.
    case notConfigured(String)
    /// Stripe-Signature or PayPal verification failed, or the body is not an event.
    case invalidWebhook(String)
    /// The provider answered with an error or not at all.
    case provider(String)
    /// A PayPal subscription that is not the caller's, or no billing account yet.
    case notFound
}
