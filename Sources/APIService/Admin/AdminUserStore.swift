import Core
import Foundation
import Logging
import PostgresNIO

/// Users as admins see and change them: list and search, role / active flag / plan,
/// credit adjustments. Every change writes its audit row in the same transaction.
struct AdminUserStore: Sendable {
    let database: Database
    let readModel: AccountReadModel
    /// Called after a user's role or active flag changed, to drop this process's cached
    /// copy of the user (wire it to the authenticator's `CachedUserDirectory.invalidate`
    /// where the dependencies expose it); other replicas follow on the change feed's
    /// notification.
    var userChanged: @Sendable (UUID) -> Void = { _ in }
    var logger: Logger { database.logger }

    static let columns = """
        u.id, u.email, u.name, u.role, u.is_active, u.is_verified, u.is_superuser, coalesce(s.plan, 'FREE'),
        coalesce(b.balance, 0)::bigint, u.created_at
        """
    static let joins = "FROM users u LEFT JOIN subscriptions s ON s.user_id = u.id LEFT JOIN credit_balances b ON b.user_id = u.id"

    /// Newest first; `search` matches e-mail or name case-insensitively, as a substring
    /// (`%`, `_` and `\` in it are literal). Both are served by indexes (schema.sql, "admin
    /// user list at scale"): the order by `users_created_at_idx`, the search by the
    /// trigram indexes, which `LIKE` can use and `strpos` could not.
    /// With `after`, the users after that position (a keyset page: no rows are skipped
    /// over, so page 40,000 costs what page 1 does); `offset` is then ignored.
    func list(search: String?, limit: Int, offset: Int, after: TimeCursor? = nil) async throws -> [User] {
        try await Self.decode(
            try await database.client.query(
                Self.pageQuery(pattern: search.map(Self.pattern), limit: limit, offset: offset, after: after), logger: logger))
    }

    /// How many users `list` pages through (see `total(pattern:)`).
    func total(search: String?) async throws -> Int {
        try await total(pattern: search.map(Self.pattern))
    }

    /// The LIKE pattern of a substring search.
    static func pattern(_ search: String) -> String { "%" + likeEscaped(search.lowercased()) + "%" }

    static func pageQuery(pattern: String?, limit: Int, offset: Int, after: TimeCursor? = nil) -> PostgresQuery {
        // The page's ids are chosen first and only they are joined: an offset then skips
        // index entries, not joined rows.
        """
        SELECT \(unescaped: columns) FROM (
            SELECT u.id FROM users u
            WHERE (\(pattern)::text IS NULL OR lower(u.email) LIKE \(pattern)::text OR lower(coalesce(u.name, '')) LIKE \(pattern)::text)
              AND \(after: after, createdAt: "u.created_at", id: "u.id")
            ORDER BY u.created_at DESC, u.id LIMIT \(limit) OFFSET \(after == nil ? offset : 0)
        ) AS page JOIN users u ON u.id = page.id
        LEFT JOIN subscriptions s ON s.user_id = u.id LEFT JOIN credit_balances b ON b.user_id = u.id
        ORDER BY u.created_at DESC, u.id
        """
    }

    /// A search's total counts its matches up to this many: beyond, counting would read
    /// every match (a common substring matches a tenth of a million users).
    static let searchCountLimit = 10_000

    /// Without a search, the count kept on write (`aggregate_counts`, schema.sql): exact,
    /// and one row read however many users there are. A search counts its matches (found
    /// by the trigram indexes) up to `searchCountLimit`.
    func total(pattern: String?) async throws -> Int {
        guard let pattern else { return try await AggregateCounts(database: database).read()["users"] ?? 0 }
        var total = 0
        for try await value in try await database.client.query(Self.countQuery(pattern: pattern), logger: logger).decode(Int.self) { total = value }
        return total
    }

    static func countQuery(pattern: String?) -> PostgresQuery {
        """
        SELECT count(*)::bigint FROM (
            SELECT 1 FROM users u
            WHERE (\(pattern)::text IS NULL OR lower(u.email) LIKE \(pattern)::text OR lower(coalesce(u.name, '')) LIKE \(pattern)::text)
            LIMIT \(searchCountLimit)
        ) AS matches
        """
    }

    /// `text` with LIKE's wildcards and escape character taken literally.
    static func likeEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// A user as admins see them.
    struct User: Sendable, Equatable {
        var id: UUID
        var email: String
        var name: String?
        var role: String
        var isActive: Bool
        var isVerified: Bool
        var isSuperuser: Bool
        /// FREE without a subscription.
        var plan: String
        var balance: Int
        var createdAt: Date
    }

    /// A credit adjustment made.
    struct Adjustment: Sendable, Equatable {
        var userID: UUID
        var delta: Int
        var reason: String
        /// The ledger reference: `admin:<admin id>:<unique id>`.
        var reference: String
        var balance: Int
    }

    func user(id: UUID, on runner: any SQLRunner) async throws -> User? {
        try await Self.decode(try await runner.run("SELECT \(unescaped: Self.columns) \(unescaped: Self.joins) WHERE u.id = \(id)", logger: logger))
            .first
    }

    struct Update: Sendable {
        var role: UserRecord.Role?
        var isActive: Bool?
        var plan: PlanTier?
    }

    /// Applies `update` to user `id`: nil when there is no such user.
    ///
    /// - `role` also sets `is_superuser` (admin ⇔ superuser), so both services agree.
    /// - `plan` is a manual plan: ACTIVE, not cancelling, `payment_provider` NULL and no
    ///   external subscription (a provider's subscription is not cancelled at the provider:
    ///   its later webhooks no longer find this user). A different tier starts a new
    ///   period now, which pays that plan's monthly grant once.
    func update(id: UUID, _ update: Update, actor: AdminAudit.Actor) async throws -> User? {
        let logger = self.logger
        let result = try await database.transaction { runner -> User? in
            var current: (String, Bool, Bool)?
            for try await row in try await runner.run(
                "SELECT role, is_active, is_superuser FROM users WHERE id = \(id) FOR UPDATE", logger: logger
            ).decode((String, Bool, Bool).self) { current = row }
            guard let current else { return nil }
            let (role, active, superuser) = current
            var changes: [String: JSONValue] = [:]
            if let newRole = update.role, newRole.rawValue != role || superuser != (newRole == .admin) {
                try await runner.run(
                    "UPDATE users SET role = \(newRole.rawValue), is_superuser = \(newRole == .admin), updated_at = now() WHERE id = \(id)",
                    logger: logger)
                changes["role"] = ["from": .string(role), "to": .string(newRole.rawValue)]
                changes["is_superuser"] = ["from": .bool(superuser), "to": .bool(newRole == .admin)]
            }
            if let newActive = update.isActive, newActive != active {
                try await runner.run("UPDATE users SET is_active = \(newActive), updated_at = now() WHERE id = \(id)", logger: logger)
                changes["is_active"] = ["from": .bool(active), "to": .bool(newActive)]
            }
            if let tier = update.plan {
                let subscriptions = SubscriptionStore(logger: logger)
                let (record, _) = try await subscriptions.current(userID: id, on: runner)
                let newPeriod = record.plan != tier
                let start = Date()
                try await runner.run(
                    """
                    UPDATE subscriptions SET plan = \(tier.rawValue), status = 'ACTIVE', cancel_at_period_end = false,
                        payment_provider = NULL, external_subscription_id = NULL,
                        current_period_start = CASE WHEN \(newPeriod) THEN \(start) ELSE current_period_start END,
                        current_period_end = CASE WHEN \(newPeriod) THEN \(SubscriptionStore.addMonth(to: start)) ELSE current_period_end END,
                        updated_at = now()
                    WHERE user_id = \(id)
                    """, logger: logger)
                // Pays the new plan's grant for the new period (keyed by plan and period).
                _ = try await subscriptions.current(userID: id, on: runner)
                changes["plan"] = [
                    "from": .string(record.plan.rawValue), "to": .string(tier.rawValue),
                    "paymentProvider": record.paymentProvider.map(JSONValue.string) ?? .null,
                ]
            }
            if !changes.isEmpty {
                try await AdminAudit(logger: logger).record(.userUpdate, userID: id, actor: actor, details: ["changes": .object(changes)], on: runner)
            }
            return try await user(id: id, on: runner)
        }
        if update.plan != nil { readModel.invalidate(userID: id) }
        if update.role != nil || update.isActive != nil { userChanged(id) }
        return result
    }

    /// Adds `delta` credits (ledger reason `admin_adjust`, reference
    /// `admin:<admin id>:<unique id>`). A debit beyond the spendable balance throws
    /// `CreditError.insufficientCredits` (402 INSUFFICIENT_CREDITS); nil for an unknown user.
    func adjustCredits(userID: UUID, delta: Int, reason: String, actor: AdminAudit.Actor) async throws -> Adjustment? {
        let logger = self.logger
        // Like every writer of this process: the user's cached balance goes after commit.
        defer { readModel.invalidate(userID: userID) }
        return try await database.transaction { runner -> Adjustment? in
            var exists = false
            for try await _ in try await runner.run("SELECT 1 FROM users WHERE id = \(userID) FOR SHARE", logger: logger) { exists = true }
            guard exists else { return nil }
            let reference = "admin:\(actor.id.lowercasedString):\(UUID().lowercasedString)"
            let balance =
                try await CreditLedger(logger: logger).apply(userID: userID, delta: delta, reason: .adminAdjust, reference: reference, on: runner)
                ?? 0
            try await AdminAudit(logger: logger).record(
                .creditAdjust, userID: userID, actor: actor,
                details: ["delta": .int(delta), "reason": .string(reason), "reference": .string(reference), "balanceAfter": .int(balance)],
                on: runner)
            return Adjustment(userID: userID, delta: delta, reason: reason, reference: reference, balance: balance)
        }
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [User] {
        var items: [User] = []
        for try await (id, email, name, role, active, verified, superuser, plan, balance, created) in rows.decode(
            (UUID, String, String?, String, Bool, Bool, Bool, String, Int, Date).self)
        {
            items.append(
                User(
                    id: id, email: email, name: name, role: role, isActive: active, isVerified: verified, isSuperuser: superuser, plan: plan,
                    balance: balance, createdAt: created))
        }
        return items
    }
}
