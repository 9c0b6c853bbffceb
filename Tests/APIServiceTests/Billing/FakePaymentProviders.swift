import Core
import Foundation
import Hummingbird
import NIOCore
import TestSupport

/// Stripe and PayPal on one loopback port, speaking the parts of their REST APIs the
/// billing code calls, and recording what they were sent.
final class FakePaymentProviders: @unchecked Sendable {
    struct Recorded: Sendable {
        var method: String
        var path: String
        var headers: [String: String]
        var body: String
    }

    private let lock = NSLock()
    private var recorded: [Recorded] = []
    private var paypalSubscriptions: [String: JSONValue] = [:]
    private var failStripeWith: Int?
    let port: Int
    private var task: Task<Void, any Error>?

    static let stripeKey = "sk_test_fake"
    static let paypalClientID = "pp-client"
    static let paypalSecret = "pp-secret"
    static let paypalWebhookID = "WH-FAKE"
    /// The transmission signature the fake PayPal accepts.
    static let goodPayPalSignature = "good-signature"

    init() throws { port = try freePort() }

    var base: String { "http://127.0.0.1:\(port)" }

    var environment: [String: String] {
        [
            "STRIPE_SECRET_KEY": Self.stripeKey, "STRIPE_WEBHOOK_SECRET": "whsec_fake", "STRIPE_PRICE_ID_PRO": "price_pro",
            "STRIPE_PRICE_ID_ENTERPRISE": "price_ent", "STRIPE_API_BASE": base + "/stripe",
            "PAYPAL_CLIENT_ID": Self.paypalClientID, "PAYPAL_CLIENT_SECRET": Self.paypalSecret, "PAYPAL_WEBHOOK_ID": Self.paypalWebhookID,
            "PAYPAL_PLAN_ID_PRO": "P-PRO", "PAYPAL_PLAN_ID_ENTERPRISE": "P-ENT", "PAYPAL_API_BASE": base + "/paypal",
        ]
    }

    func requests(_ prefix: String) -> [Recorded] { lock.withLock { recorded.filter { $0.path.hasPrefix(prefix) } } }
    func failStripe(with status: Int?) { lock.withLock { failStripeWith = status } }

    /// What PayPal reports for a subscription (e.g. after the buyer approved it).
    func setPayPalSubscription(_ id: String, status: String, customID: String, planID: String) {
        lock.withLock {
            paypalSubscriptions[id] = [
                "id": .string(id), "status": .string(status), "custom_id": .string(customID), "plan_id": .string(planID),
                // A period that started yesterday (fixed dates would lapse as the calendar moves on).
                "start_time": .string(ISO8601.string(from: Date().addingTimeInterval(-86_400))),
                "billing_info": [
                    "next_billing_time": .string(ISO8601.string(from: SubscriptionStore.addMonth(to: Date().addingTimeInterval(-86_400))))
                ],
            ]
        }
    }

    func start() async throws {
        let router = Router()
        for method in [HTTPRequest.Method.get, .post] {
            router.on("/stripe/**", method: method) { [self] request, _ in try await stripe(try await record(request)) }
            router.on("/paypal/**", method: method) { [self] request, _ in try await paypal(try await record(request)) }
        }
        task = try await LocalServer.start(router, port: port)
    }

    func stop() { task?.cancel() }

    private func record(_ request: Request) async throws -> Recorded {
        let body = try await request.body.collect(upTo: 1 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
        let entry = Recorded(method: request.method.rawValue, path: request.uri.path, headers: headers, body: String(buffer: body))
        lock.withLock { recorded.append(entry) }
        return entry
    }

    private func stripe(_ request: Recorded) async throws -> Response {
        guard request.headers["authorization"] == "Bearer \(Self.stripeKey)" else {
            return Self.json(["error": ["type": "invalid_request_error", "message": "Invalid API Key provided"]], status: .unauthorized)
        }
        if let status = lock.withLock({ failStripeWith }) {
            return Self.json(["error": ["type": "api_error", "message": "Something went wrong"]], status: .init(code: status))
        }
        let form = Dictionary(FormEncoding.decode(request.body)) { $1 }
        switch request.path {
        case "/stripe/v1/checkout/sessions":
            let id = "cs_test_\(UUID().uuidString.prefix(8))"
            return Self.json(
                [
                    "id": .string(id), "object": "checkout.session", "url": .string("https://checkout.stripe.test/c/pay/\(id)"),
                    "metadata": ["userId": .string(form["metadata[userId]"] ?? ""), "plan": .string(form["metadata[plan]"] ?? "")],
                ], status: .ok)
        case "/stripe/v1/billing_portal/sessions":
            return Self.json(["id": "bps_1", "object": "billing_portal.session", "url": "https://billing.stripe.test/p/session/bps_1"], status: .ok)
        default:
            if request.path.hasPrefix("/stripe/v1/subscriptions/") {
                let id = String(request.path.dropFirst("/stripe/v1/subscriptions/".count))
                return Self.json(
                    ["id": .string(id), "object": "subscription", "cancel_at_period_end": .bool(form["cancel_at_period_end"] == "true")], status: .ok)
            }
            return Self.json(["error": ["type": "invalid_request_error", "message": "Unrecognized request URL"]], status: .notFound)
        }
    }

    private func paypal(_ request: Recorded) async throws -> Response {
        if request.path == "/paypal/v1/oauth2/token" {
            let expected = "Basic " + Data("\(Self.paypalClientID):\(Self.paypalSecret)".utf8).base64EncodedString()
            guard request.headers["authorization"] == expected, request.body == "grant_type=client_credentials" else {
                return Self.json(["error": "invalid_client"], status: .unauthorized)
            }
            return Self.json(["access_token": "A21AA-fake", "token_type": "Bearer", "expires_in": 32400], status: .ok)
        }
        guard request.headers["authorization"] == "Bearer A21AA-fake" else {
            return Self.json(["name": "AUTHENTICATION_FAILURE"], status: .unauthorized)
        }
        let body = (try? JSONDecoder().decode(JSONValue.self, from: Data(request.body.utf8))) ?? .null
        if request.path == "/paypal/v1/billing/subscriptions", request.method == "POST" {
            let id = "I-\(UUID().uuidString.prefix(12))"
            let custom = body["custom_id"]?.stringValue ?? ""
            let plan = body["plan_id"]?.stringValue ?? ""
            setPayPalSubscription(id, status: "APPROVAL_PENDING", customID: custom, planID: plan)
            return Self.json(
                [
                    "id": .string(id), "status": "APPROVAL_PENDING",
                    "links": [
                        [
                            "href": .string("https://www.sandbox.paypal.test/webapps/billing/subscriptions?ba_token=\(id)"), "rel": "approve",
                            "method": "GET",
                        ],
                        ["href": .string("\(base)/paypal/v1/billing/subscriptions/\(id)"), "rel": "self", "method": "GET"],
                    ],
                ], status: .created)
        }
        if request.path.hasPrefix("/paypal/v1/billing/subscriptions/") {
            let rest = String(request.path.dropFirst("/paypal/v1/billing/subscriptions/".count))
            if rest.hasSuffix("/cancel") { return Response(status: .noContent) }
            guard let subscription = lock.withLock({ paypalSubscriptions[rest] }) else {
                return Self.json(["name": "RESOURCE_NOT_FOUND"], status: .notFound)
            }
            return Self.json(subscription, status: .ok)
        }
        if request.path == "/paypal/v1/notifications/verify-webhook-signature" {
            let ok =
                body["transmission_sig"]?.stringValue == Self.goodPayPalSignature && body["webhook_id"]?.stringValue == Self.paypalWebhookID
                && body["webhook_event"]?["id"] != nil
            return Self.json(["verification_status": ok ? "SUCCESS" : "FAILURE"], status: .ok)
        }
        return Self.json(["name": "RESOURCE_NOT_FOUND"], status: .notFound)
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: value.encodedData())))
    }

    /// A `Stripe-Signature` header for `payload`, as Stripe computes it.
    static func stripeSignature(_ payload: String, secret: String = "whsec_fake", at time: Date = Date()) -> String {
        let timestamp = Int(time.timeIntervalSince1970)
        return "t=\(timestamp),v1=" + hmacHex(key: secret, message: "\(timestamp).\(payload)")
    }
}
