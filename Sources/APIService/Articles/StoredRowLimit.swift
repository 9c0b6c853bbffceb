import Core
import Foundation
import Logging
import PostgresNIO

/// The per-user bound on stored content (articles, drafts): one user cannot fill the
/// database. The count stops at the limit, so the check costs the same however many rows
/// the table holds. Concurrent creates may pass it together and end a few rows over; the
/// bound is about exhaustion, not an exact quota.
enum StoredRowLimit {
    static func ensureRoom(table: String, userID: UUID, limit: Int, noun: String, database: Database, logger: Logger) async throws {
        let rows = try await database.client.query(
            "SELECT count(*)::int FROM (SELECT 1 FROM \(unescaped: table) WHERE user_id = \(userID) LIMIT \(limit)) AS kept", logger: logger)
        for try await count in rows.decode(Int.self) where count >= limit {
            throw CoreError.conflict("You keep the maximum of \(limit) \(noun): delete some before adding more")
        }
    }
}
