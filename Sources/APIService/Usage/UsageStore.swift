import Core
import Foundation
import Logging
import PostgresNIO

/// Reads `tool_usage` for the caller's usage routes (/token-usage/stats, /stats).
struct UsageStore: Sendable {
    let database: Database
    var logger: Logger { database.logger }

    /// `/token-usage/stats` windows: rolling, ending now.
    enum Window: String, Sendable, CaseIterable {
        case day, week, month

        var days: Int {
            switch self {
            case .day: 1
            case .week: 7
            case .month: 30
            }
        }
    }

    struct Totals: Sendable, Equatable {
        var tokens = 0
        var operations = 0
    }

    struct TokenStats: Sendable {
        var total = Totals()
        var byAction: [String: Totals] = [:]
        var byProvider: [String: Totals] = [:]
        var bySource: [String: Totals] = [:]
        var records: [Record] = []
    }

    /// One `tool_usage` row, newest first in `TokenStats.records`.
    struct Record: Sendable, Equatable {
        var id: Int
        var tool: String
        var provider: String?
        var model: String?
        var tokensUsed: Int
        var credits: Int
        var status: String
        var source: String
        var metadata: JSONValue
        var createdAt: Date
    }

    static let maximumRecords = 50

    func tokenStats(userID: UUID, since: Date) async throws -> TokenStats {
        var stats = TokenStats()
        // One grouped pass; GROUPING SETS keeps the three breakdowns and the total consistent.
        let rows = try await database.client.query(
            """
            SELECT GROUPING(tool, provider, source)::int, tool, coalesce(provider, 'unknown'), source,
                   coalesce(sum(tokens_used), 0)::bigint, count(*)::bigint
            FROM tool_usage WHERE user_id = \(userID) AND created_at >= \(since)
            GROUP BY GROUPING SETS ((tool), (provider), (source), ())
            """, logger: logger)
        for try await (grouping, tool, provider, source, tokens, count) in rows.decode((Int, String?, String, String?, Int, Int).self) {
            let totals = Totals(tokens: tokens, operations: count)
            // GROUPING bits: tool 4, provider 2, source 1 (1 = column aggregated away).
            switch grouping {
            case 0b011: if let tool { stats.byAction[tool] = totals }
            case 0b101: stats.byProvider[provider] = totals
            case 0b110: if let source { stats.bySource[source] = totals }
            case 0b111: stats.total = totals
            default: break
            }
        }
        let records = try await database.client.query(
            """
            SELECT id, tool, provider, model, tokens_used, credits, status, source, metadata::text, created_at
            FROM tool_usage WHERE user_id = \(userID) AND created_at >= \(since)
            ORDER BY created_at DESC, id DESC LIMIT \(Self.maximumRecords)
            """, logger: logger)
        for try await (id, tool, provider, model, tokens, credits, status, source, metadata, created) in records.decode(
            (Int, String, String?, String?, Int, Int, String, String, String, Date).self)
        {
            stats.records.append(
                Record(
                    id: id, tool: tool, provider: provider, model: model, tokensUsed: tokens, credits: credits, status: status, source: source,
                    metadata: Self.decodeJSON(metadata), createdAt: created))
        }
        return stats
    }

    /// Settled use per quota in the user's stored current period (joined, not passed in:
    /// a cached period start may be a microsecond off and would match no counter).
    func quotaUsage(userID: UUID) async throws -> [String: Int] {
        var used: [String: Int] = [:]
        let rows = try await database.client.query(
            """
            SELECT counter.quota, counter.used FROM usage_counters counter
            JOIN subscriptions subscription
              ON subscription.user_id = counter.user_id AND counter.period_start = subscription.current_period_start
            WHERE counter.user_id = \(userID)
            """, logger: logger)
        for try await (quota, count) in rows.decode((String, Int).self) { used[quota] = count }
        return used
    }

    /// Credits spent in the current period: usage debits less refunds, never below zero.
    func creditsSpent(userID: UUID) async throws -> Int {
        for try await value in try await database.client.query(Self.creditsSpentQuery(userID: userID), logger: logger).decode(Int.self) {
            return value
        }
        return 0
    }

    /// The period's rows are found by `credit_ledger_user_created_idx`, not by reading the
    /// user's whole ledger.
    static func creditsSpentQuery(userID: UUID) -> PostgresQuery {
        """
        SELECT greatest(coalesce(sum(-ledger.delta), 0), 0)::bigint FROM credit_ledger ledger
        WHERE ledger.user_id = \(userID) AND ledger.reason IN ('usage', 'refund')
          AND ledger.created_at >= (SELECT current_period_start FROM subscriptions WHERE user_id = \(userID))
        """
    }

    struct Day: Sendable, Equatable {
        var date: String
        var operations: Int
        var tokens: Int
        var credits: Int
    }

    /// The last `days` UTC days, oldest first, every day present (zeros when idle).
    /// Operations and tokens come from `tool_usage`, credits from the usage debits kept per
    /// day (`credit_spend_by_day`).
    func dailySeries(userID: UUID, days: Int) async throws -> [Day] {
        let rows = try await database.client.query(Self.dailySeriesQuery(userID: userID, days: days), logger: logger)
        var series: [Day] = []
        for try await (date, operations, tokens, credits) in rows.decode((String, Int, Int, Int).self) {
            series.append(Day(date: date, operations: operations, tokens: tokens, credits: credits))
        }
        return series
    }

    static func dailySeriesQuery(userID: UUID, days: Int) -> PostgresQuery {
        """
        WITH days AS (
            SELECT generate_series((now() AT TIME ZONE 'UTC')::date - \(days - 1)::int, (now() AT TIME ZONE 'UTC')::date, interval '1 day')::date AS day
        ), usage AS (
            SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*)::bigint AS operations, sum(tokens_used)::bigint AS tokens
            FROM tool_usage WHERE user_id = \(userID) AND created_at >= now() - make_interval(days => \(days + 1)::int)
            GROUP BY 1
        ), spent AS (
            SELECT day, usage AS credits FROM credit_spend_by_day
            WHERE user_id = \(userID) AND day >= (now() AT TIME ZONE 'UTC')::date - \(days - 1)::int
        )
        SELECT to_char(days.day, 'YYYY-MM-DD'), coalesce(usage.operations, 0), coalesce(usage.tokens, 0), coalesce(spent.credits, 0)
        FROM days LEFT JOIN usage ON usage.day = days.day LEFT JOIN spent ON spent.day = days.day
        ORDER BY days.day
        """
    }

    func userExists(_ id: UUID) async throws -> Bool {
        for try await _ in try await database.client.query("SELECT 1 FROM users WHERE id = \(id)", logger: logger) { return true }
        return false
    }

    static func decodeJSON(_ text: String) -> JSONValue {
        (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? [:]
    }
}
