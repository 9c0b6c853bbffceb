import AsyncHTTPClient
import Core
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat

/// PayPal's REST API: OAuth client-credentials token, Subscriptions v1, and webhook
/// verification (`verify-webhook-signature`), which is the only check PayPal offers that
/// does not need its certificate chain here.
actor PayPalClient {
    let config: BillingConfig.PayPal
    let http: HTTPClient
    let logger: Logger
    private var token: (value: String, expires: Date)?

    init(config: BillingConfig.PayPal, http: HTTPClient, logger: Logger) {
        self.config = config
        self.http = http
        self.logger = logger
    }

    struct Subscription: Sendable, Equatable {
        var id: String
        var status: String
        /// Our user id, set at creation (`custom_id`), which is how ownership is checked.
        var customID: String?
        var planID: String?
        var approvalURL: String?
        var startTime: Date?
        var nextBillingTime: Date?
    }

    func createSubscription(plan: PaidPlan, userID: UUID, returnURL: String, cancelURL: String) async throws(BillingError) -> Subscription {
        guard let planID = config.planIDs[plan] else { throw .notConfigured("PAYPAL_PLAN_ID_\(plan.rawValue)") }
        let body: JSONValue = [
            "plan_id": .string(planID), "custom_id": .string(userID.lowercasedString),
            "application_context": [
                "brand_name": "Nova-XFinity", "user_action": "SUBSCRIBE_NOW", "return_url": .string(returnURL), "cancel_url": .string(cancelURL),
            ],
        ]
        return Self.subscription(try await send("POST", "/v1/billing/subscriptions", json: body))
    }

    func subscription(id: String) async throws(BillingError) -> Subscription {
        Self.subscription(try await send("GET", "/v1/billing/subscriptions/\(FormEncoding.encode(id))", json: nil))
    }

    func cancel(subscriptionID: String, reason: String) async throws(BillingError) {
        _ = try await send("POST", "/v1/billing/subscriptions/\(FormEncoding.encode(subscriptionID))/cancel", json: ["reason": .string(reason)])
    }

    /// Asks PayPal whether the webhook with these transmission headers and this body was
    /// sent by PayPal for our webhook id.
    func verifyWebhook(headers: [String: String], event: JSONValue) async throws(BillingError) {
        guard let webhookID = config.webhookID else { throw .notConfigured("PAYPAL_WEBHOOK_ID") }
        func header(_ name: String) throws(BillingError) -> JSONValue {
            guard let value = headers[name.lowercased()], !value.isEmpty else { throw .invalidWebhook("missing \(name)") }
            return .string(value)
        }
        let body: JSONValue = [
            "auth_algo": try header("PAYPAL-AUTH-ALGO"), "cert_url": try header("PAYPAL-CERT-URL"),
            "transmission_id": try header("PAYPAL-TRANSMISSION-ID"), "transmission_sig": try header("PAYPAL-TRANSMISSION-SIG"),
            "transmission_time": try header("PAYPAL-TRANSMISSION-TIME"), "webhook_id": .string(webhookID), "webhook_event": event,
        ]
        let answer = try await send("POST", "/v1/notifications/verify-webhook-signature", json: body)
        guard answer["verification_status"]?.stringValue == "SUCCESS" else { throw .invalidWebhook("PayPal did not verify the webhook") }
    }

    static func subscription(_ json: JSONValue) -> Subscription {
        var approval: String?
        if case .array(let links)? = json["links"] {
            approval = links.first { $0["rel"]?.stringValue == "approve" }?["href"]?.stringValue
        }
        return Subscription(
            id: json["id"]?.stringValue ?? "", status: json["status"]?.stringValue ?? "", customID: json["custom_id"]?.stringValue,
            planID: json["plan_id"]?.stringValue, approvalURL: approval, startTime: ISO8601.parse(json["start_time"]?.stringValue),
            nextBillingTime: ISO8601.parse(json["billing_info"]?["next_billing_time"]?.stringValue))
    }

    private func accessToken() async throws(BillingError) -> String {
        if let token, token.expires > Date() { return token.value }
        var request = HTTPClientRequest(url: config.baseURL + "/v1/oauth2/token")
        request.method = .POST
        let credentials = Data("\(config.clientID):\(config.clientSecret)".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic " + credentials)
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: "grant_type=client_credentials"))
        let (status, json) = try await execute(request, path: "/v1/oauth2/token")
        guard status == 200, let value = json?["access_token"]?.stringValue else { throw .provider("PayPal token request answered \(status)") }
        let lifetime: Double
        if case .int(let seconds)? = json?["expires_in"] { lifetime = Double(seconds) } else { lifetime = 300 }
        // Renew a minute early so a token never expires between check and use.
        token = (value, Date().addingTimeInterval(max(lifetime - 60, 30)))
        return value
    }

    private func send(_ method: String, _ path: String, json body: JSONValue?) async throws(BillingError) -> JSONValue {
        var request = HTTPClientRequest(url: config.baseURL + path)
        request.method = .init(rawValue: method)
        request.headers.add(name: "Authorization", value: "Bearer " + (try await accessToken()))
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body.encodedData()))
        }
        let (status, json) = try await execute(request, path: path)
        if status == 404 { throw .notFound }
        guard (200..<300).contains(status) else { throw .provider("PayPal answered \(status)") }
        return json ?? [:]
    }

    private func execute(_ request: HTTPClientRequest, path: String) async throws(BillingError) -> (UInt, JSONValue?) {
        do {
            let response = try await http.execute(request, timeout: .seconds(20), logger: logger)
            let body = try await response.body.collect(upTo: 1 << 20)
            let json = body.readableBytes == 0 ? nil : try? JSONDecoder().decode(JSONValue.self, from: body)
            if !(200..<300).contains(response.status.code) {
                logger.warning("paypal error", metadata: ["path": "\(path)", "status": "\(response.status.code)"])
            }
            return (response.status.code, json)
        } catch {
            logger.warning("paypal unreachable", metadata: ["path": "\(path)", "error": "\(String(describing: type(of: error)))"])
            throw .provider("PayPal is unreachable")
        }
    }
}

/// PayPal webhook events reduced to subscription changes.
enum PayPalWebhook {
    static func parse(_ event: JSONValue, plans: [PaidPlan: String]) throws(BillingError) -> BillingEvent {
        guard let id = event["id"]?.stringValue, let type = event["event_type"]?.stringValue, let resource = event["resource"] else {
            throw .invalidWebhook("not a PayPal event")
        }
        let byPlanID = Dictionary(plans.map { ($1, $0) }) { first, _ in first }
        let change: BillingEvent.Change
        switch type {
        case "BILLING.SUBSCRIPTION.ACTIVATED", "BILLING.SUBSCRIPTION.RE-ACTIVATED", "BILLING.SUBSCRIPTION.UPDATED":
            let subscription = PayPalClient.subscription(resource)
            guard !subscription.id.isEmpty else { throw .invalidWebhook("subscription without id") }
            if let custom = subscription.customID, let userID = UUID(parsing: custom), let plan = subscription.planID.flatMap({ byPlanID[$0] }),
                type != "BILLING.SUBSCRIPTION.UPDATED"
            {
                change = .activated(
                    userID: userID, plan: plan, customerID: nil, subscriptionID: subscription.id, periodStart: subscription.startTime,
                    periodEnd: subscription.nextBillingTime)
            } else {
                change = .updated(
                    subscriptionID: subscription.id, plan: subscription.planID.flatMap { byPlanID[$0] }, status: .active, cancelAtPeriodEnd: nil,
                    periodStart: nil, periodEnd: subscription.nextBillingTime)
            }
        case "BILLING.SUBSCRIPTION.CANCELLED":
            guard let sid = resource["id"]?.stringValue else { throw .invalidWebhook("subscription without id") }
            // PayPal stops future payments; access lasts until the paid period ends.
            change = .updated(subscriptionID: sid, plan: nil, status: .cancelled, cancelAtPeriodEnd: true, periodStart: nil, periodEnd: nil)
        case "BILLING.SUBSCRIPTION.EXPIRED", "BILLING.SUBSCRIPTION.SUSPENDED":
            guard let sid = resource["id"]?.stringValue else { throw .invalidWebhook("subscription without id") }
            change = .ended(subscriptionID: sid)
        case "BILLING.SUBSCRIPTION.PAYMENT.FAILED":
            guard let sid = resource["id"]?.stringValue else { throw .invalidWebhook("subscription without id") }
            change = .paymentFailed(subscriptionID: sid)
        case "PAYMENT.SALE.COMPLETED":
            guard let sid = resource["billing_agreement_id"]?.stringValue else { change = .ignored; break }
            change = .paymentSucceeded(subscriptionID: sid, periodStart: nil, periodEnd: nil)
        default:
            change = .ignored
        }
        var parsed = BillingEvent(provider: .paypal, eventID: id, type: type, change: change)
        if type == "PAYMENT.SALE.COMPLETED", let total = resource["amount"]?["total"]?.stringValue, let amount = Decimal(string: total) {
            let cents = NSDecimalNumber(decimal: amount * 100).intValue
            parsed.payment = .init(
                amountCents: cents, currency: (resource["amount"]?["currency"]?.stringValue ?? "USD").lowercased(), status: "completed")
        }
        return parsed
    }
}
