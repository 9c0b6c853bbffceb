import Core
import Foundation
import HummingbirdTesting
import TestSupport
import Testing

@testable import AuthService

/// The auth service's registration and verification pay the credits of API.md in their
/// own transactions (through Core's `AccountLifecycle`).
@Suite struct CreditsOnSignupTests {
    static func balance(_ id: UUID, _ harness: AuthHarness) async throws -> Int {
        try await TestDatabase.with(url: harness.config.core.database.urlString) { database in
            try await CreditLedger(logger: database.logger).balance(userID: id, on: database.client).balance
        }
    }

    /// Read through a client of its own: the harness's dependencies are not running.
    static func user(email: String, _ harness: AuthHarness) async throws -> UserRecord? {
        try await TestDatabase.with(url: harness.config.core.database.urlString) { database in
            try await UserStore(database: database).user(email: email, on: database.client)
        }
    }

    @Test func registrationAndVerificationPayBonusesAndReferralRewardsOnce() async throws {
        let harness = try await AuthHarness()
        let referrerEmail = AuthHarness.uniqueEmail("referrer")
        let refereeEmail = AuthHarness.uniqueEmail("referee")
        try await harness.app().test(.router) { client in
            try await client.postJSON("/auth/register", ["email": .string(referrerEmail), "password": .string(AuthHarness.password)]) {
                #expect($0.status == .created)
            }
            guard let referrer = try await Self.user(email: referrerEmail, harness),
                let code = referrer.referralCode
            else {
                Issue.record("the referrer was not stored with a code")
                return
            }
            try await client.postJSON(
                "/auth/register",
                ["email": .string(refereeEmail), "password": .string(AuthHarness.password), "referral_code": .string(code)]
            ) { #expect($0.status == .created) }
            guard let referee = try await Self.user(email: refereeEmail, harness) else {
                Issue.record("the referee was not stored")
                return
            }
            // FREE plan's first monthly grant (200) + signup bonus (50).
            #expect(try await Self.balance(referee.id, harness) == 250)
            let token = try await harness.dependencies.tokens.verifyToken(for: referee.id, email: referee.email)
            try await client.postJSON("/auth/verify", ["token": .string(token)]) { #expect($0.status == .ok) }
            try await client.postJSON("/auth/verify", ["token": .string(token)]) { #expect($0.status == .badRequest) }
            #expect(try await Self.balance(referee.id, harness) == 250 + 25 + 100)
            #expect(try await Self.balance(referrer.id, harness) == 250 + 200)
        }
    }
}
