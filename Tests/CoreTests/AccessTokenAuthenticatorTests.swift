import Core
import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import TestSupport
import Testing

/// An in-memory directory that counts lookups, to check the cache.
final class CountingDirectory: UserDirectory {
    let users: NIOLockedValueBox<[UUID: UserRecord]>
    let lookups = NIOLockedValueBox(0)

    init(_ users: [UserRecord]) {
        self.users = NIOLockedValueBox(Dictionary(uniqueKeysWithValues: users.map { ($0.id, $0) }))
    }

    func user(id: UUID) async throws -> UserRecord? {
        lookups.withLockedValue { $0 += 1 }
        return users.withLockedValue { $0[id] }
    }
}

@Suite struct AccessTokenAuthenticatorTests {
    let active = UserRecord(id: UUID(), email: "active@example.com", hashedPassword: "x")
    let inactive = UserRecord(id: UUID(), email: "inactive@example.com", hashedPassword: "x", isActive: false)

    func makeApp(directory: any UserDirectory, tokens: TokenService, acceptsCookie: Bool = true) async throws -> some ApplicationProtocol {
        let config = try CoreConfig(env: testEnvironment(databaseURL: "postgres://postgres@127.0.0.1:1/none"), defaultPort: 0)
        let foundation = try await ServiceFoundation(name: "test", config: config, logger: quietLogger)
        let router = foundation.makeRouter(renderer: EnvelopeErrorRenderer())
        let authenticator = AccessTokenAuthenticator(tokens: tokens, users: directory, acceptsCookie: acceptsCookie)
        router.group("/private").add(middleware: RequireUserMiddleware(authenticator: authenticator)).get("/whoami") { _, context in
            try context.requireUser().email
        }
        return foundation.makeApplication(router: router)
    }

    @Test func bearerHeaderOrAccessTokenCookie() async throws {
        let tokens = await TokenService(secret: testSecret)
        let token = try await tokens.accessToken(for: active.id)
        try await makeApp(directory: CountingDirectory([active]), tokens: tokens).test(.router) { client in
            try await client.execute(uri: "/private/whoami", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .ok)
                #expect(response.text == "active@example.com")
            }
            try await client.execute(uri: "/private/whoami", method: .get, headers: [.cookie: "access_token=\(token)"]) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/private/whoami", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.json["error"]?["code"] == "UNAUTHORIZED")
            }
            try await client.execute(uri: "/private/whoami", method: .get, headers: [.authorization: "Basic abc"]) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test func expiredAndInvalidTokensHaveTheirOwnCodes() async throws {
        let past = Date().addingTimeInterval(-3600)
        let oldTokens = await TokenService(secret: testSecret, accessTokenLifetime: .seconds(60), now: { past })
        let expired = try await oldTokens.accessToken(for: active.id)
        let forged = try await TokenService(secret: "some-other-secret-0123456789abcdef").accessToken(for: active.id)
        try await makeApp(directory: CountingDirectory([active]), tokens: await TokenService(secret: testSecret)).test(.router) { client in
            try await client.execute(uri: "/private/whoami", method: .get, headers: [.authorization: "Bearer \(expired)"]) { response in
                #expect(response.status == .unauthorized)
                #expect(response.json["error"]?["code"] == "TOKEN_EXPIRED")
            }
            try await client.execute(uri: "/private/whoami", method: .get, headers: [.authorization: "Bearer \(forged)"]) { response in
                #expect(response.status == .unauthorized)
                #expect(response.json["error"]?["code"] == "INVALID_TOKEN")
            }
        }
    }

    @Test func unknownAndInactiveUsersAreRefused() async throws {
        let tokens = await TokenService(secret: testSecret)
        let inactiveToken = try await tokens.accessToken(for: inactive.id)
        let unknownToken = try await tokens.accessToken(for: UUID())
        try await makeApp(directory: CountingDirectory([active, inactive]), tokens: tokens).test(.router) { client in
            for token in [inactiveToken, unknownToken] {
                try await client.execute(uri: "/private/whoami", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.json["error"]?["code"] == "UNAUTHORIZED")
                }
            }
        }
    }

    @Test func cachedDirectoryServesRepeatsUntilTheTTL() async throws {
        let base = CountingDirectory([active])
        let now = NIOLockedValueBox(ContinuousClock.now)
        let cached = CachedUserDirectory(base: base, ttl: .seconds(30), clock: { now.withLockedValue { $0 } })
        _ = try await cached.user(id: active.id)
        _ = try await cached.user(id: active.id)
        #expect(base.lookups.withLockedValue { $0 } == 1)
        now.withLockedValue { $0 = $0.advanced(by: .seconds(31)) }
        _ = try await cached.user(id: active.id)
        #expect(base.lookups.withLockedValue { $0 } == 2)
        cached.invalidate(id: active.id)
        _ = try await cached.user(id: active.id)
        #expect(base.lookups.withLockedValue { $0 } == 3)
    }
}
