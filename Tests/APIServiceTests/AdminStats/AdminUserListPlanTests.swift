import Core
import Foundation
import PostgresNIO
import TestSupport
import Testing

@testable import APIService

/// GET /admin/users stays flat in the size of `users`: its page and its search are served
/// by indexes. On a test-sized table the planner prefers a scan, so the plans are taken
/// with sequential scans disabled: what is checked is that an index can serve each query
/// (with a plain `strpos` search, none could).
@Suite struct AdminUserListPlanTests {
    /// The plan of `query` with `disabled` plan types off (in a transaction, so the
    /// settings end with it).
    func plan(_ query: PostgresQuery, disabling disabled: [String], _ database: Database) async throws -> String {
        try await database.client.withTransaction(logger: database.logger) { connection in
            for setting in disabled {
                _ = try await connection.query(PostgresQuery(unsafeSQL: "SET LOCAL \(setting) = off"), logger: database.logger)
            }
            var lines: [String] = []
            let rows = try await connection.query(PostgresQuery(unsafeSQL: "EXPLAIN " + query.sql, binds: query.binds), logger: database.logger)
            for try await line in rows.decode(String.self) { lines.append(line) }
            return lines.joined(separator: "\n")
        }
    }

    @Test func thePageAndTheSearchAreServedByIndexes() async throws {
        try await TestUsers.withDatabase { database in
            let page = try await plan(AdminUserStore.pageQuery(pattern: nil, limit: 20, offset: 0), disabling: ["enable_seqscan"], database)
            #expect(page.contains("users_created_at_idx"), "\(page)")
            // Without a table scan or a walk of another index, only the trigram indexes
            // can answer the search.
            let search = try await plan(
                AdminUserStore.countQuery(pattern: AdminUserStore.pattern("bulk99999")), disabling: ["enable_seqscan", "enable_indexscan"], database)
            #expect(search.contains("users_email_trgm_idx") && search.contains("users_name_trgm_idx"), "\(search)")
            #expect(!search.contains("Seq Scan on users"), "\(search)")
        }
    }

    /// `%` and `_` in a search are the characters themselves, not LIKE wildcards.
    @Test func wildcardsInASearchAreLiteral() async throws {
        try await APIHarness.run { harness, client in
            let (_, auth) = try await harness.adminUser()
            let tag = UUID().uuidString.prefix(8).lowercased()
            _ = try await harness.user(email: "under_\(tag)@example.com")
            _ = try await harness.user(email: "underx\(tag)@example.com")
            let found = try await exchange(client, .get, "/api/v1/admin/users?search=under_\(tag)", auth)
            let emails = (found.json["data"]?["users"]?.arrayValue ?? found.json["data"]?["items"]?.arrayValue ?? []).compactMap {
                $0["email"]?.stringValue
            }
            #expect(emails == ["under_\(tag)@example.com"], "\(found.json)")
        }
    }
}
