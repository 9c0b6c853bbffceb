import Core
import Foundation
import Logging
import PostgresNIO

/// Read-only figures for admins: subscriptions, quota use, the audit log, generation
/// failures and the dashboard statistics. A user without a subscription row (never used
/// the API yet) counts as FREE.
struct AdminReportStore: Sendable {
    let database: Database
    var logger: Logger { database.logger }

    // MARK: subscriptions

    struct SubscriptionSummary: Sendable {
        var active = 0
        var canceled = 0
        var expired = 0
        var total = 0
        var byPlan: [String: Int] = [:]
    }

    /// `active`: ACTIVE or TRIAL and not set to cancel; `canceled`: CANCELLED or set to
    /// cancel at period end; `byPlan`: every user by plan (FREE when unprovisioned).
    /// Read from the counts kept on write (`aggregate_counts`, schema.sql): one small read
    /// however many users there are.
    func subscriptions() async throws -> SubscriptionSummary {
        let counts = try await aggregateCounts()
        var summary = SubscriptionSummary()
        for (key, count) in counts {
            guard let bucket = SubscriptionBucket(key: key) else { continue }
            summary.total += count
            if bucket.status == "EXPIRED" { summary.expired += count }
            if bucket.status == "CANCELLED" || (bucket.cancelling && bucket.status != "EXPIRED") {
                summary.canceled += count
            } else if bucket.status == "ACTIVE" || bucket.status == "TRIAL" {
                summary.active += count
            }
        }
        summary.byPlan = Self.usersByPlan(counts)
        return summary
    }

    /// A key of `aggregate_counts` for subscriptions: "subscriptions:<plan>:<status>:<renewing|cancelling>".
    struct SubscriptionBucket: Equatable {
        var plan: String
        var status: String
        var cancelling: Bool

        init?(key: String) {
            let parts = key.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 4, parts[0] == "subscriptions" else { return nil }
            plan = String(parts[1])
            status = String(parts[2])
            cancelling = parts[3] == "cancelling"
        }
    }

    /// The counts kept on write, by key.
    func aggregateCounts() async throws -> [String: Int] { try await AggregateCounts(database: database).read() }

    /// Users per plan tier, every tier present: a user without a subscription is FREE.
    static func usersByPlan(_ counts: [String: Int]) -> [String: Int] {
        var byPlan = Dictionary(uniqueKeysWithValues: PlanTier.allCases.map { ($0.rawValue, 0) })
        var subscribed = 0
        for (key, count) in counts {
            guard let bucket = SubscriptionBucket(key: key), bucket.plan != PlanTier.free.rawValue else { continue }
            byPlan[bucket.plan, default: 0] += count
            subscribed += count
        }
        byPlan[PlanTier.free.rawValue] = max(0, (counts["users"] ?? 0) - subscribed)
        return byPlan
    }

    // MARK: payments

    struct Payment: Sendable, Equatable {
        var id: Int
        var userID: UUID
        var email: String
        var plan: String?
        var amountCents: Int
        var currency: String
        var status: String
        var provider: String
        var createdAt: Date
    }

    /// Newest first.
    func payments(limit: Int, offset: Int) async throws -> ([Payment], Int) {
        var total = 0
        for try await count in try await database.client.query("SELECT count(*)::bigint FROM payments", logger: logger).decode(Int.self) {
            total = count
        }
        var items: [Payment] = []
        let rows = try await database.client.query(
            """
            SELECT p.id, p.user_id, u.email, p.plan, p.amount_cents, p.currency, p.status, p.provider, p.created_at
            FROM payments p JOIN users u ON u.id = p.user_id ORDER BY p.created_at DESC, p.id DESC LIMIT \(limit) OFFSET \(offset)
            """, logger: logger)
        for try await (id, user, email, plan, cents, currency, status, provider, created) in rows.decode(
            (Int, UUID, String, String?, Int, String, String, String, Date).self)
        {
            items.append(
                Payment(
                    id: id, userID: user, email: email, plan: plan, amountCents: cents, currency: currency, status: status, provider: provider,
                    createdAt: created))
        }
        return (items, total)
    }

    /// Users per plan tier, every tier present (from the counts kept on write).
    func usersByPlan() async throws -> [String: Int] {
        Self.usersByPlan(try await aggregateCounts())
    }

    // MARK: quota

    struct QuotaUse: Sendable {
        var used = 0
        var usersAtLimit = 0
    }

    /// Per plan and quota, in each user's current period: total use, and how many users
    /// have reached a finite limit.
    func quotaUse() async throws -> [String: [String: QuotaUse]] {
        var result: [String: [String: QuotaUse]] = [:]
        let rows = try await database.client.query(
            """
            SELECT s.plan, counter.quota, coalesce(sum(counter.used), 0)::bigint,
                   count(*) FILTER (WHERE (p.quotas ->> counter.quota) ~ '^[0-9]+$' AND (p.quotas ->> counter.quota)::int > 0
                                    AND counter.used >= (p.quotas ->> counter.quota)::int)::bigint
            FROM usage_counters counter
            JOIN subscriptions s ON s.user_id = counter.user_id AND counter.period_start = s.current_period_start
            JOIN plans p ON p.tier = s.plan
            GROUP BY 1, 2
            """, logger: logger)
        for try await (plan, quota, used, atLimit) in rows.decode((String, String, Int, Int).self) {
            result[plan, default: [:]][quota] = QuotaUse(used: used, usersAtLimit: atLimit)
        }
        return result
    }

    // MARK: audit log and failures

    struct AuditEntry: Sendable, Equatable {
        var id: Int
        var event: String
        var userID: UUID?
        var actorID: UUID?
        var ip: String?
        var userAgent: String?
        var details: JSONValue
        var createdAt: Date
    }

    func auditLog(event: String?, userID: UUID?, limit: Int, offset: Int) async throws -> ([AuditEntry], Int) {
        var total = 0
        for try await value in try await database.client.query(
            """
            SELECT count(*)::bigint FROM audit_log
            WHERE (\(event)::text IS NULL OR event = \(event)::text) AND (\(userID)::uuid IS NULL OR user_id = \(userID)::uuid OR actor_id = \(userID)::uuid)
            """, logger: logger
        ).decode(Int.self) { total = value }
        let rows = try await database.client.query(
            """
            SELECT id, event, user_id, actor_id, ip, user_agent, details::text, created_at FROM audit_log
            WHERE (\(event)::text IS NULL OR event = \(event)::text) AND (\(userID)::uuid IS NULL OR user_id = \(userID)::uuid OR actor_id = \(userID)::uuid)
            ORDER BY created_at DESC, id DESC LIMIT \(limit) OFFSET \(offset)
            """, logger: logger)
        var items: [AuditEntry] = []
        for try await (id, name, user, actor, ip, agent, details, created) in rows.decode(
            (Int, String, UUID?, UUID?, String?, String?, String, Date).self)
        {
            items.append(
                AuditEntry(
                    id: id, event: name, userID: user, actorID: actor, ip: ip, userAgent: agent, details: UsageStore.decodeJSON(details),
                    createdAt: created))
        }
        return (items, total)
    }

    struct Failure: Sendable, Equatable {
        var id: Int
        var userID: UUID?
        var email: String?
        var service: String
        var provider: String?
        var model: String?
        var errorType: String
        var message: String?
        var createdAt: Date
    }

    func generationFailures(limit: Int, offset: Int) async throws -> ([Failure], Int) {
        var total = 0
        for try await value in try await database.client.query("SELECT count(*)::bigint FROM generation_failures", logger: logger).decode(Int.self) {
            total = value
        }
        let rows = try await database.client.query(
            """
            SELECT f.id, f.user_id, u.email, f.service, f.provider, f.model, f.error_type, f.message, f.created_at
            FROM generation_failures f LEFT JOIN users u ON u.id = f.user_id
            ORDER BY f.created_at DESC, f.id DESC LIMIT \(limit) OFFSET \(offset)
            """, logger: logger)
        var items: [Failure] = []
        for try await (id, user, email, service, provider, model, type, message, created) in rows.decode(
            (Int, UUID?, String?, String, String?, String?, String, String?, Date).self)
        {
            items.append(
                Failure(
                    id: id, userID: user, email: email, service: service, provider: provider, model: model, errorType: type, message: message,
                    createdAt: created))
        }
        return (items, total)
    }

    // MARK: dashboard statistics

    struct TopUser: Sendable, Equatable {
        var userID: UUID
        var email: String
        var name: String?
        var plan: String
        var tokens: Int
        var operations: Int
    }

    /// The heaviest users over the last `days` days, by tokens then operations.
    func topUsers(days: Int, limit: Int) async throws -> [TopUser] {
        let rows = try await database.client.query(
            """
            SELECT t.user_id, u.email, u.name, coalesce(s.plan, 'FREE'), coalesce(sum(t.tokens_used), 0)::bigint, count(*)::bigint
            FROM tool_usage t JOIN users u ON u.id = t.user_id LEFT JOIN subscriptions s ON s.user_id = t.user_id
            WHERE t.created_at >= now() - make_interval(days => \(days)::int)
            GROUP BY 1, 2, 3, 4 ORDER BY 5 DESC, 6 DESC, 2 LIMIT \(limit)
            """, logger: logger)
        var items: [TopUser] = []
        for try await (id, email, name, plan, tokens, operations) in rows.decode((UUID, String, String?, String, Int, Int).self) {
            items.append(TopUser(userID: id, email: email, name: name, plan: plan, tokens: tokens, operations: operations))
        }
        return items
    }

    struct FailureSummary: Sendable {
        var daily: [(date: String, failures: Int)] = []
        var byService: [(String, Int)] = []
        var byErrorType: [(String, Int)] = []
    }

    /// Failures over the last `days` UTC days (today included), zero-filled. Both
    /// queries bound `created_at` from below so that the index, not a scan, finds the rows.
    func failures(days: Int) async throws -> FailureSummary {
        var summary = FailureSummary()
        for try await (date, count) in try await database.client.query(
            """
            WITH days AS (
                SELECT generate_series((now() AT TIME ZONE 'UTC')::date - \(days - 1)::int, (now() AT TIME ZONE 'UTC')::date, interval '1 day')::date AS day
            ), failures AS (
                SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*)::bigint AS failures FROM generation_failures
                WHERE created_at >= ((now() AT TIME ZONE 'UTC')::date - \(days - 1)::int)::timestamp AT TIME ZONE 'UTC'
                GROUP BY 1
            )
            SELECT to_char(days.day, 'YYYY-MM-DD'), coalesce(failures.failures, 0)
            FROM days LEFT JOIN failures ON failures.day = days.day ORDER BY days.day
            """, logger: logger
        ).decode((String, Int).self) { summary.daily.append((date, count)) }
        for try await (service, type, count) in try await database.client.query(
            """
            SELECT service, error_type, count(*)::bigint FROM generation_failures
            WHERE created_at >= ((now() AT TIME ZONE 'UTC')::date - \(days - 1)::int)::timestamp AT TIME ZONE 'UTC'
            GROUP BY 1, 2
            """, logger: logger
        ).decode((String, String, Int).self) {
            summary.byService.append((service, count))
            summary.byErrorType.append((type, count))
        }
        return summary
    }
}
