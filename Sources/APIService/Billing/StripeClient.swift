import AsyncHTTPClient
import Core
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat

/// Stripe's REST API (form-encoded requests with bracketed keys, JSON answers), only the
/// calls the subscription routes need.
struct StripeClient: Sendable {
    let config: BillingConfig.Stripe
    let http: HTTPClient
    let logger: Logger

    struct CheckoutSession: Sendable, Equatable {
        var id: String
        var url: String
    }

    /// A Checkout session for `plan`. The user id and plan travel in the session's and the
    /// subscription's metadata, which is how the webhook knows whom to upgrade.
    func createCheckoutSession(
        userID: UUID, email: String, customerID: String?, plan: PaidPlan, successURL: String, cancelURL: String, idempotencyKey: String?
    ) async throws(BillingError) -> CheckoutSession {
        guard let price = config.priceIDs[plan] else { throw .notConfigured("STRIPE_PRICE_ID_\(plan.rawValue)") }
        let user = userID.lowercasedString
        var form: [(String, String)] = [
            ("mode", "subscription"), ("line_items[0][price]", price), ("line_items[0][quantity]", "1"),
            ("success_url", successURL), ("cancel_url", cancelURL), ("client_reference_id", user),
            ("metadata[userId]", user), ("metadata[plan]", plan.rawValue),
            ("subscription_data[metadata][userId]", user), ("subscription_data[metadata][plan]", plan.rawValue),
        ]
        if let customerID { form.append(("customer", customerID)) } else { form.append(("customer_email", email)) }
        let json = try await post(
            "/v1/checkout/sessions", form: form, idempotencyKey: idempotencyKey.map { Self.scopedKey($0, user: userID, plan: plan) })
        guard let id = json["id"]?.stringValue, let url = json["url"]?.stringValue else { throw .provider("checkout session without id or url") }
        return CheckoutSession(id: id, url: url)
    }

    func createPortalSession(customerID: String, returnURL: String) async throws(BillingError) -> String {
        let json = try await post("/v1/billing_portal/sessions", form: [("customer", customerID), ("return_url", returnURL)], idempotencyKey: nil)
        guard let url = json["url"]?.stringValue else { throw .provider("portal session without url") }
        return url
    }

    /// Cancels at period end (`true`) or undoes that (`false`).
    func setCancelAtPeriodEnd(subscriptionID: String, _ cancel: Bool) async throws(BillingError) {
        _ = try await post(
            "/v1/subscriptions/\(FormEncoding.encode(subscriptionID))", form: [("cancel_at_period_end", cancel ? "true" : "false")],
            idempotencyKey: nil)
    }

    /// Stripe keys idempotency by account, not by our user: a client's key goes to Stripe
    /// only inside a digest of who sent it and for what, so one user's key can never
    /// replay another user's checkout session (and the same key for another plan is a new
    /// request rather than Stripe's "parameters differ" error).
    static func scopedKey(_ key: String, user: UUID, plan: PaidPlan) -> String {
        "checkout-" + Hex.sha256("\(user.lowercasedString)\n\(plan.rawValue)\n\(key)")
    }

    private func post(_ path: String, form: [(String, String)], idempotencyKey: String?) async throws(BillingError) -> JSONValue {
        var request = HTTPClientRequest(url: config.baseURL + path)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer " + config.secretKey)
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        request.body = .bytes(ByteBuffer(string: FormEncoding.encode(form)))
        let status: UInt
        let body: ByteBuffer
        do {
            let response = try await http.execute(request, timeout: .seconds(20), logger: logger)
            status = response.status.code
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            logger.warning("stripe unreachable", metadata: ["path": "\(path)", "error": "\(String(describing: type(of: error)))"])
            throw .provider("Stripe is unreachable")
        }
        let json = try? JSONDecoder().decode(JSONValue.self, from: body)
        guard (200..<300).contains(status), let json else {
            // Stripe's error message is meant for developers, not end users: log it only.
            logger.warning(
                "stripe error", metadata: ["path": "\(path)", "status": "\(status)", "message": "\(json?["error"]?["message"]?.stringValue ?? "")"])
            throw .provider("Stripe answered \(status)")
        }
        return json
    }
}
