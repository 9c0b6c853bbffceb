import Core
import Foundation
import HTTPTypes
import TestSupport
import Testing

@Suite struct MeteredWorkTests {
    struct ProviderFailed: Error {}

    @Test func failedWorkCostsNothingAndARetriedKeyRunsOnceAndChargesOnce() async throws {
        try await TestUsers.withDatabase { database in
            let id = try await CreditReservationTests.makeAccount(database)
            let reservations = CreditReservations(database: database)
            let ledger = CreditLedger(logger: database.logger)
            await #expect(throws: ProviderFailed.self) {
                try await reservations.perform(userID: id, feature: "research", idempotencyKey: "q-1") { _ in throw ProviderFailed() }
            }
            let untouched = try await ledger.balance(userID: id, on: database.client)
            #expect(untouched.balance == 250 && untouched.reserved == 0 && untouched.lifetimeSpent == 0)
            let first = try await reservations.perform(userID: id, feature: "research", idempotencyKey: "q-1") { hold in
                ["summary": "grounded", "credits": .int(hold.credits)]
            }
            let retry = try await reservations.perform(userID: id, feature: "research", idempotencyKey: "q-1") { _ in
                Issue.record("a replayed request must not run again")
                return .null
            }
            #expect(first == ["summary": "grounded", "credits": 5])
            #expect(retry == first)
            #expect(try await ledger.balance(userID: id, on: database.client).balance == 245)
            #expect(try await TestUsers.integer("SELECT used FROM usage_counters WHERE user_id = \(id) AND quota = 'research'", on: database) == 1)
        }
    }

    @Test func creditErrorsRenderInTheEnvelope() throws {
        let renderer = EnvelopeErrorRenderer()
        let payment = try #require(renderer.render(CreditError.insufficientCredits(required: 10, balance: 3)))
        #expect(payment.status.code == 402)
        #expect(payment.body["error"]?["code"] == "INSUFFICIENT_CREDITS")
        #expect(payment.body["error"]?["details"] == ["required": 10, "balance": 3])
        let quota = try #require(
            renderer.render(CreditError.quotaExceeded(feature: "articles", currentUsage: 10, limit: 10, remaining: 0, plan: .free)))
        #expect(quota.status == .forbidden)
        #expect(quota.body["error"]?["details"] == ["feature": "articles", "currentUsage": 10, "limit": 10, "remaining": 0, "plan": "FREE"])
        let feature = try #require(renderer.render(CreditError.featureNotAvailable(feature: "videos", plan: .free, requiredPlan: .pro)))
        #expect(feature.status == .forbidden)
        #expect(feature.body["error"]?["code"] == "FEATURE_NOT_AVAILABLE")
        #expect(feature.body["error"]?["details"] == ["feature": "videos", "plan": "FREE", "requiredPlan": "PRO"])
        #expect(renderer.render(CreditError.requestInProgress)?.status == .conflict)
    }
}
