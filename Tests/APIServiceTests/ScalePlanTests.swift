import Foundation
import PostgresNIO
import TestSupport
import Testing

@testable import APIService
@testable import Core

/// The lists, searches and reports that grow with the tables are served by indexes and
/// kept counts, never by reading a big table through: every query's plan, on a database
/// seeded large enough for the planner to prefer an index where one serves, has no
/// sequential scan of a table that grows with users or their history.
/// (scripts/bench-scale.sh measures the same queries at a million users.)
@Suite struct ScalePlanTests {
    static let bigTables: Set<String> = ["users", "subscriptions", "credit_balances", "credit_ledger", "articles", "usage_counters"]

    /// The relations a plan reads by sequential scan.
    static func sequentialScans(_ query: PostgresQuery, _ database: Database) async throws -> [String] {
        var explain = query
        explain.sql = "EXPLAIN (FORMAT JSON) " + query.sql
        var text = ""
        for try await plan in try await database.client.query(explain, logger: database.logger).decode(String.self) { text = plan }
        func scans(_ node: JSONValue) -> [String] {
            var found: [String] = []
            if node["Node Type"] == "Seq Scan", let relation = node["Relation Name"]?.stringValue { found.append(relation) }
            for child in node["Plans"]?.arrayValue ?? [] { found += scans(child) }
            return found
        }
        let document = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        return (document.arrayValue ?? []).flatMap { $0["Plan"].map(scans) ?? [] }
    }

    @Test func listsSearchesAndReportsReadNoBigTableThrough() async throws {
        let url = try await TestDatabase.makeMigrated()
        try await TestUsers.withDatabase(url: url) { database in
            let heavy = try await TestUsers.create(on: database)
            // The seed bench-scale.sh uses, at 20,000 users.
            let seed = try String(contentsOfFile: Self.seedPath, encoding: .utf8)
                .replacingOccurrences(of: ":'heavy'", with: "'\(heavy.uuidString.lowercased())'")
                .replacingOccurrences(of: ":users", with: "20000").replacingOccurrences(of: ":ledger", with: "200000")
                .replacingOccurrences(of: ":articles", with: "2000")
                .split(separator: "\n").filter { !$0.hasPrefix("\\") }.joined(separator: "\n")
            for statement in seed.components(separatedBy: ";\n") where !statement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                let lines = statement.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
                guard !lines.isEmpty else { continue }
                try await database.client.query(PostgresQuery(unsafeSQL: lines.joined(separator: "\n")), logger: database.logger)
            }
            try await database.client.query("UPDATE subscriptions SET grant_reference = 'seeded' WHERE user_id = \(heavy)", logger: database.logger)
            let after = TimeCursor(createdAt: Date().addingTimeInterval(-10_000), id: UUID())
            let queries: [(String, PostgresQuery)] = [
                ("admin users, first page", AdminUserStore.pageQuery(pattern: nil, limit: 20, offset: 0)),
                ("admin users, after a cursor", AdminUserStore.pageQuery(pattern: nil, limit: 20, offset: 0, after: after)),
                ("admin users, search", AdminUserStore.pageQuery(pattern: AdminUserStore.pattern("bulk1999"), limit: 20, offset: 0)),
                ("admin users, search count", AdminUserStore.countQuery(pattern: AdminUserStore.pattern("bulk1999"))),
                ("admin counts", AggregateCounts.readQuery),
                ("credit history, first page", CreditLedger.historyQuery(userID: heavy, limit: 20, offset: 0, before: nil)),
                ("credit history, after a cursor", CreditLedger.historyQuery(userID: heavy, limit: 20, offset: 0, before: 150_000)),
                ("credit history total", "SELECT ledger_rows FROM credit_balances WHERE user_id = \(heavy)"),
                ("articles, first page", ArticleStore.pageQuery(userID: heavy, status: nil, limit: 20, offset: 0, after: nil)),
                ("articles, after a cursor", ArticleStore.pageQuery(userID: heavy, status: "DRAFT", limit: 20, offset: 0, after: after)),
                ("articles count", ArticleStore.countQuery(userID: heavy, status: "PUBLISHED")),
                ("credits spent this period", UsageStore.creditsSpentQuery(userID: heavy)),
                ("daily series", UsageStore.dailySeriesQuery(userID: heavy, days: 30)),
            ]
            for (name, query) in queries {
                let scanned = try await Self.sequentialScans(query, database).filter(Self.bigTables.contains)
                #expect(scanned.isEmpty, "\(name) reads \(scanned) through")
            }
        }
        try await TestDatabase.drop(url)
    }

    static var seedPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/lib/seed-scale.sql").path
    }
}
