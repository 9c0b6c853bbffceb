import Foundation
import Logging
import PostgresNIO

/// What happens to credits and plans when an account is created or verified. The auth
/// service calls these inside its own transactions, so the bonus is stored with (and only
/// with) the account change that earns it.
public enum AccountLifecycle {
    public static let signupBonus = 50
    public static let verifyBonus = 25
    public static let refereeReward = 100
    public static let directReferrerReward = 200
    public static let secondLevelReferrerReward = 50
    /// Rewarded referrals per referrer and calendar month (UTC), per level.
    public static let monthlyReferralCap = 50

    /// A new account: FREE subscription (with its first monthly grant) and the signup bonus.
    public static func userRegistered(userID: UUID, on runner: any SQLRunner, logger: Logger = Logger(label: "credits")) async throws {
        _ = try await SubscriptionStore(logger: logger).current(userID: userID, on: runner)
        try await CreditLedger(logger: logger).apply(
            userID: userID, delta: signupBonus, reason: .signupBonus, reference: userID.uuidString, on: runner)
    }

    /// A verified e-mail: the verify bonus and the referral rewards, each paid exactly once
    /// (unique ledger references and `referral_rewards (referee_id, level)`), however often
    /// or concurrently verification runs.
    public static func userVerified(userID: UUID, on runner: any SQLRunner, logger: Logger = Logger(label: "credits")) async throws {
        let ledger = CreditLedger(logger: logger)
        try await ledger.apply(userID: userID, delta: verifyBonus, reason: .verifyBonus, reference: userID.uuidString, on: runner)
        guard let referrer = try await referrer(of: userID, on: runner, logger: logger) else { return }
        try await reward(referee: userID, level: 0, recipient: userID, credits: refereeReward, capped: false, on: runner, logger: logger)
        try await reward(
            referee: userID, level: 1, recipient: referrer, credits: directReferrerReward, capped: true, on: runner, logger: logger)
        if let second = try await Self.referrer(of: referrer, on: runner, logger: logger), second != userID {
            try await reward(
                referee: userID, level: 2, recipient: second, credits: secondLevelReferrerReward, capped: true, on: runner, logger: logger)
        }
    }

    static func referrer(of userID: UUID, on runner: any SQLRunner, logger: Logger) async throws -> UUID? {
        let rows = try await runner.run("SELECT referred_by FROM users WHERE id = \(userID)", logger: logger)
        for try await referrer in rows.decode(UUID?.self) {
            return referrer == userID ? nil : referrer
        }
        return nil
    }

    /// Pays one reward unless it was already paid or (for referrers) the recipient reached
    /// this month's cap. The recipient's balance row is locked first, which serialises
    /// concurrent rewards to one referrer so that the cap is exact.
    static func reward(
        referee: UUID, level: Int, recipient: UUID, credits: Int, capped: Bool, on runner: any SQLRunner, logger: Logger
    ) async throws {
        let ledger = CreditLedger(logger: logger)
        _ = try await ledger.lockBalance(userID: recipient, on: runner)
        if capped {
            var count = 0
            let rows = try await runner.run(
                """
                SELECT count(*) FROM referral_rewards WHERE user_id = \(recipient) AND level = \(level)
                AND created_at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                """, logger: logger)
            for try await value in rows.decode(Int.self) { count = value }
            guard count < monthlyReferralCap else { return }
        }
        let inserted = try await runner.run(
            """
            INSERT INTO referral_rewards (referee_id, level, user_id, credits) VALUES (\(referee), \(level), \(recipient), \(credits))
            ON CONFLICT (referee_id, level) DO NOTHING RETURNING id
            """, logger: logger)
        var wrote = false
        for try await _ in inserted { wrote = true }
        guard wrote else { return }
        try await ledger.apply(
            userID: recipient, delta: credits, reason: .referralReward, reference: "\(referee.uuidString):\(level)", on: runner)
    }
}

/// Referral codes for accounts created before codes existed (or by other means).
public enum ReferralCodes {
    /// 8 characters without look-alikes (0/O, 1/I/L), as the auth service generates them.
    public static let alphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")

    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<8).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }

    /// The user's code, assigning one if they have none. Writes only when one is assigned:
    /// a row that has a code is read, not rewritten with it.
    public static func ensure(userID: UUID, on runner: any SQLRunner, logger: Logger) async throws -> String? {
        for _ in 0..<5 {
            let candidate = generate()
            do {
                let rows = try await runner.run(
                    """
                    UPDATE users SET referral_code = \(candidate) WHERE id = \(userID) AND referral_code IS NULL RETURNING referral_code
                    """, logger: logger)
                for try await code in rows.decode(String?.self) { return code }
                let current = try await runner.run("SELECT referral_code FROM users WHERE id = \(userID)", logger: logger)
                for try await code in current.decode(String?.self) { return code }
                return nil
            } catch let error as PSQLError where error.isUniqueViolation {
                continue
            }
        }
        return nil
    }
}
