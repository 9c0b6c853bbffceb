import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

@testable import AuthService

/// The auth service's user cache follows PostgreSQL's change feed: an account deactivated
/// elsewhere (another replica, the API's admin routes, psql) loses access at once rather
/// than when its cached row expires (issue #15).
@Suite struct UserChangeFeedTests {
    @Test func aUserDeactivatedInTheDatabaseIsRefusedBeforeTheCacheExpires() async throws {
        let harness = try await AuthHarness(["USER_CACHE_TTL_SECONDS": "30"])
        let user = try await harness.createUser()
        let token = try await harness.token(for: user)
        try await harness.app().test(.router) { client in
            try await client.execute(uri: "/users/me", method: .get, headers: bearer(token)) { #expect($0.status == .ok) }
            // Written past this process, as another replica or psql would.
            try await TestDatabase.with(url: harness.config.core.database.urlString) { database in
                try await database.client.query("UPDATE users SET is_active = false WHERE id = \(user.id)", logger: database.logger)
            }
            var status = HTTPResponse.Status.ok
            let deadline = ContinuousClock.now + .seconds(5)
            while status == .ok, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                status = try await client.execute(uri: "/users/me", method: .get, headers: bearer(token)) { $0.status }
            }
            #expect(status == .unauthorized)
        }
    }
}
