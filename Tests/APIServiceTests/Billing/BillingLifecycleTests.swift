import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import APIService

/// Money follows each provider's lifecycle: one grant per paid period however often the
/// provider restates it, no new period (nor grant) before the renewal is paid, and no plan
/// before PayPal has taken the first payment.
@Suite struct BillingLifecycleTests {
    let routes = BillingRoutesTests()

    /// The tests change periods in SQL, so no cached subscription may hide that.
    func withBilling(_ body: @Sendable (FakePaymentProviders, APIHarness, any TestClientProtocol) async throws -> Void) async throws {
        let fake = try FakePaymentProviders()
        try await fake.start()
        defer { fake.stop() }
        try await APIHarness.run(fake.environment.merging(["SUBSCRIPTION_CACHE_TTL_SECONDS": "0"]) { $1 }) { harness, client in
            try await body(fake, harness, client)
        }
    }

    func grants(_ harness: APIHarness, _ user: UUID) async throws -> Int {
        try await TestUsers.integer("SELECT count(*)::int FROM credit_ledger WHERE user_id = \(user) AND reason = 'plan_grant'", on: harness.database)
    }

    func event(_ type: String, _ object: JSONValue) -> JSONValue {
        ["id": .string("evt_\(UUID().uuidString)"), "type": .string(type), "data": ["object": object]]
    }

    @Test func stripeRestatingThePeriodPaysNoSecondGrantAndRenewalsPayOne() async throws {
        try await withBilling { fake, harness, client in
            let (id, auth) = try await harness.user()
            let subscription = "sub_\(UUID().uuidString.prefix(8))"
            #expect(try await routes.stripeEvent(client, BillingRoutesTests.checkoutCompleted(id, subscription: subscription)).0 == .ok)
            #expect(try await routes.balance(client, auth) == 200 + 3000)

            // Stripe's own view of the same period, a few seconds before our checkout time.
            let start = Int(Date().timeIntervalSince1970) - 7
            let end = Int(SubscriptionStore.addMonth(to: Date(timeIntervalSince1970: Double(start))).timeIntervalSince1970)
            for _ in 0..<2 {
                let updated = event(
                    "customer.subscription.updated",
                    [
                        "id": .string(subscription), "status": "active", "cancel_at_period_end": false,
                        "items": ["data": [["price": ["id": "price_pro"], "current_period_start": .int(start), "current_period_end": .int(end)]]],
                    ])
                #expect(try await routes.stripeEvent(client, updated).0 == .ok)
            }
            #expect(try await routes.balance(client, auth) == 200 + 3000, "the same month is the same grant")

            // The renewal invoice is paid: the next month, one grant.
            let next = Int(SubscriptionStore.addMonth(to: Date(timeIntervalSince1970: Double(end))).timeIntervalSince1970)
            let paid =
                [
                    "subscription": JSONValue.string(subscription), "amount_paid": 2900, "currency": "usd",
                    "lines": ["data": [["period": ["start": .int(end), "end": .int(next)]]]],
                ] as JSONValue
            #expect(try await routes.stripeEvent(client, event("invoice.paid", paid)).0 == .ok)
            #expect(try await routes.stripeEvent(client, event("invoice.payment_succeeded", paid)).0 == .ok)
            #expect(try await routes.balance(client, auth) == 200 + 3000 + 3000)
            #expect(try await grants(harness, id) == 3)
            _ = fake
        }
    }

    @Test func aProviderBilledPeriodDoesNotRollOverBeforeTheRenewalIsPaid() async throws {
        try await withBilling { fake, harness, client in
            let (id, auth) = try await harness.user()
            let subscription = "sub_\(UUID().uuidString.prefix(8))"
            #expect(try await routes.stripeEvent(client, BillingRoutesTests.checkoutCompleted(id, subscription: subscription)).0 == .ok)
            // The month is over and Stripe has not been paid (yet): no new period, no credits.
            try await harness.database.client.query(
                """
                UPDATE subscriptions SET current_period_start = now() - interval '1 month 1 hour', current_period_end = now() - interval '1 hour',
                    billing_anchor = now() - interval '1 month 1 hour'
                WHERE user_id = \(id)
                """)
            #expect(try await routes.balance(client, auth) == 200 + 3000)
            let status = try await routes.status(client, auth)
            #expect(status["tier"] == "PRO")
            #expect(status["isActive"] == false)
            #expect(try await grants(harness, id) == 2)
            // The card is declined: still nothing.
            let failed = ["subscription": JSONValue.string(subscription), "amount_due": 2900, "currency": "usd"] as JSONValue
            #expect(try await routes.stripeEvent(client, event("invoice.payment_failed", failed)).0 == .ok)
            #expect(try await routes.balance(client, auth) == 200 + 3000)
            // Stripe gives up: FREE.
            #expect(try await routes.stripeEvent(client, event("customer.subscription.deleted", ["id": .string(subscription)])).0 == .ok)
            #expect(try await routes.status(client, auth)["tier"] == "FREE")
            _ = fake
        }
    }

    @Test func paypalChangesThePlanOnlyOnceThePaymentIsTakenAndRenewsOnTheSale() async throws {
        try await withBilling { fake, harness, client in
            let (id, auth) = try await harness.user()
            let subscriptionID = "I-\(UUID().uuidString.prefix(10))"
            fake.setPayPalSubscription(subscriptionID, status: "APPROVED", customID: id.uuidString.lowercased(), planID: "P-PRO")
            try await client.execute(
                uri: "/api/subscription/paypal/execute", method: .post, headers: auth.merging([.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"subscriptionId":"\#(subscriptionID)","token":"EC-1"}"#)
            ) { response in
                #expect(response.status == .conflict)
                #expect(response.json["error"]?["message"]?.stringValue?.contains("first payment") == true)
            }
            #expect(try await routes.status(client, auth)["tier"] == "FREE")
            #expect(try await routes.balance(client, auth) == 200)

            fake.setPayPalSubscription(subscriptionID, status: "ACTIVE", customID: id.uuidString.lowercased(), planID: "P-PRO")
            try await client.execute(
                uri: "/api/subscription/paypal/execute", method: .post, headers: auth.merging([.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"subscriptionId":"\#(subscriptionID)","token":"EC-1"}"#)
            ) { #expect($0.status == .ok) }
            #expect(try await routes.balance(client, auth) == 3200)

            // The first sale, at activation, pays the period already granted.
            #expect(try await sale(client, subscriptionID) == .ok)
            #expect(try await routes.balance(client, auth) == 3200)
            // At the next billing time, the renewal sale starts the next month and its grant.
            try await harness.database.client.query(
                """
                UPDATE subscriptions SET current_period_start = now() - interval '1 month' + interval '2 hours',
                    billing_anchor = now() - interval '1 month' + interval '2 hours', current_period_end = now() + interval '2 hours'
                WHERE user_id = \(id)
                """)
            #expect(try await sale(client, subscriptionID) == .ok)
            #expect(try await routes.balance(client, auth) == 6200)
            #expect(try await grants(harness, id) == 3)
        }
    }

    func sale(_ client: any TestClientProtocol, _ subscriptionID: String) async throws -> HTTPResponse.Status {
        let event: JSONValue = [
            "id": .string("WH-\(UUID().uuidString)"), "event_type": "PAYMENT.SALE.COMPLETED",
            "resource": [
                "id": .string("SALE-\(UUID().uuidString.prefix(8))"), "billing_agreement_id": .string(subscriptionID),
                "amount": ["total": "29.00", "currency": "USD"], "state": "completed",
            ],
        ]
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[HTTPField.Name("PAYPAL-AUTH-ALGO")!] = "SHA256withRSA"
        headers[HTTPField.Name("PAYPAL-CERT-URL")!] = "https://api.paypal.com/v1/notifications/certs/CERT"
        headers[HTTPField.Name("PAYPAL-TRANSMISSION-ID")!] = "tx-\(UUID().uuidString.prefix(6))"
        headers[HTTPField.Name("PAYPAL-TRANSMISSION-TIME")!] = "2026-11-27T06:00:00Z"
        headers[HTTPField.Name("PAYPAL-TRANSMISSION-SIG")!] = FakePaymentProviders.goodPayPalSignature
        return try await client.execute(uri: "/api/webhooks/paypal", method: .post, headers: headers, body: ByteBuffer(data: event.encodedData())) {
            $0.status
        }
    }
}
