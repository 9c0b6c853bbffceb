import Core
import Foundation
import Logging
import PostgresNIO

/// The real PostgreSQL the tests run against (`TEST_DATABASE_URL`, provided by
/// `scripts/test`). Tests never mock the database.
public enum TestDatabase {
    public struct MissingDatabase: Error, CustomStringConvertible {
        public var description: String {
            "TEST_DATABASE_URL is not set: run the tests with ./scripts/test, which starts a local PostgreSQL"
        }
    }

    public static func url() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"], !url.isEmpty else {
            throw MissingDatabase()
        }
        return url
    }

    /// The shared test database, with the schema applied once per process.
    public static func migratedURL() async throws -> String {
        let url = try url()
        try await MigrationOnce.shared.run(url: url)
        return url
    }

    /// A new, empty database on the same server; for tests that need a blank slate.
    public static func makeEmpty() async throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try await withAdminDatabase { database in
            try await database.client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \"\(name)\""), logger: database.logger)
        }
        var components = URLComponents(string: try url())!
        components.path = "/" + name
        return components.string!
    }

    /// A new database with the schema applied. Dropped with the test server at the end of
    /// the run (scripts/test starts a fresh cluster database each time).
    public static func makeMigrated() async throws -> String {
        let url = try await makeEmpty()
        try await with(url: url) { database in
            try await SchemaMigrator(database: database).migrate()
        }
        return url
    }

    public static func drop(_ url: String) async throws {
        let name = try DatabaseURL(url).database
        try await withAdminDatabase { database in
            try await database.client.query(
                PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)"), logger: database.logger)
        }
    }

    /// Runs `body` against the test database with a running client.
    public static func with<T: Sendable>(url: String, _ body: @Sendable (Database) async throws -> T) async throws -> T {
        var logger = Logger(label: "test-db")
        logger.logLevel = .error
        let database = try Database(url: DatabaseURL(url), poolSize: 2, logger: logger)
        return try await database.withRunningClient(body)
    }

    static func withAdminDatabase(_ body: @Sendable (Database) async throws -> Void) async throws {
        var components = URLComponents(string: try url())!
        components.path = "/postgres"
        try await with(url: components.string!, body)
    }
}

actor MigrationOnce {
    static let shared = MigrationOnce()
    var done: Set<String> = []

    func run(url: String) async throws {
        guard !done.contains(url) else { return }
        try await TestDatabase.with(url: url) { database in
            try await SchemaMigrator(database: database).migrate()
        }
        done.insert(url)
    }
}
