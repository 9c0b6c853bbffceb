import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import APIService

/// The subscription and webhook routes against fake Stripe and PayPal servers.
@Suite struct BillingRoutesTests {
    func withBilling(_ body: @Sendable (FakePaymentProviders, APIHarness, any TestClientProtocol) async throws -> Void) async throws {
        let fake = try FakePaymentProviders()
        try await fake.start()
        defer { fake.stop() }
        try await APIHarness.run(fake.environment) { harness, client in try await body(fake, harness, client) }
    }

    func status(_ client: any TestClientProtocol, _ auth: HTTPFields) async throws -> JSONValue {
        try await client.execute(uri: "/api/v1/subscription/status", method: .get, headers: auth) { $0.json["data"] ?? .null }
    }

    func balance(_ client: any TestClientProtocol, _ auth: HTTPFields) async throws -> Int? {
        try await client.execute(uri: "/api/v1/credits", method: .get, headers: auth) { $0.json["data"]?["balance"]?.intValue }
    }

    func stripeEvent(_ client: any TestClientProtocol, _ event: JSONValue, signature: String? = nil) async throws -> (HTTPResponse.Status, JSONValue)
    {
        let payload = String(decoding: event.encodedData(), as: UTF8.self)
        let header = signature ?? FakePaymentProviders.stripeSignature(payload)
        return try await client.execute(
            uri: "/api/webhooks/stripe", method: .post, headers: [.contentType: "application/json", .stripeSignature: header],
            body: ByteBuffer(string: payload)
        ) { ($0.status, $0.json) }
    }

    static func checkoutCompleted(_ user: UUID, plan: String = "PRO", subscription: String, event: String = "evt_\(UUID().uuidString)") -> JSONValue {
        [
            "id": .string(event), "type": "checkout.session.completed",
            "data": [
                "object": [
                    "id": "cs_1", "customer": .string("cus_\(subscription)"), "subscription": .string(subscription),
                    "metadata": ["userId": .string(user.uuidString.lowercased()), "plan": .string(plan)],
                ]
            ],
        ]
    }

    /// Stripe replays a key for the whole account: the same key from two users (or for two
    /// plans) must reach Stripe as different keys, or one user gets the other's session.
    @Test func idempotencyKeysReachStripeScopedByUserAndPlan() async throws {
        try await withBilling { fake, harness, client in
            func checkout(_ auth: HTTPFields, _ plan: String, key: String) async throws -> String? {
                try await client.execute(
                    uri: "/api/subscription/checkout", method: .post,
                    headers: auth.merging([.contentType: "application/json", .init("Idempotency-Key")!: key]),
                    body: ByteBuffer(string: #"{"plan":"\#(plan)"}"#)
                ) { #expect($0.status == .ok) }
                return fake.requests("/stripe/v1/checkout/sessions").last?.headers["idempotency-key"]
            }
            let (_, alice) = try await harness.user()
            let (_, mallory) = try await harness.user()
            let key = "checkout-\(UUID().uuidString)"
            let first = try #require(try await checkout(alice, "PRO", key: key))
            #expect(first != key)
            #expect(try await checkout(alice, "PRO", key: key) == first)
            #expect(try await checkout(mallory, "PRO", key: key) != first)
            #expect(try await checkout(alice, "ENTERPRISE", key: key) != first)
            try await client.execute(
                uri: "/api/subscription/checkout", method: .post,
                headers: alice.merging([.contentType: "application/json", .init("Idempotency-Key")!: String(repeating: "k", count: 300)]),
                body: ByteBuffer(string: #"{"plan":"PRO"}"#)
            ) { #expect($0.status == .badRequest) }
        }
    }

    @Test func checkoutReturnsTheStripeSessionAndRefusesUnknownPlans() async throws {
        try await withBilling { fake, harness, client in
            let (id, auth) = try await harness.user()
            try await client.execute(
                uri: "/api/subscription/checkout", method: .post, headers: auth.merging([.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"plan":"PRO"}"#)
            ) { response in
                #expect(response.status == .ok)
                #expect(response.json["data"]?["sessionId"]?.stringValue?.hasPrefix("cs_test_") == true)
                #expect(response.json["data"]?["url"]?.stringValue?.hasPrefix("https://checkout.stripe.test/") == true)
            }
            let form = Dictionary(FormEncoding.decode(try #require(fake.requests("/stripe/v1/checkout/sessions").last).body)) { $1 }
            #expect(form["metadata[userId]"] == id.uuidString.lowercased())
            for body in [#"{"plan":"FREE"}"#, #"{"plan":"GOLD"}"#, #"{}"#, #"{"plan":3}"#] {
                try await client.execute(
                    uri: "/api/v1/subscription/checkout", method: .post, headers: auth.merging([.contentType: "application/json"]),
                    body: ByteBuffer(string: body)
                ) { response in
                    #expect(response.status == .badRequest, "\(body)")
                    #expect(response.json["error"]?["code"] == "VALIDATION_ERROR")
                }
            }
            fake.failStripe(with: 500)
            try await client.execute(
                uri: "/api/v1/subscription/checkout", method: .post, headers: auth.merging([.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"plan":"ENTERPRISE"}"#)
            ) { response in
                #expect(response.status == .badGateway)
                #expect(response.json["success"] == false)
            }
        }
    }

    /// The plan is matched in any case, as every enumerated field of a request body.
    @Test func checkoutTakesThePlanInAnyCase() async throws {
        try await withBilling { fake, harness, client in
            let (_, auth) = try await harness.user()
            try await client.execute(
                uri: "/api/subscription/checkout", method: .post, headers: auth.merging([.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"plan":" enterprise "}"#)
            ) { #expect($0.status == .ok) }
            let form = Dictionary(FormEncoding.decode(try #require(fake.requests("/stripe/v1/checkout/sessions").last).body)) { $1 }
            #expect(form["metadata[plan]"] == "ENTERPRISE")
        }
    }

    @Test func aSignedCheckoutEventUpgradesOnceAndABadSignatureChangesNothing() async throws {
        try await withBilling { _, harness, client in
            let (id, auth) = try await harness.user()
            #expect(try await balance(client, auth) == 200)
            let event = Self.checkoutCompleted(id, subscription: "sub_\(UUID().uuidString.prefix(8))")

            let forged = try await stripeEvent(client, event, signature: FakePaymentProviders.stripeSignature("{}"))
            #expect(forged.0 == .badRequest)
            #expect(forged.1["error"]?["code"] == "VALIDATION_ERROR")
            let stale = String(decoding: event.encodedData(), as: UTF8.self)
            #expect(
                try await stripeEvent(client, event, signature: FakePaymentProviders.stripeSignature(stale, at: Date().addingTimeInterval(-400))).0
                    == .badRequest)
            #expect(try await status(client, auth)["tier"] == "FREE")

            let accepted = try await stripeEvent(client, event)
            #expect(accepted.0 == .ok)
            #expect(accepted.1["data"]?["received"] == true)
            // Stripe retries deliveries: the same event id changes nothing again.
            #expect(try await stripeEvent(client, event).0 == .ok)
            let after = try await status(client, auth)
            #expect(after["tier"] == "PRO")
            #expect(after["status"] == "ACTIVE")
            #expect(after["paymentProvider"] == "stripe")
            #expect(after["limits"]?["articles"] == 100)
            #expect(try await balance(client, auth) == 200 + 3000)
            let grants = try await TestUsers.integer(
                "SELECT count(*)::int FROM credit_ledger WHERE user_id = \(id) AND reason = 'plan_grant'", on: harness.database)
            #expect(grants == 2)
        }
    }

    @Test func subscriptionUpdatesCancellationAndDeletionFollowStripe() async throws {
        try await withBilling { fake, harness, client in
            let (id, auth) = try await harness.user()
            let subscription = "sub_\(UUID().uuidString.prefix(8))"
            #expect(try await stripeEvent(client, Self.checkoutCompleted(id, subscription: subscription)).0 == .ok)

            // Cancel through the API: at Stripe first, then here.
            try await client.execute(uri: "/api/subscription/cancel", method: .post, headers: auth) { response in
                #expect(response.status == .ok)
            }
            #expect(fake.requests("/stripe/v1/subscriptions/\(subscription)").last?.body == "cancel_at_period_end=true")
            var current = try await status(client, auth)
            #expect(current["status"] == "CANCELLED")
            #expect(current["cancelAtPeriodEnd"] == true)
            #expect(current["tier"] == "PRO")
            #expect(current["isActive"] == true)
            try await client.execute(uri: "/api/subscription/reactivate", method: .post, headers: auth) { #expect($0.status == .ok) }
            #expect(try await status(client, auth)["status"] == "ACTIVE")

            // A plan change in the customer portal arrives as subscription.updated.
            let end = Int(Date().addingTimeInterval(20 * 86_400).timeIntervalSince1970)
            let updated: JSONValue = [
                "id": .string("evt_\(UUID().uuidString)"), "type": "customer.subscription.updated",
                "data": [
                    "object": [
                        "id": .string(subscription), "status": "active", "cancel_at_period_end": false,
                        "items": [
                            "data": [
                                ["price": ["id": "price_ent"], "current_period_start": .int(end - 30 * 86_400), "current_period_end": .int(end)]
                            ]
                        ],
                    ]
                ],
            ]
            #expect(try await stripeEvent(client, updated).0 == .ok)
            current = try await status(client, auth)
            #expect(current["tier"] == "ENTERPRISE")

            try await client.execute(uri: "/api/subscription/portal", method: .post, headers: auth) { response in
                #expect(response.json["data"]?["url"]?.stringValue?.hasPrefix("https://billing.stripe.test/") == true)
            }

            let deleted: JSONValue = [
                "id": .string("evt_\(UUID().uuidString)"), "type": "customer.subscription.deleted", "data": ["object": ["id": .string(subscription)]],
            ]
            #expect(try await stripeEvent(client, deleted).0 == .ok)
            current = try await status(client, auth)
            #expect(current["tier"] == "FREE")
            #expect(current["status"] == "ACTIVE")
            try await client.execute(uri: "/api/subscription/cancel", method: .post, headers: auth) { response in
                #expect(response.status == .ok || response.status == .conflict)
            }
        }
    }

    @Test func nothingToCancelOrNoBillingAccountIsAConflict() async throws {
        try await withBilling { _, harness, client in
            let (_, auth) = try await harness.user()
            for path in ["/api/subscription/cancel", "/api/subscription/reactivate", "/api/subscription/portal"] {
                try await client.execute(uri: path, method: .post, headers: auth) { response in
                    #expect(response.status == .conflict, "\(path)")
                    #expect(response.json["error"]?["code"] == "CONFLICT")
                }
            }
        }
    }

    @Test func paypalCheckoutAndExecuteCheckOwnershipAndApproval() async throws {
        try await withBilling { fake, harness, client in
            let (id, auth) = try await harness.user()
            let (_, otherAuth) = try await harness.user()
            let subscriptionID = try await client.execute(
                uri: "/api/subscription/paypal/checkout", method: .post, headers: auth.merging([.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"plan":"PRO"}"#)
            ) { response in
                #expect(response.status == .ok)
                #expect(response.json["data"]?["status"] == "APPROVAL_PENDING")
                #expect(response.json["data"]?["approvalUrl"]?.stringValue?.contains("paypal") == true)
                return try #require(response.json["data"]?["subscriptionId"]?.stringValue)
            }
            // A cancelled approval returns to /subscription?canceled=true, which
            // features/account/Subscription.js L70-78 reads.
            let createdBody = try #require(fake.requests("/paypal/v1/billing/subscriptions").last { $0.method == "POST" }?.body)
            let created = try JSONDecoder().decode(JSONValue.self, from: Data(createdBody.utf8))
            #expect(created["application_context"]?["cancel_url"]?.stringValue?.hasSuffix("/subscription?canceled=true") == true)
            func execute(_ headers: HTTPFields) async throws -> (HTTPResponse.Status, JSONValue) {
                try await client.execute(
                    uri: "/api/v1/subscription/paypal/execute", method: .post, headers: headers.merging([.contentType: "application/json"]),
                    body: ByteBuffer(string: #"{"subscriptionId":"\#(subscriptionID)","token":"EC-1"}"#)
                ) { ($0.status, $0.json) }
            }
            // Not approved yet.
            #expect(try await execute(auth).0 == .conflict)
            fake.setPayPalSubscription(subscriptionID, status: "ACTIVE", customID: id.uuidString.lowercased(), planID: "P-PRO")
            // Someone else's subscription does not exist for them.
            #expect(try await execute(otherAuth).0 == .notFound)
            let (status, body) = try await execute(auth)
            #expect(status == .ok)
            #expect(body["data"] == ["subscriptionId": .string(subscriptionID), "status": "ACTIVE", "plan": "PRO"])
            let current = try await self.status(client, auth)
            #expect(current["tier"] == "PRO")
            #expect(current["paymentProvider"] == "paypal")
            // Executing again pays nothing twice.
            #expect(try await execute(auth).0 == .ok)
            #expect(try await balance(client, auth) == 3200)
            #expect(try await self.status(client, otherAuth)["tier"] == "FREE")
        }
    }

    @Test func paypalWebhooksAreVerifiedWithPayPalBeforeAnyChange() async throws {
        try await withBilling { fake, harness, client in
            let (id, auth) = try await harness.user()
            let subscriptionID = "I-\(UUID().uuidString.prefix(10))"
            let event: JSONValue = [
                "id": .string("WH-\(UUID().uuidString)"), "event_type": "BILLING.SUBSCRIPTION.ACTIVATED",
                "resource": [
                    "id": .string(subscriptionID), "custom_id": .string(id.uuidString.lowercased()), "plan_id": "P-ENT", "status": "ACTIVE",
                ],
            ]
            func send(signature: String?) async throws -> HTTPResponse.Status {
                var headers: HTTPFields = [.contentType: "application/json"]
                headers[HTTPField.Name("PAYPAL-AUTH-ALGO")!] = "SHA256withRSA"
                headers[HTTPField.Name("PAYPAL-CERT-URL")!] = "https://api.paypal.com/v1/notifications/certs/CERT"
                headers[HTTPField.Name("PAYPAL-TRANSMISSION-ID")!] = "tx-1"
                headers[HTTPField.Name("PAYPAL-TRANSMISSION-TIME")!] = "2026-11-27T06:00:00Z"
                if let signature { headers[HTTPField.Name("PAYPAL-TRANSMISSION-SIG")!] = signature }
                return try await client.execute(
                    uri: "/api/webhooks/paypal", method: .post, headers: headers, body: ByteBuffer(data: event.encodedData())
                ) { $0.status }
            }
            #expect(try await send(signature: "forged") == .badRequest)
            #expect(try await send(signature: nil) == .badRequest)
            #expect(try await status(client, auth)["tier"] == "FREE")
            #expect(try await send(signature: FakePaymentProviders.goodPayPalSignature) == .ok)
            #expect(try await send(signature: FakePaymentProviders.goodPayPalSignature) == .ok)
            #expect(try await status(client, auth)["tier"] == "ENTERPRISE")
            #expect(try await balance(client, auth) == 200 + 15_000)
            _ = fake
        }
    }

    @Test func webhooksWithoutConfigurationAreUnavailable() async throws {
        try await APIHarness.run { _, client in
            let json: HTTPFields = [.contentType: "application/json"]
            try await client.execute(uri: "/api/webhooks/stripe", method: .post, headers: json, body: ByteBuffer(string: "{}")) { response in
                #expect(response.status == .serviceUnavailable)
            }
            try await client.execute(uri: "/api/webhooks/paypal", method: .post, headers: json, body: ByteBuffer(string: "{}")) { response in
                #expect(response.status == .serviceUnavailable)
            }
        }
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var copy = self
        for field in other { copy[field.name] = field.value }
        return copy
    }
}
