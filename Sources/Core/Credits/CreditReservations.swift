import Foundation
import Logging
import PostgresNIO

/// Credits and a quota slot held for one piece of work (see `CreditReservations`).
public struct CreditReservation: Sendable, Equatable {
    public var id: UUID
    public var userID: UUID
    public var feature: String
    public var credits: Int
    /// The quota counted, and the usage period it belongs to.
    public var quota: String?
    public var periodStart: Date?
    public var plan: PlanTier
    public var idempotencyKey: String?
}

/// What `reserve` gives back: a fresh hold, or, for a retried `Idempotency-Key` whose
/// first request succeeded, that request's stored answer (nothing is charged again).
public enum ReservationOutcome: Sendable, Equatable {
    case reserved(CreditReservation)
    case replay(JSONValue)
}

/// The one way to spend credits: reserve before the work (quota and balance checked and
/// held atomically, under row locks, so concurrent requests never over-spend), settle on
/// success (debit + usage count + quota notices), release on failure (nothing charged).
///
/// **Lock order.** Every transaction that changes a user's credits or quotas takes that
/// user's rows in this order, and only this order, so concurrent generations cannot
/// deadlock: `subscriptions` → `credit_balances` → `usage_counters` → `credit_reservations`.
/// The balance row is the per-user gate: nothing touches a counter or a hold without
/// holding it (the token counter of `UsageRecorder` locks that one row alone). A monthly
/// grant inside `SubscriptionStore.current` takes the balance after the subscription,
/// which fits the order. `Database.transaction` retries the rare deadlock or
/// serialization failure that remains (another service's statements).
///
///     switch try await reservations.reserve(userID: id, feature: "article", idempotencyKey: key) {
///     case .replay(let stored): return stored
///     case .reserved(let hold):
///         do { let result = try await work(); try await reservations.settle(hold, response: result); return result }
///         catch { try? await reservations.release(hold); throw error }
///     }
public struct CreditReservations: Sendable {
    let database: Database
    let logger: Logger
    let catalog: PlanCatalog
    let subscriptions: SubscriptionStore
    let ledger: CreditLedger
    let notices: QuotaNotices
    /// Told of every change to a user's subscription, balance or counters, after commit.
    let readModel: AccountReadModel?
    /// How long a hold survives a crashed worker before the next reservation frees it.
    let holdLifetime: TimeInterval
    /// Checked by `perform` before anything is reserved; nil when rate limits are off.
    let rateLimit: GenerationRateLimit?
    /// Holds and credits reserved, settled and released through `perform`, for `/metrics`.
    let metrics: BusinessMetrics?

    public init(
        database: Database, readModel: AccountReadModel? = nil, holdLifetime: Duration = .seconds(15 * 60), rateLimit: GenerationRateLimit? = nil,
        metrics: BusinessMetrics? = nil
    ) {
        self.rateLimit = rateLimit
        self.metrics = metrics
        self.database = database
        self.logger = database.logger
        self.catalog = PlanCatalog(logger: database.logger)
        self.subscriptions = SubscriptionStore(logger: database.logger)
        self.ledger = CreditLedger(logger: database.logger)
        self.notices = QuotaNotices(logger: database.logger)
        self.readModel = readModel
        self.holdLifetime = TimeInterval(holdLifetime.components.seconds)
    }

    public func reserve(userID: UUID, feature: String, idempotencyKey: String? = nil) async throws -> ReservationOutcome {
        // The ordinary case in one statement (schema.sql, `nova_reserve`); anything else,
        // refusals included, takes the general path below, which decides and words them.
        // A deadlock or serialization failure rolled the statement back whole: the general
        // path, whose transaction is retried, takes over.
        if idempotencyKey == nil,
            let hold = try await Self.nilWhenTransient({ try await reserveInOneStatement(userID: userID, feature: feature) })
        {
            readModel?.invalidate(userID: userID)
            return .reserved(hold)
        }
        // Its own transaction, and only when there is an expired hold (one plain read
        // otherwise): freeing old holds takes counter and balance locks, which must not be
        // held while the reservation below takes them in its order.
        if try await hasExpiredHolds(userID: userID) {
            try await database.transaction { runner in
                try await releaseExpiredHolds(userID: userID, on: runner)
            }
        }
        // Not flushed on its own: the settlement's commit flushes it, and a hold lost in a
        // crash before that is a release (the work was not delivered).
        let outcome = try await database.transaction(durable: false) { runner in
            try await reserve(userID: userID, feature: feature, idempotencyKey: idempotencyKey, on: runner)
        }
        readModel?.invalidate(userID: userID)
        return outcome
    }

    static func nilWhenTransient<T>(_ body: () async throws -> T?) async throws -> T? {
        do {
            return try await body()
        } catch  where Database.isTransient(error) {
            return nil
        }
    }

    /// `nova_reserve`: nil when the general path must decide. Requests with an
    /// `Idempotency-Key` always take the general path (it looks up stored answers).
    func reserveInOneStatement(userID: UUID, feature: String) async throws -> CreditReservation? {
        let id = UUID()
        let rows = try await database.client.query(
            "SELECT * FROM nova_reserve(\(userID), \(feature), \(id), \(Date().addingTimeInterval(holdLifetime)))", logger: logger)
        for try await (credits, quota, periodStart, plan) in rows.decode((Int, String?, Date?, String).self) {
            return CreditReservation(
                id: id, userID: userID, feature: feature, credits: credits, quota: quota, periodStart: periodStart,
                plan: PlanTier(rawValue: plan) ?? .free, idempotencyKey: nil)
        }
        return nil
    }

    func reserve(userID: UUID, feature: String, idempotencyKey: String?, on runner: any SQLRunner) async throws -> ReservationOutcome {
        if let key = idempotencyKey {
            if let stored = try await storedResponse(userID: userID, route: feature, key: key, on: runner) { return .replay(stored) }
        }
        let price = try await catalog.price(of: feature, on: runner)
        // Lock order (see the type): subscription, balance, usage counter, hold.
        let (subscription, _) = try await subscriptions.current(userID: userID, on: runner)
        let balance = try await ledger.lockBalance(userID: userID, on: runner)
        if let key = idempotencyKey {
            // Held: the first request is still working. Settled: it finished after our look-up above.
            let rows = try await runner.run(
                """
                SELECT status FROM credit_reservations WHERE user_id = \(userID) AND feature = \(feature) AND idempotency_key = \(key)
                """, logger: logger)
            for try await status in rows.decode(String.self) {
                if status == "held" { throw CreditError.requestInProgress }
                if status == "settled" {
                    return .replay(try await storedResponse(userID: userID, route: feature, key: key, on: runner) ?? .null)
                }
            }
        }
        let plan = try await catalog.plan(subscription.plan, on: runner)
        if let minimum = price.minimumTier, plan.tier < minimum {
            throw CreditError.featureNotAvailable(feature: feature, plan: plan.tier, requiredPlan: minimum)
        }
        var periodStart: Date?
        if let quota = price.quota {
            let limit = plan.limit(for: quota)
            if limit == 0 {
                let required = try await catalog.lowestTier(offering: quota, on: runner) ?? .enterprise
                throw CreditError.featureNotAvailable(feature: quota, plan: plan.tier, requiredPlan: required)
            }
            let (used, reserved) = try await lockCounter(userID: userID, quota: quota, period: subscription.currentPeriodStart, on: runner)
            if limit != Quota.unlimited, used + reserved + 1 > limit {
                throw CreditError.quotaExceeded(
                    feature: quota, currentUsage: used, limit: limit, remaining: max(0, limit - used - reserved), plan: plan.tier)
            }
            periodStart = subscription.currentPeriodStart
        }
        if balance.spendable < price.credits {
            throw CreditError.insufficientCredits(required: price.credits, balance: balance.spendable)
        }
        // Hold: the quota slot, then the credits.
        if let quota = price.quota, let periodStart {
            try await runner.run(
                """
                UPDATE usage_counters SET reserved = reserved + 1, updated_at = now()
                WHERE user_id = \(userID) AND quota = \(quota) AND period_start = \(periodStart)
                """, logger: logger)
        }
        try await runner.run(
            "UPDATE credit_balances SET reserved = reserved + \(price.credits), updated_at = now() WHERE user_id = \(userID)", logger: logger)
        let expires = Date().addingTimeInterval(holdLifetime)
        let id = UUID()
        // A released attempt under the same key is retried by reusing its row.
        try await runner.run(
            """
            INSERT INTO credit_reservations (id, user_id, feature, quota, period_start, credits, idempotency_key, expires_at)
            VALUES (\(id), \(userID), \(feature), \(price.quota), \(periodStart), \(price.credits), \(idempotencyKey), \(expires))
            ON CONFLICT (user_id, feature, idempotency_key) WHERE idempotency_key IS NOT NULL DO UPDATE SET
                id = EXCLUDED.id, quota = EXCLUDED.quota, period_start = EXCLUDED.period_start, credits = EXCLUDED.credits,
                status = 'held', created_at = now(), expires_at = EXCLUDED.expires_at, finished_at = NULL
            """, logger: logger)
        let reservation = CreditReservation(
            id: id, userID: userID, feature: feature, credits: price.credits, quota: price.quota, periodStart: periodStart,
            plan: plan.tier, idempotencyKey: idempotencyKey)
        return .reserved(reservation)
    }

    /// Debits the held credits (ledger reason `usage`, referenced by the reservation id),
    /// counts the use, and queues quota notices when 80, 90 or 100 % is crossed. With an
    /// idempotency key, `response` is stored for retries in the same transaction, and
    /// `also` writes what must be committed with the charge (a research query's history
    /// row): one durable commit for both, and no charge without them.
    /// Returns the balance after the debit.
    @discardableResult
    public func settle(
        _ reservation: CreditReservation, response: JSONValue? = nil, also: (@Sendable (any SQLRunner) async throws -> Void)? = nil
    ) async throws -> Int {
        defer { readModel?.invalidate(userID: reservation.userID) }
        return try await database.transaction { runner in
            let after = try await settle(reservation, response: response, on: runner)
            try await also?(runner)
            return after
        }
    }

    func settle(_ reservation: CreditReservation, response: JSONValue?, on runner: any SQLRunner) async throws -> Int {
        let userID = reservation.userID
        // The ordinary case in one statement (schema.sql, `nova_settle`), else the general path.
        if let settled = try await settleInOneStatement(reservation, on: runner) {
            if let quota = reservation.quota, let period = reservation.periodStart, let used = settled.used {
                try await notices.recordCrossing(userID: userID, quota: quota, used: used, limit: settled.limit, periodStart: period, on: runner)
            }
            try await storeResponse(reservation, response, on: runner)
            return settled.balance
        }
        _ = try await ledger.lockBalance(userID: userID, on: runner)
        if let quota = reservation.quota, let period = reservation.periodStart {
            _ = try await lockCounter(userID: userID, quota: quota, period: period, on: runner)
        }
        guard try await finish(reservation, status: "settled", on: runner) else { throw CoreError.notFound }
        if let quota = reservation.quota, let period = reservation.periodStart {
            var used = 0
            for try await value in try await runner.run(
                """
                UPDATE usage_counters SET used = used + 1, reserved = greatest(reserved - 1, 0), updated_at = now()
                WHERE user_id = \(userID) AND quota = \(quota) AND period_start = \(period) RETURNING used
                """, logger: logger
            ).decode(Int.self) { used = value }
            let limit = try await catalog.plan(reservation.plan, on: runner).limit(for: quota)
            try await notices.recordCrossing(userID: userID, quota: quota, used: used, limit: limit, periodStart: period, on: runner)
        }
        let after = try await ledger.apply(
            userID: userID, delta: -reservation.credits, reason: .usage, reference: reservation.id.uuidString,
            releasing: reservation.credits, on: runner)
        try await storeResponse(reservation, response, on: runner)
        return after ?? 0
    }

    /// `nova_settle`, in the caller's transaction: nil when the general path must settle.
    func settleInOneStatement(_ reservation: CreditReservation, on runner: any SQLRunner) async throws -> (
        balance: Int, used: Int?, limit: Int
    )? {
        let rows = try await runner.run(
            """
            SELECT * FROM nova_settle(\(reservation.id), \(reservation.userID), \(reservation.credits), \(reservation.quota),
                                      \(reservation.periodStart), \(reservation.plan.rawValue))
            """, logger: logger)
        for try await (balance, used, limit) in rows.decode((Int, Int?, Int).self) { return (balance, used, limit) }
        return nil
    }

    /// Keeps a settled request's answer for retries of its `Idempotency-Key`.
    func storeResponse(_ reservation: CreditReservation, _ response: JSONValue?, on runner: any SQLRunner) async throws {
        guard let key = reservation.idempotencyKey, let response else { return }
        try await runner.run(
            """
            INSERT INTO idempotency_keys (user_id, key, route, response)
            VALUES (\(reservation.userID), \(key), \(reservation.feature), \(response.encodedString)::jsonb) ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    /// A reservation still held, by id: for work that outlives its request (a video
    /// generation settled by a background poller).
    public func heldReservation(id: UUID) async throws -> CreditReservation? {
        let rows = try await database.client.query(
            """
            SELECT r.id, r.user_id, r.feature, r.credits::int, r.quota, r.period_start, coalesce(s.plan, 'FREE'), r.idempotency_key
            FROM credit_reservations r LEFT JOIN subscriptions s ON s.user_id = r.user_id
            WHERE r.id = \(id) AND r.status = 'held'
            """, logger: logger)
        for try await (id, user, feature, credits, quota, period, plan, key) in rows.decode(
            (UUID, UUID, String, Int, String?, Date?, String, String?).self)
        {
            return CreditReservation(
                id: id, userID: user, feature: feature, credits: credits, quota: quota, periodStart: period, plan: PlanTier(rawValue: plan) ?? .free,
                idempotencyKey: key)
        }
        return nil
    }

    /// Gives back the held credits and quota slot; a reservation already settled or
    /// released is left alone.
    public func release(_ reservation: CreditReservation) async throws {
        defer { readModel?.invalidate(userID: reservation.userID) }
        try await database.transaction { runner in
            try await lockForHolds(userID: reservation.userID, quota: reservation.quota, period: reservation.periodStart, on: runner)
            guard try await finish(reservation, status: "released", on: runner) else { return }
            try await giveBack(
                userID: reservation.userID, quota: reservation.quota, period: reservation.periodStart, credits: reservation.credits, on: runner)
        }
    }

    /// Marks a held reservation finished; false when it was not held any more.
    func finish(_ reservation: CreditReservation, status: String, on runner: any SQLRunner) async throws -> Bool {
        let rows = try await runner.run(
            """
            UPDATE credit_reservations SET status = \(status), finished_at = now()
            WHERE id = \(reservation.id) AND status = 'held' RETURNING id
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// The balance row, then the counter: what must be held before a hold row is touched.
    func lockForHolds(userID: UUID, quota: String?, period: Date?, on runner: any SQLRunner) async throws {
        _ = try await ledger.lockBalance(userID: userID, on: runner)
        if let quota, let period { _ = try await lockCounter(userID: userID, quota: quota, period: period, on: runner) }
    }

    /// Returns a hold's quota slot and credits; the caller holds the locks (`lockForHolds`).
    func giveBack(userID: UUID, quota: String?, period: Date?, credits: Int, on runner: any SQLRunner) async throws {
        if let quota, let period {
            try await runner.run(
                """
                UPDATE usage_counters SET reserved = greatest(reserved - 1, 0), updated_at = now()
                WHERE user_id = \(userID) AND quota = \(quota) AND period_start = \(period)
                """, logger: logger)
        }
        try await runner.run(
            "UPDATE credit_balances SET reserved = greatest(reserved - \(credits), 0), updated_at = now() WHERE user_id = \(userID)",
            logger: logger)
    }

    func hasExpiredHolds(userID: UUID) async throws -> Bool {
        let rows = try await database.client.query(
            "SELECT 1 FROM credit_reservations WHERE user_id = \(userID) AND status = 'held' AND expires_at < now() LIMIT 1", logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// Frees holds whose worker never settled nor released them (a crash).
    func releaseExpiredHolds(userID: UUID, on runner: any SQLRunner) async throws {
        // In lock order: the balance first (the per-user gate), then the expired holds'
        // counters, sorted so two sweeps agree, then the holds themselves.
        _ = try await ledger.lockBalance(userID: userID, on: runner)
        let counters = try await runner.run(
            """
            SELECT DISTINCT quota, period_start FROM credit_reservations
            WHERE user_id = \(userID) AND status = 'held' AND expires_at < now() AND quota IS NOT NULL AND period_start IS NOT NULL
            ORDER BY quota, period_start
            """, logger: logger)
        var keys: [(String, Date)] = []
        for try await key in counters.decode((String, Date).self) { keys.append(key) }
        for (quota, period) in keys { _ = try await lockCounter(userID: userID, quota: quota, period: period, on: runner) }
        let rows = try await runner.run(
            """
            UPDATE credit_reservations SET status = 'released', finished_at = now()
            WHERE user_id = \(userID) AND status = 'held' AND expires_at < now() RETURNING quota, period_start, credits
            """, logger: logger)
        var expired: [(String?, Date?, Int)] = []
        for try await row in rows.decode((String?, Date?, Int).self) { expired.append(row) }
        for (quota, period, credits) in expired {
            try await giveBack(userID: userID, quota: quota, period: period, credits: credits, on: runner)
        }
    }

    /// Locks (creating if needed) a usage counter: (used, reserved). One statement once
    /// the period's counter exists.
    func lockCounter(userID: UUID, quota: String, period: Date, on runner: any SQLRunner) async throws -> (Int, Int) {
        func locked() async throws -> (Int, Int)? {
            let rows = try await runner.run(
                """
                SELECT used, reserved FROM usage_counters WHERE user_id = \(userID) AND quota = \(quota) AND period_start = \(period) FOR UPDATE
                """, logger: logger)
            for try await (used, reserved) in rows.decode((Int, Int).self) { return (used, reserved) }
            return nil
        }
        if let counter = try await locked() { return counter }
        try await runner.run(
            """
            INSERT INTO usage_counters (user_id, quota, period_start) VALUES (\(userID), \(quota), \(period))
            ON CONFLICT (user_id, quota, period_start) DO NOTHING
            """, logger: logger)
        return try await locked() ?? (0, 0)
    }

    func storedResponse(userID: UUID, route: String, key: String, on runner: any SQLRunner) async throws -> JSONValue? {
        let rows = try await runner.run(
            "SELECT response::text FROM idempotency_keys WHERE user_id = \(userID) AND route = \(route) AND key = \(key)", logger: logger)
        for try await text in rows.decode(String.self) {
            return try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        }
        return nil
    }
}

extension JSONValue {
    /// The JSON text (keys sorted).
    public var encodedString: String { String(decoding: encodedData(), as: UTF8.self) }
}
