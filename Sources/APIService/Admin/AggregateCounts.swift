import Core
import Foundation
import PostgresNIO

/// The counts kept on write over all users (`aggregate_counts`, schema.sql): users, and
/// subscriptions by plan, status and renewal. Writers only append deltas; reading first
/// folds them in, so what is read is a handful of rows however many users there are.
struct AggregateCounts: Sendable {
    let database: Database

    /// Every count by key ("users", "subscriptions:<plan>:<status>:<renewing|cancelling>").
    func read() async throws -> [String: Int] {
        try await database.client.query("SELECT nova_compact_counts()", logger: database.logger)
        var counts: [String: Int] = [:]
        for try await (key, count) in try await database.client.query(Self.readQuery, logger: database.logger).decode((String, Int).self) {
            counts[key] = count
        }
        return counts
    }

    /// The folded counts and the deltas appended since the fold.
    static let readQuery: PostgresQuery = """
        SELECT key, sum(count)::bigint FROM (
            SELECT key, count FROM aggregate_counts UNION ALL SELECT key, delta FROM aggregate_count_deltas
        ) AS counts GROUP BY key
        """
}
