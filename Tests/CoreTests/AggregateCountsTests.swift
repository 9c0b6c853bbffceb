import Core
import Foundation
import PostgresNIO
import TestSupport
import Testing

/// The counts kept on write (`aggregate_counts`, `credit_balances.ledger_rows`): after
/// any mix of writes, bulk and concurrent, they equal an exact count of the rows.
@Suite struct AggregateCountsTests {
    static func kept(_ database: Database) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        // Folded and unfolded deltas alike; a fold halfway changes nothing.
        try await database.client.query("SELECT nova_compact_counts()", logger: database.logger)
        for try await (key, count) in try await database.client.query(
            """
            SELECT key, sum(count)::bigint FROM (SELECT key, count FROM aggregate_counts UNION ALL SELECT key, delta FROM aggregate_count_deltas) c
            GROUP BY key HAVING sum(count) <> 0
            """, logger: database.logger
        ).decode((String, Int).self) {
            counts[key] = count
        }
        return counts
    }

    static func exact(_ database: Database) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for try await (key, count) in try await database.client.query(
            """
            SELECT 'users', count(*)::bigint FROM users HAVING count(*) > 0
            UNION ALL
            SELECT nova_subscription_key(plan, status, cancel_at_period_end), count(*)::bigint FROM subscriptions GROUP BY 1
            """, logger: database.logger
        ).decode((String, Int).self) {
            counts[key] = count
        }
        return counts
    }

    static func ledgerRowsDisagreeing(_ database: Database) async throws -> Int {
        try await TestUsers.integer(
            """
            SELECT count(*)::int FROM credit_balances b
            WHERE b.ledger_rows <> (SELECT count(*) FROM credit_ledger l WHERE l.user_id = b.user_id)
            """, on: database)
    }

    @Test func countsFollowEveryKindOfWrite() async throws {
        let url = try await TestDatabase.makeMigrated()
        try await TestUsers.withDatabase(poolSize: 8, url: url) { database in
            let sql: @Sendable (PostgresQuery) async throws -> Void = { try await database.client.query($0, logger: database.logger) }
            #expect(try await Self.kept(database) == Self.exact(database))
            // A bulk insert of users and their subscriptions, in one statement each.
            try await sql(
                "INSERT INTO users (email, hashed_password) SELECT 'count' || n || '@example.com', 'x' FROM generate_series(1, 300) AS n")
            try await sql(
                """
                INSERT INTO subscriptions (user_id, plan, status, current_period_start, current_period_end)
                SELECT id, (ARRAY['FREE', 'PRO', 'ENTERPRISE'])[1 + abs(hashtext(email)) % 3], 'ACTIVE', now(), now() + interval '1 month'
                FROM users WHERE email LIKE 'count%'
                """)
            #expect(try await Self.kept(database) == Self.exact(database))
            // Concurrent single-row changes across buckets (in both directions, so that two
            // transactions would deadlock if they took the count rows in different orders).
            var ids: [UUID] = []
            for try await id in try await database.client.query(
                "SELECT id FROM users WHERE email LIKE 'count%' ORDER BY email", logger: database.logger
            )
            .decode(UUID.self) {
                ids.append(id)
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, id) in ids.prefix(120).enumerated() {
                    group.addTask {
                        try await database.transaction { runner in
                            let plan = ["FREE", "PRO", "ENTERPRISE"][index % 3]
                            let status = ["ACTIVE", "CANCELLED", "EXPIRED", "TRIAL"][index % 4]
                            try await runner.run(
                                """
                                UPDATE subscriptions SET plan = \(plan), status = \(status), cancel_at_period_end = \(index % 5 == 0)
                                WHERE user_id = \(id)
                                """, logger: database.logger)
                            // An update that changes no count touches no count row.
                            try await runner.run("UPDATE subscriptions SET grant_reference = 'x' WHERE user_id = \(id)", logger: database.logger)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await Self.kept(database) == Self.exact(database))
            // Deleting users deletes their subscriptions too (a cascade fires the triggers).
            try await sql("DELETE FROM users WHERE email LIKE 'count1%'")
            #expect(try await Self.kept(database) == Self.exact(database))

            // Ledger rows per user: single, bulk and removed rows.
            let some = Array(ids.suffix(20))
            for id in some {
                try await database.transaction { runner in
                    try await CreditLedger(logger: database.logger).apply(userID: id, delta: 5, reason: .adminAdjust, reference: "a", on: runner)
                }
            }
            try await sql(
                """
                INSERT INTO credit_ledger (user_id, delta, reason, reference, balance_after)
                SELECT id, 0, 'refund', 'bulk' || n, 5 FROM users, generate_series(1, 7) AS n WHERE id = ANY(\(some))
                """)
            try await sql("DELETE FROM credit_ledger WHERE reference IN ('bulk1', 'bulk2') AND user_id = ANY(\(some))")
            #expect(try await Self.ledgerRowsDisagreeing(database) == 0)
            #expect(try await TestUsers.integer("SELECT ledger_rows::int FROM credit_balances WHERE user_id = \(some[0])", on: database) == 6)
        }
        try await TestDatabase.drop(url)
    }

    /// Keeping a count over all users must not make writers wait for each other: a
    /// registration still open does not hold up another one.
    @Test func writersOfTheCountsDoNotWaitForEachOther() async throws {
        let url = try await TestDatabase.makeMigrated()
        try await TestUsers.withDatabase(poolSize: 4, url: url) { database in
            let open = AsyncStream<Void>.makeStream()
            let release = AsyncStream<Void>.makeStream()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await database.transaction { runner in
                        try await runner.run("INSERT INTO users (email, hashed_password) VALUES ('held@example.com', 'x')", logger: database.logger)
                        try await runner.run(
                            """
                            INSERT INTO subscriptions (user_id, plan, status, current_period_start, current_period_end)
                            SELECT id, 'FREE', 'ACTIVE', now(), now() + interval '1 month' FROM users WHERE email = 'held@example.com'
                            """, logger: database.logger)
                        open.continuation.yield()
                        for await _ in release.stream { break }
                    }
                }
                for await _ in open.stream { break }
                // While that transaction is open, another registration goes through at once.
                try await database.transaction { runner in
                    try await runner.run("SET LOCAL lock_timeout = '2s'", logger: database.logger)
                    try await runner.run("INSERT INTO users (email, hashed_password) VALUES ('other@example.com', 'x')", logger: database.logger)
                    try await runner.run(
                        """
                        INSERT INTO subscriptions (user_id, plan, status, current_period_start, current_period_end)
                        SELECT id, 'FREE', 'ACTIVE', now(), now() + interval '1 month' FROM users WHERE email = 'other@example.com'
                        """, logger: database.logger)
                }
                release.continuation.yield()
                try await group.waitForAll()
            }
            #expect(try await Self.kept(database) == Self.exact(database))
        }
        try await TestDatabase.drop(url)
    }
}
