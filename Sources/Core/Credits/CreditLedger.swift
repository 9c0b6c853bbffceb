import Foundation
import Logging
import PostgresNIO

/// Why a ledger row exists (API.md's reasons).
public enum CreditReason: String, Sendable, Codable, CaseIterable {
    case planGrant = "plan_grant"
    case signupBonus = "signup_bonus"
    case verifyBonus = "verify_bonus"
    case referralReward = "referral_reward"
    case usage
    case refund
    case adminAdjust = "admin_adjust"
    case purchase
}

/// A user's balance: `balance` counts every ledger row, `reserved` is held by
/// reservations in flight.
public struct CreditBalance: Sendable, Equatable {
    public var balance: Int
    public var reserved: Int
    public var lifetimeEarned: Int
    public var lifetimeSpent: Int
    public var spendable: Int { balance - reserved }
}

/// A row of `credit_ledger`.
public struct CreditLedgerEntry: Sendable, Equatable {
    public var id: Int
    public var delta: Int
    public var reason: String
    public var reference: String
    public var balanceAfter: Int
    public var createdAt: Date
}

/// `credit_balances` and the append-only `credit_ledger`. Every change locks the user's
/// balance row first, so that `balance_after` is exact and the sum of the ledger always
/// equals the balance.
public struct CreditLedger: Sendable {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// Locks (creating if needed) the user's balance row until the transaction ends.
    /// The row exists but for a user's first credit: one statement, the insert only when missing.
    public func lockBalance(userID: UUID, on runner: any SQLRunner) async throws -> CreditBalance {
        if let balance = try await lockedBalance(userID: userID, on: runner) { return balance }
        try await runner.run("INSERT INTO credit_balances (user_id) VALUES (\(userID)) ON CONFLICT (user_id) DO NOTHING", logger: logger)
        return try await lockedBalance(userID: userID, on: runner) ?? CreditBalance(balance: 0, reserved: 0, lifetimeEarned: 0, lifetimeSpent: 0)
    }

    func lockedBalance(userID: UUID, on runner: any SQLRunner) async throws -> CreditBalance? {
        let rows = try await runner.run(
            "SELECT balance, reserved, lifetime_earned, lifetime_spent FROM credit_balances WHERE user_id = \(userID) FOR UPDATE",
            logger: logger)
        for try await (balance, reserved, earned, spent) in rows.decode((Int, Int, Int, Int).self) {
            return CreditBalance(balance: balance, reserved: reserved, lifetimeEarned: earned, lifetimeSpent: spent)
        }
        return nil
    }

    /// Reads the balance without locking (zero for a user who never had credits).
    public func balance(userID: UUID, on runner: any SQLRunner) async throws -> CreditBalance {
        let rows = try await runner.run(
            "SELECT balance, reserved, lifetime_earned, lifetime_spent FROM credit_balances WHERE user_id = \(userID)", logger: logger)
        for try await (balance, reserved, earned, spent) in rows.decode((Int, Int, Int, Int).self) {
            return CreditBalance(balance: balance, reserved: reserved, lifetimeEarned: earned, lifetimeSpent: spent)
        }
        return CreditBalance(balance: 0, reserved: 0, lifetimeEarned: 0, lifetimeSpent: 0)
    }

    /// Appends `delta` with `reason` and `reference` unless that (reason, reference) is
    /// already in the user's ledger: the balance after, or nil for a duplicate. A debit
    /// never takes the spendable balance below zero (`releasing` credits held by the
    /// reservation being settled are counted as spendable). Must run in a transaction.
    @discardableResult
    public func apply(
        userID: UUID, delta: Int, reason: CreditReason, reference: String, releasing: Int = 0, on runner: any SQLRunner
    ) async throws -> Int? {
        let current = try await lockBalance(userID: userID, on: runner)
        if delta < 0, current.spendable + releasing + delta < 0 {
            throw CreditError.insufficientCredits(required: -delta, balance: current.spendable + releasing)
        }
        let after = current.balance + delta
        let inserted = try await runner.run(
            """
            INSERT INTO credit_ledger (user_id, delta, reason, reference, balance_after)
            VALUES (\(userID), \(delta), \(reason.rawValue), \(reference), \(after))
            ON CONFLICT (user_id, reason, reference) DO NOTHING RETURNING id
            """, logger: logger)
        var wrote = false
        for try await _ in inserted { wrote = true }
        guard wrote else { return nil }
        let earned = max(0, delta)
        let spent = reason == .usage ? max(0, -delta) : 0
        try await runner.run(
            """
            UPDATE credit_balances SET balance = balance + \(delta), reserved = reserved - \(releasing),
                lifetime_earned = lifetime_earned + \(earned), lifetime_spent = lifetime_spent + \(spent), updated_at = now()
            WHERE user_id = \(userID)
            """, logger: logger)
        return after
    }

    /// The newest rows first: after `offset` rows, or, with `before`, the rows older than
    /// that id (a keyset page: as cheap at the millionth row as at the first). The total is
    /// the count kept on the balance row (`ledger_rows`, schema.sql), not a count of the rows.
    public func history(
        userID: UUID, limit: Int, offset: Int, before: Int? = nil, on runner: any SQLRunner
    ) async throws -> (entries: [CreditLedgerEntry], total: Int) {
        var total = 0
        for try await count in try await runner.run("SELECT ledger_rows FROM credit_balances WHERE user_id = \(userID)", logger: logger).decode(
            Int.self)
        {
            total = count
        }
        var entries: [CreditLedgerEntry] = []
        let rows = try await runner.run(Self.historyQuery(userID: userID, limit: limit, offset: offset, before: before), logger: logger)
        for try await (id, delta, reason, reference, after, created) in rows.decode((Int, Int, String, String, Int, Date).self) {
            entries.append(CreditLedgerEntry(id: id, delta: delta, reason: reason, reference: reference, balanceAfter: after, createdAt: created))
        }
        return (entries, total)
    }

    static func historyQuery(userID: UUID, limit: Int, offset: Int, before: Int?) -> PostgresQuery {
        """
        SELECT id, delta, reason, reference, balance_after, created_at FROM credit_ledger
        WHERE user_id = \(userID) AND id < \(before ?? Int.max)
        ORDER BY id DESC LIMIT \(limit) OFFSET \(before == nil ? offset : 0)
        """
    }
}
