import AsyncHTTPClient
import Core
import Foundation
import TestSupport
import Testing

@testable import APIService

@Suite struct StripeWebhookTests {
    let webhook = StripeWebhook(secret: "whsec_fake", tolerance: .seconds(300), priceIDs: [.pro: "price_pro", .enterprise: "price_ent"])
    let payload = #"{"id":"evt_1","type":"customer.subscription.deleted","data":{"object":{"id":"sub_1"}}}"#

    @Test func acceptsStripesSignatureAndRefusesAnythingElse() throws {
        let bytes = Array(payload.utf8)
        try webhook.verify(payload: bytes, header: FakePaymentProviders.stripeSignature(payload))
        // Several v1 signatures (a rolled secret): one valid is enough.
        let now = Int(Date().timeIntervalSince1970)
        try webhook.verify(
            payload: bytes, header: "t=\(now),v1=\(String(repeating: "0", count: 64)),v1=\(hmacHex(key: "whsec_fake", message: "\(now).\(payload)"))")

        #expect(throws: BillingError.self) { try webhook.verify(payload: bytes, header: nil) }
        #expect(throws: BillingError.self) { try webhook.verify(payload: bytes, header: "garbage") }
        #expect(throws: BillingError.self) {
            try webhook.verify(payload: Array((payload + " ").utf8), header: FakePaymentProviders.stripeSignature(payload))
        }
        #expect(throws: BillingError.self) {
            try webhook.verify(payload: bytes, header: FakePaymentProviders.stripeSignature(payload, secret: "whsec_other"))
        }
        // Replayed after the 5-minute tolerance, or signed in the future.
        #expect(throws: BillingError.self) {
            try webhook.verify(payload: bytes, header: FakePaymentProviders.stripeSignature(payload, at: Date().addingTimeInterval(-301)))
        }
        #expect(throws: BillingError.self) {
            try webhook.verify(payload: bytes, header: FakePaymentProviders.stripeSignature(payload, at: Date().addingTimeInterval(301)))
        }
        try webhook.verify(payload: bytes, header: FakePaymentProviders.stripeSignature(payload, at: Date().addingTimeInterval(-290)))
    }

    @Test func readsTheEventsThatChangeASubscription() throws {
        let user = UUID()
        func parse(_ json: JSONValue) throws -> BillingEvent { try webhook.parse(Array(json.encodedData())) }
        let checkout = try parse([
            "id": "evt_c", "type": "checkout.session.completed",
            "data": [
                "object": [
                    "id": "cs_1", "customer": "cus_1", "subscription": "sub_1", "metadata": ["userId": .string(user.uuidString), "plan": "PRO"],
                ]
            ],
        ])
        #expect(checkout.eventID == "evt_c")
        #expect(
            checkout.change == .activated(userID: user, plan: .pro, customerID: "cus_1", subscriptionID: "sub_1", periodStart: nil, periodEnd: nil))

        // The period on the item (API 2025-03-31 and later), the plan from the price.
        let updated = try parse([
            "id": "evt_u", "type": "customer.subscription.updated",
            "data": [
                "object": [
                    "id": "sub_1", "status": "active", "cancel_at_period_end": true,
                    "items": ["data": [["price": ["id": "price_ent"], "current_period_start": 1_790_000_000, "current_period_end": 1_792_592_000]]],
                ]
            ],
        ])
        #expect(
            updated.change
                == .updated(
                    subscriptionID: "sub_1", plan: .enterprise, status: .active, cancelAtPeriodEnd: true,
                    periodStart: Date(timeIntervalSince1970: 1_790_000_000), periodEnd: Date(timeIntervalSince1970: 1_792_592_000)))
        // The period on the subscription (older API versions).
        let old = try parse([
            "id": "evt_o", "type": "customer.subscription.updated",
            "data": ["object": ["id": "sub_1", "status": "trialing", "current_period_end": 1_792_592_000]],
        ])
        #expect(
            old.change
                == .updated(
                    subscriptionID: "sub_1", plan: nil, status: .trial, cancelAtPeriodEnd: nil, periodStart: nil,
                    periodEnd: Date(timeIntervalSince1970: 1_792_592_000)))

        #expect(
            try parse(["id": "e", "type": "customer.subscription.deleted", "data": ["object": ["id": "sub_1"]]]).change
                == .ended(subscriptionID: "sub_1"))
        #expect(
            try parse([
                "id": "e", "type": "invoice.payment_failed", "data": ["object": ["parent": ["subscription_details": ["subscription": "sub_9"]]]],
            ]).change
                == .paymentFailed(subscriptionID: "sub_9"))
        #expect(
            try parse([
                "id": "e", "type": "invoice.payment_succeeded",
                "data": [
                    "object": [
                        "subscription": "sub_9",
                        "lines": ["data": [["period": ["start": 1_790_000_000, "end": 1_792_592_000]]]],
                    ]
                ],
            ]).change
                == .paymentSucceeded(
                    subscriptionID: "sub_9", periodStart: Date(timeIntervalSince1970: 1_790_000_000),
                    periodEnd: Date(timeIntervalSince1970: 1_792_592_000)))
        #expect(try parse(["id": "e", "type": "charge.refunded", "data": ["object": ["id": "ch_1"]]]).change == .ignored)
        #expect(throws: BillingError.self) { try parse(["id": "e", "type": "checkout.session.completed", "data": ["object": ["id": "cs"]]]) }
        #expect(throws: BillingError.self) { try webhook.parse(Array("not json".utf8)) }
    }
}

@Suite struct PaymentClientTests {
    func withFakes(_ body: @Sendable (FakePaymentProviders, BillingConfig, HTTPClient) async throws -> Void) async throws {
        let fake = try FakePaymentProviders()
        try await fake.start()
        defer { fake.stop() }
        let config = try BillingConfig(env: EnvironmentReader(fake.environment), frontendURL: "http://app.test")
        try await body(fake, config, HTTPClient.shared)
    }

    @Test func stripeCheckoutCarriesTheUserAndPlanInMetadata() async throws {
        try await withFakes { fake, config, http in
            let stripe = StripeClient(config: try #require(config.stripe), http: http, logger: quietLogger)
            let user = UUID()
            let session = try await stripe.createCheckoutSession(
                userID: user, email: "a@example.com", customerID: nil, plan: .enterprise, successURL: "http://app.test/ok",
                cancelURL: "http://app.test/no", idempotencyKey: "key-1")
            #expect(session.id.hasPrefix("cs_test_"))
            #expect(session.url.hasPrefix("https://checkout.stripe.test/"))
            let request = try #require(fake.requests("/stripe/v1/checkout/sessions").last)
            let form = Dictionary(FormEncoding.decode(request.body)) { $1 }
            #expect(form["mode"] == "subscription")
            #expect(form["line_items[0][price]"] == "price_ent")
            #expect(form["metadata[userId]"] == user.uuidString.lowercased())
            #expect(form["subscription_data[metadata][plan]"] == "ENTERPRISE")
            #expect(form["customer_email"] == "a@example.com")
            #expect(request.headers["idempotency-key"] == StripeClient.scopedKey("key-1", user: user, plan: .enterprise))

            #expect(try await stripe.createPortalSession(customerID: "cus_1", returnURL: "http://app.test").hasPrefix("https://billing.stripe.test/"))
            try await stripe.setCancelAtPeriodEnd(subscriptionID: "sub_1", true)
            #expect(fake.requests("/stripe/v1/subscriptions/sub_1").last?.body == "cancel_at_period_end=true")

            fake.failStripe(with: 500)
            await #expect(throws: BillingError.provider("Stripe answered 500")) {
                try await stripe.createPortalSession(customerID: "cus_1", returnURL: "x")
            }
        }
    }

    @Test func stripeUnreachableIsAProviderError() async throws {
        let port = try freePort()
        let config = try BillingConfig(
            env: EnvironmentReader(["STRIPE_SECRET_KEY": "sk", "STRIPE_API_BASE": "http://127.0.0.1:\(port)"]), frontendURL: "http://app.test")
        let stripe = StripeClient(config: try #require(config.stripe), http: HTTPClient.shared, logger: quietLogger)
        await #expect(throws: BillingError.provider("Stripe is unreachable")) {
            try await stripe.createPortalSession(customerID: "c", returnURL: "x")
        }
        await #expect(throws: BillingError.notConfigured("STRIPE_PRICE_ID_PRO")) {
            try await stripe.createCheckoutSession(
                userID: UUID(), email: "a@b.c", customerID: nil, plan: .pro, successURL: "", cancelURL: "", idempotencyKey: nil)
        }
    }

    @Test func paypalSubscriptionsAndWebhookVerification() async throws {
        try await withFakes { fake, config, http in
            let paypal = PayPalClient(config: try #require(config.paypal), http: http, logger: quietLogger)
            let user = UUID()
            let created = try await paypal.createSubscription(
                plan: .pro, userID: user, returnURL: "http://app.test/ok", cancelURL: "http://app.test/no")
            #expect(created.status == "APPROVAL_PENDING")
            #expect(created.approvalURL?.contains(created.id) == true)
            let read = try await paypal.subscription(id: created.id)
            #expect(read.customID == user.uuidString.lowercased())
            #expect(read.planID == "P-PRO")
            await #expect(throws: BillingError.notFound) { try await paypal.subscription(id: "I-UNKNOWN") }
            // One OAuth token serves every call until it nears expiry.
            #expect(fake.requests("/paypal/v1/oauth2/token").count == 1)

            let event: JSONValue = ["id": "WH-1", "event_type": "BILLING.SUBSCRIPTION.ACTIVATED", "resource": ["id": .string(created.id)]]
            var headers = [
                "paypal-auth-algo": "SHA256withRSA", "paypal-cert-url": "https://api.paypal.com/cert.pem",
                "paypal-transmission-id": "t-1", "paypal-transmission-time": "2026-11-27T00:00:00Z",
                "paypal-transmission-sig": FakePaymentProviders.goodPayPalSignature,
            ]
            try await paypal.verifyWebhook(headers: headers, event: event)
            headers["paypal-transmission-sig"] = "forged"
            await #expect(throws: BillingError.self) { try await paypal.verifyWebhook(headers: headers, event: event) }
            headers["paypal-transmission-sig"] = nil
            await #expect(throws: BillingError.invalidWebhook("missing PAYPAL-TRANSMISSION-SIG")) {
                try await paypal.verifyWebhook(headers: headers, event: event)
            }
        }
    }

    @Test func paypalEventsBecomeSubscriptionChanges() throws {
        let user = UUID()
        let plans: [PaidPlan: String] = [.pro: "P-PRO", .enterprise: "P-ENT"]
        let activated = try PayPalWebhook.parse(
            [
                "id": "WH-2", "event_type": "BILLING.SUBSCRIPTION.ACTIVATED",
                "resource": [
                    "id": "I-1", "custom_id": .string(user.uuidString.lowercased()), "plan_id": "P-ENT", "start_time": "2026-11-01T00:00:00Z",
                    "billing_info": ["next_billing_time": "2026-12-01T00:00:00Z"],
                ],
            ], plans: plans)
        #expect(
            activated.change
                == .activated(
                    userID: user, plan: .enterprise, customerID: nil, subscriptionID: "I-1", periodStart: ISO8601.parse("2026-11-01T00:00:00Z"),
                    periodEnd: ISO8601.parse("2026-12-01T00:00:00Z")))
        #expect(
            try PayPalWebhook.parse(["id": "W", "event_type": "BILLING.SUBSCRIPTION.CANCELLED", "resource": ["id": "I-1"]], plans: plans).change
                == .updated(subscriptionID: "I-1", plan: nil, status: .cancelled, cancelAtPeriodEnd: true, periodStart: nil, periodEnd: nil))
        #expect(
            try PayPalWebhook.parse(["id": "W", "event_type": "BILLING.SUBSCRIPTION.EXPIRED", "resource": ["id": "I-1"]], plans: plans).change
                == .ended(subscriptionID: "I-1"))
        #expect(
            try PayPalWebhook.parse(["id": "W", "event_type": "PAYMENT.SALE.COMPLETED", "resource": ["billing_agreement_id": "I-1"]], plans: plans)
                .change
                == .paymentSucceeded(subscriptionID: "I-1", periodStart: nil, periodEnd: nil))
        #expect(throws: BillingError.self) { try PayPalWebhook.parse(["event_type": "X"], plans: plans) }
    }
}
