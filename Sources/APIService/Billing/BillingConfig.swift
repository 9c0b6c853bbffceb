import Core
import Foundation

/// Stripe and PayPal settings. Each provider is enabled by its secret; every base URL is
/// overridable so that the tests run the real clients against local fakes.
struct BillingConfig: Sendable {
    struct Stripe: Sendable {
        var secretKey: String
        var webhookSecret: String?
        var priceIDs: [PaidPlan: String]
        var baseURL: String
    }

    struct PayPal: Sendable {
        var clientID: String
        var clientSecret: String
        var webhookID: String?
        var planIDs: [PaidPlan: String]
        var baseURL: String
    }

    var stripe: Stripe?
    var paypal: PayPal?
    /// Where Checkout and PayPal send the browser back (`FRONTEND_URL` by default).
    var returnURL: String
    /// Stripe's signature timestamps older (or newer) than this are refused.
    var webhookTolerance: Duration = .seconds(300)

    init(env: EnvironmentReader, frontendURL: String) throws {
        returnURL = env.string("BILLING_RETURN_URL") ?? frontendURL
        if let key = env.string("STRIPE_SECRET_KEY") {
            var prices: [PaidPlan: String] = [:]
            for plan in PaidPlan.allCases {
                prices[plan] = env.string("STRIPE_PRICE_ID_\(plan.rawValue)")
            }
            stripe = Stripe(
                secretKey: key, webhookSecret: env.string("STRIPE_WEBHOOK_SECRET"), priceIDs: prices,
                baseURL: try Self.base(env, "STRIPE_API_BASE", default: "https://api.stripe.com"))
        }
        if let id = env.string("PAYPAL_CLIENT_ID"), let secret = env.string("PAYPAL_CLIENT_SECRET") {
            var plans: [PaidPlan: String] = [:]
            for plan in PaidPlan.allCases {
                plans[plan] = env.string("PAYPAL_PLAN_ID_\(plan.rawValue)")
            }
            let sandbox = env.string("PAYPAL_MODE") != "live"
            paypal = PayPal(
                clientID: id, clientSecret: secret, webhookID: env.string("PAYPAL_WEBHOOK_ID"), planIDs: plans,
                baseURL: try Self.base(env, "PAYPAL_API_BASE", default: sandbox ? "https://api-m.sandbox.paypal.com" : "https://api-m.paypal.com"))
        }
    }

    private static func base(_ env: EnvironmentReader, _ name: String, default fallback: String) throws -> String {
        let value = try env.url(name)?.absoluteString ?? fallback
        return value.hasSuffix("/") ? String(value.dropLast()) : value
    }
}

/// The plans that are bought; FREE never goes through a payment provider.
enum PaidPlan: String, CaseIterable, Sendable, Codable {
    case pro = "PRO"
    case enterprise = "ENTERPRISE"

    var tier: PlanTier {
        switch self {
        case .pro: .pro
        case .enterprise: .enterprise
        }
    }
}
