import Core
import Crypto
import Foundation

/// Verifies `Stripe-Signature` and turns the event into a `BillingEvent`.
struct StripeWebhook: Sendable {
    let secret: String
    let tolerance: Duration
    /// Price id → plan, to know which plan a subscription is on after a change in the
    /// customer portal.
    let plans: [String: PaidPlan]

    init(secret: String, tolerance: Duration, priceIDs: [PaidPlan: String]) {
        self.secret = secret
        self.tolerance = tolerance
        self.plans = Dictionary(priceIDs.map { ($1, $0) }) { first, _ in first }
    }

    /// Stripe's scheme: `t=<unix>,v1=<hex>[,v1=…]`; the signature is HMAC-SHA256 over
    /// `"<t>.<raw body>"`. Any `v1` may match (secrets roll over); the timestamp must be
    /// within the tolerance, so a captured request cannot be replayed later.
    func verify(payload: [UInt8], header: String?, now: Date = Date()) throws(BillingError) {
        guard let header else { throw .invalidWebhook("missing Stripe-Signature") }
        var timestamp: Int?
        var signatures: [String] = []
        for element in header.split(separator: ",") {
            let pair = element.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int(pair[1]) }
            if pair[0] == "v1" { signatures.append(pair[1].lowercased()) }
        }
        guard let timestamp, !signatures.isEmpty else { throw .invalidWebhook("malformed Stripe-Signature") }
        guard abs(now.timeIntervalSince1970 - Double(timestamp)) <= Double(tolerance.components.seconds) else {
            throw .invalidWebhook("timestamp outside the tolerance")
        }
        let signed = Array("\(timestamp).".utf8) + payload
        let expected = Hex.string(HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8))))
        let matches = signatures.contains { ConstantTime.equal($0.utf8, expected.utf8) }
        guard matches else { throw .invalidWebhook("signature mismatch") }
    }

    func parse(_ payload: [UInt8]) throws(BillingError) -> BillingEvent {
        guard let event = try? JSONDecoder().decode(JSONValue.self, from: Data(payload)), let id = event["id"]?.stringValue,
            let type = event["type"]?.stringValue, let object = event["data"]?["object"]
        else { throw .invalidWebhook("not a Stripe event") }
        var parsed = BillingEvent(provider: .stripe, eventID: id, type: type, change: try change(type: type, object: object))
        if type.hasPrefix("invoice."), let currency = object["currency"]?.stringValue {
            let failed = type == "invoice.payment_failed"
            let cents = (failed ? object["amount_due"] : object["amount_paid"] ?? object["amount_due"])?.integer ?? 0
            parsed.payment = .init(amountCents: cents, currency: currency, status: failed ? "failed" : "completed")
        }
        return parsed
    }

    private func change(type: String, object: JSONValue) throws(BillingError) -> BillingEvent.Change {
        switch type {
        case "checkout.session.completed":
            guard let user = object["metadata"]?["userId"]?.stringValue ?? object["client_reference_id"]?.stringValue,
                let userID = UUID(parsing: user), let plan = object["metadata"]?["plan"]?.stringValue.flatMap(PaidPlan.init(rawValue:)),
                let subscription = object["subscription"]?.stringValue
            else { throw .invalidWebhook("checkout session without userId, plan or subscription") }
            return .activated(
                userID: userID, plan: plan, customerID: object["customer"]?.stringValue, subscriptionID: subscription, periodStart: nil,
                periodEnd: nil)
        case "customer.subscription.created", "customer.subscription.updated":
            guard let id = object["id"]?.stringValue else { throw .invalidWebhook("subscription without id") }
            // Since API version 2025-03-31 the period lives on the subscription items.
            let item = object["items"]?["data"].flatMap { if case .array(let items) = $0 { return items.first } else { return nil } }
            let price = item?["price"]?["id"]?.stringValue
            let plan = price.flatMap { plans[$0] } ?? object["metadata"]?["plan"]?.stringValue.flatMap(PaidPlan.init(rawValue:))
            return .updated(
                subscriptionID: id, plan: plan, status: Self.status(object["status"]?.stringValue),
                cancelAtPeriodEnd: object["cancel_at_period_end"]?.boolValue,
                periodStart: Self.date(object["current_period_start"] ?? item?["current_period_start"]),
                periodEnd: Self.date(object["current_period_end"] ?? item?["current_period_end"]))
        case "customer.subscription.deleted":
            guard let id = object["id"]?.stringValue else { throw .invalidWebhook("subscription without id") }
            return .ended(subscriptionID: id)
        case "invoice.payment_succeeded", "invoice.paid", "invoice.payment_failed":
            // Older API versions put the subscription on the invoice, newer ones under
            // `parent.subscription_details`.
            guard let subscription = object["subscription"]?.stringValue ?? object["parent"]?["subscription_details"]?["subscription"]?.stringValue
            else {
                return .ignored  // a one-off invoice
            }
            if type == "invoice.payment_failed" { return .paymentFailed(subscriptionID: subscription) }
            let line = object["lines"]?["data"].flatMap { if case .array(let lines) = $0 { return lines.first } else { return nil } }
            return .paymentSucceeded(
                subscriptionID: subscription, periodStart: Self.date(line?["period"]?["start"]), periodEnd: Self.date(line?["period"]?["end"]))
        default:
            return .ignored
        }
    }

    static func status(_ stripe: String?) -> SubscriptionStatus {
        switch stripe {
        case "trialing": return .trial
        // past_due keeps access while Stripe retries the card; payment_failed notifies.
        case "active", "past_due": return .active
        case "canceled": return .cancelled
        default: return .expired  // unpaid, incomplete, incomplete_expired, paused
        }
    }

    static func date(_ value: JSONValue?) -> Date? {
        switch value {
        case .int(let seconds)?: return Date(timeIntervalSince1970: Double(seconds))
        case .double(let seconds)?: return Date(timeIntervalSince1970: seconds)
        default: return nil
        }
    }
}

extension JSONValue {
    var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }
}
