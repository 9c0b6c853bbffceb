import Crypto
import Foundation
import Logging
import PostgresNIO

/// Applies `schema.sql` (embedded in the binary at build time) to the database.
///
/// Both services may start at the same moment against an empty database, so the whole
/// script runs in one transaction that first takes a transaction-scoped advisory lock:
/// the second process waits, then finds the script's checksum recorded and does nothing.
public struct SchemaMigrator: Sendable {
    /// An arbitrary constant shared by every process that migrates this schema.
    static let advisoryLockKey: Int64 = 0x4E6F_7661_5846  // "NovaXF"

    public static var schemaSQL: String { String(decoding: PackageResources.schema_sql, as: UTF8.self) }

    let database: Database
    let sql: String

    public init(database: Database, sql: String = SchemaMigrator.schemaSQL) {
        self.database = database
        self.sql = sql
    }

    public var checksum: String {
        Hex.sha256(sql)
    }

    /// Returns true when the script was applied, false when this exact script had been
    /// applied before.
    @discardableResult
    public func migrate() async throws -> Bool {
        let checksum = self.checksum
        let statements = SQLScript.statements(in: sql)
        let logger = database.logger
        let applied = try await database.client.withTransaction(logger: logger) { connection -> Bool in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.advisoryLockKey))", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS schema_migrations (checksum text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                logger: logger)
            let rows = try await connection.query("SELECT 1 FROM schema_migrations WHERE checksum = \(checksum)", logger: logger)
            for try await _ in rows { return false }
            for statement in statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.query("INSERT INTO schema_migrations (checksum) VALUES (\(checksum))", logger: logger)
            return true
        }
        logger.info(applied ? "database schema applied" : "database schema up to date", metadata: ["checksum": "\(checksum.prefix(12))"])
        return applied
    }
}
