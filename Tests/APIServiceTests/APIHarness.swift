import Core
import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import APIService

/// The API service on the shared test database, plus direct database access and tokens.
struct APIHarness {
    let database: Database
    let tokens: TokenService

    /// `isolatedDatabase`: a fresh database of its own, for tests that change what every
    /// other test relies on (the platform's AI settings).
    /// `setup`: `.live` to go through a real HTTP server (concurrency tests).
    static func run(
        _ overrides: [String: String] = [:], isolatedDatabase: Bool = false, setup: TestingSetup = .router,
        _ body: @Sendable (APIHarness, any TestClientProtocol) async throws -> Void
    ) async throws {
        let url = isolatedDatabase ? try await TestDatabase.makeMigrated() : try await TestDatabase.migratedURL()
        let config = try APIConfig(env: testEnvironment(databaseURL: url, ["RATE_LIMIT_ENABLED": "false"].merging(overrides) { $1 }))
        let app = try await buildAPIApplication(config: config, logger: quietLogger)
        let tokens = await TokenService(secret: testSecret)
        try await TestUsers.withDatabase(url: url) { database in
            try await app.test(setup) { client in
                try await body(APIHarness(database: database, tokens: tokens), client)
            }
        }
        if isolatedDatabase { try await TestDatabase.drop(url) }
    }

    /// A user and the bearer header of their access token.
    func user(referredBy: UUID? = nil, email: String? = nil) async throws -> (UUID, HTTPFields) {
        let id = try await TestUsers.create(on: database, email: email, referredBy: referredBy)
        return (id, [.authorization: "Bearer \(try await tokens.accessToken(for: id))"])
    }
}

extension JSONValue {
    var intValue: Int? {
        if case .int(let value) = self { return value }
        return nil
    }

    var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }
}
