import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

@testable import APIService

/// GET /me is a read: an account without a referral code gets one on its first /me, and
/// after that /me writes nothing, although the user cache still holds the row read before
/// the code was assigned.
@Suite struct MeReadsOnlyTests {
    @Test func meAssignsAMissingReferralCodeOnceAndThenOnlyReads() async throws {
        try await APIHarness.run { harness, client in
            let (id, auth) = try await harness.user()
            _ = try await harness.sqlText("UPDATE users SET referral_code = NULL WHERE id = \(id) RETURNING 'x'")
            let first = try await exchange(client, .get, "/api/v1/me", auth)
            let code = try #require(first.json["data"]?["referralCode"]?.stringValue)
            // `xmin` changes with every write of the row, even one that keeps its values.
            let version = try await harness.sqlText("SELECT xmin::text FROM users WHERE id = \(id)")
            for _ in 0..<3 {
                let again = try await exchange(client, .get, "/api/me", auth)
                #expect(again.json["data"]?["referralCode"]?.stringValue == code)
            }
            #expect(try await harness.sqlText("SELECT xmin::text FROM users WHERE id = \(id)") == version)
        }
    }
}
