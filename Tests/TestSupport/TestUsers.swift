import Core
import Foundation
import Logging
import PostgresNIO

/// Rows of `users` written straight to the database, for tests of code that only reads
/// accounts (the API service, credits).
public enum TestUsers {
    public struct NoRow: Error {}

    /// A new user with a unique e-mail; returns its id.
    @discardableResult
    public static func create(
        on database: Database, email: String? = nil, referredBy: UUID? = nil, referralCode: String? = nil, verified: Bool = false,
        role: String = "user"
    ) async throws -> UUID {
        let address = email ?? "user-\(UUID().uuidString.prefix(12).lowercased())@example.com"
        let rows = try await database.client.query(
            """
            INSERT INTO users (email, hashed_password, referred_by, referral_code, is_verified, role, is_superuser)
            VALUES (\(address), 'not-a-hash', \(referredBy), \(referralCode), \(verified), \(role), \(role == "admin")) RETURNING id
            """, logger: database.logger)
        for try await id in rows.decode(UUID.self) { return id }
        throw NoRow()
    }

    /// A running database client for the duration of `body`, with a pool large enough for
    /// concurrency tests.
    public static func withDatabase<T: Sendable>(
        poolSize: Int = 8, url given: String? = nil, _ body: @Sendable (Database) async throws -> T
    ) async throws -> T {
        let url: String
        if let given { url = given } else { url = try await TestDatabase.migratedURL() }
        var logger = Logger(label: "test-db")
        logger.logLevel = .error
        let database = try Database(url: DatabaseURL(url), poolSize: poolSize, logger: logger)
        return try await database.withRunningClient(body)
    }

    /// One integer from a query (counts, sums).
    public static func integer(_ query: PostgresQuery, on database: Database) async throws -> Int {
        for try await value in try await database.client.query(query, logger: database.logger).decode(Int?.self) { return value ?? 0 }
        return 0
    }
}
