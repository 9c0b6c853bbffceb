import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import AuthService

/// Builds the auth service against the real test database, and creates users in the
/// states fastapi-users' own suite uses (active, inactive, verified, superuser).
struct AuthHarness {
    let config: AuthConfig
    let dependencies: AuthDependencies
    let foundation: ServiceFoundation

    static let password = "correct horse battery"

    /// `isolatedDatabase`: a fresh database of its own, for tests whose background work
    /// (the e-mail sender) must not share rows with other tests running in parallel.
    init(_ overrides: [String: String] = [:], isolatedDatabase: Bool = false) async throws {
        let url = isolatedDatabase ? try await TestDatabase.makeMigrated() : try await TestDatabase.migratedURL()
        // bcrypt cost 4 keeps the suite fast; the cost-10 contract has its own test.
        config = try AuthConfig(env: testEnvironment(databaseURL: url, ["BCRYPT_COST": "4"].merging(overrides) { $1 }))
        foundation = try await ServiceFoundation(name: "AuthService", config: config.core, logger: quietLogger)
        dependencies = try await makeAuthDependencies(config: config, foundation: foundation)
    }

    func app() async throws -> some ApplicationProtocol {
        try await buildAuthApplication(config: config, logger: quietLogger)
    }

    static func uniqueEmail(_ prefix: String = "user") -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())@example.com"
    }

    /// Inserts a user directly, with the given flags.
    @discardableResult
    func createUser(
        email: String = AuthHarness.uniqueEmail(), password: String = AuthHarness.password, active: Bool = true,
        verified: Bool = false, superuser: Bool = false, hash: String? = nil
    ) async throws -> UserRecord {
        let dependencies = self.dependencies
        var hashed = hash ?? ""
        if hash == nil { hashed = try await dependencies.passwords.hash(password) }
        let finalHash = hashed
        return try await TestDatabase.with(url: config.core.database.urlString) { database in
            let store = UserStore(database: database)
            let user = try await store.create(
                .init(email: email, hashedPassword: finalHash, isVerified: verified, isSuperuser: superuser), on: database.client)
            if !active {
                return try await store.update(id: user.id, .init(isActive: false), on: database.client) ?? user
            }
            return user
        }
    }

    func token(for user: UserRecord) async throws -> String {
        try await dependencies.tokens.accessToken(for: user.id)
    }

    func user(id: UUID) async throws -> UserRecord? {
        try await TestDatabase.with(url: config.core.database.urlString) { database in
            try await UserStore(database: database).user(id: id, on: database.client)
        }
    }

    /// Rows of `email_outbox` for an address, oldest first.
    func outbox(to address: String) async throws -> [(kind: String, text: String, status: String)] {
        try await TestDatabase.with(url: config.core.database.urlString) { database in
            var result: [(kind: String, text: String, status: String)] = []
            let rows = try await database.client.query(
                "SELECT kind, text_body, status FROM email_outbox WHERE lower(to_address) = lower(\(address)) ORDER BY created_at")
            for try await (kind, text, status) in rows.decode((String, String, String).self) {
                result.append((kind, text, status))
            }
            return result
        }
    }

    /// The token in the newest outbox link of `kind` for `address`.
    func mailedToken(kind: String, to address: String) async throws -> String? {
        guard let text = try await outbox(to: address).last(where: { $0.kind == kind })?.text else { return nil }
        return Self.token(inLinkOf: text)
    }

    static func token(inLinkOf text: String) -> String? {
        guard let range = text.range(of: "token=") else { return nil }
        let rest = text[range.upperBound...]
        return String(rest.prefix { !$0.isWhitespace }).removingPercentEncoding
    }
}

extension DatabaseURL {
    /// Rebuilds a URL string (tests only pass TCP URLs around).
    var urlString: String {
        switch endpoint {
        case .tcp(let host, let port):
            let credentials = password.map { "\(username):\($0)" } ?? username
            return "postgres://\(credentials)@\(host):\(port)/\(database)"
        case .unixSocket(let path):
            return "postgres://\(username)@/\(database)?host=\((path as NSString).deletingLastPathComponent)"
        }
    }
}

extension TestClientProtocol {
    /// POST a JSON body.
    func postJSON(_ uri: String, _ body: JSONValue, headers: HTTPFields = [:], test: @escaping @Sendable (TestResponse) async throws -> Void)
        async throws
    {
        var headers = headers
        headers[.contentType] = "application/json"
        try await execute(uri: uri, method: .post, headers: headers, body: .json(body), testCallback: test)
    }

    @discardableResult
    func login<Result: Sendable>(
        _ username: String, _ password: String, test: @escaping @Sendable (TestResponse) async throws -> Result
    ) async throws -> Result {
        let body =
            "username=\(username.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? username)&password=\(password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? password)"
        return try await execute(
            uri: "/auth/jwt/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: body), testCallback: test)
    }
}

func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }
