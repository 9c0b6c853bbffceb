import Core
import Foundation
import Logging
import PostgresNIO

/// `users` as the auth service writes it.
struct UserStore: Sendable {
    let database: Database
    /// The authenticator's cache; every write drops the user from it.
    var cache: CachedUserDirectory?
    var logger: Logger { database.logger }
    static let columns = PostgresUserDirectory.columns

    struct NewUser: Sendable {
        var email: String
        var hashedPassword: String
        var name: String?
        var isVerified = false
        var isSuperuser = false
        var referredBy: UUID?
    }

    /// The changes a PATCH may make; nil leaves a column as it is.
    struct Changes: Sendable {
        var email: String?
        var hashedPassword: String?
        var isActive: Bool?
        var isSuperuser: Bool?
        var isVerified: Bool?
        var role: UserRecord.Role?
        var name: String??
        var avatarURL: String??

        var isEmpty: Bool {
            email == nil && hashedPassword == nil && isActive == nil && isSuperuser == nil && isVerified == nil && role == nil
                && name == nil && avatarURL == nil
        }
    }

    func user(id: UUID, on runner: any SQLRunner) async throws -> UserRecord? {
        try await first(runner.run("SELECT \(unescaped: Self.columns) FROM users WHERE id = \(id)", logger: logger))
    }

    func user(email: String, on runner: any SQLRunner) async throws -> UserRecord? {
        try await first(runner.run("SELECT \(unescaped: Self.columns) FROM users WHERE lower(email) = lower(\(email))", logger: logger))
    }

    func user(referralCode: String, on runner: any SQLRunner) async throws -> UserRecord? {
        try await first(runner.run("SELECT \(unescaped: Self.columns) FROM users WHERE referral_code = \(referralCode.uppercased())", logger: logger))
    }

    /// Inserts the user; a taken e-mail (compared case-insensitively) is
    /// `registerUserAlreadyExists`, also when two registrations race.
    func create(_ new: NewUser, on runner: any SQLRunner) async throws -> UserRecord {
        for _ in 0..<5 {
            let code = ReferralCode.generate()
            do {
                let rows = try await runner.run(
                    """
                    INSERT INTO users (email, hashed_password, name, is_verified, is_superuser, role, referral_code, referred_by)
                    VALUES (\(new.email), \(new.hashedPassword), \(new.name), \(new.isVerified), \(new.isSuperuser),
                            \(new.isSuperuser ? "admin" : "user"), \(code), \(new.referredBy))
                    RETURNING \(unescaped: Self.columns)
                    """, logger: logger)
                if let user = try await first(rows) { return user }
            } catch let error as PSQLError where error.isUniqueViolation {
                if error.constraintName == "users_referral_code_key" { continue }
                throw AuthError.registerUserAlreadyExists
            }
        }
        throw AuthError.registerUserAlreadyExists
    }

    /// Applies `changes` and returns the updated row (nil if the user vanished). A taken
    /// e-mail is `updateUserEmailAlreadyExists`.
    func update(id: UUID, _ changes: Changes, on runner: any SQLRunner) async throws -> UserRecord? {
        if changes.isEmpty { return try await user(id: id, on: runner) }
        var bindings = PostgresBindings()
        var assignments: [String] = []
        func set<T: PostgresEncodable>(_ column: String, _ value: T?) throws {
            if let value { try bindings.append(value) } else { bindings.appendNull() }
            assignments.append("\(column) = $\(bindings.count)")
        }
        if let email = changes.email { try set("email", email) }
        if let hash = changes.hashedPassword { try set("hashed_password", hash) }
        if let active = changes.isActive { try set("is_active", active) }
        if let superuser = changes.isSuperuser { try set("is_superuser", superuser) }
        if let verified = changes.isVerified { try set("is_verified", verified) }
        if let role = changes.role { try set("role", role.rawValue) }
        if let name = changes.name { try set("name", name) }
        if let avatar = changes.avatarURL { try set("avatar_url", avatar) }
        assignments.append("updated_at = now()")
        try bindings.append(id)
        let sql = "UPDATE users SET \(assignments.joined(separator: ", ")) WHERE id = $\(bindings.count) RETURNING \(Self.columns)"
        defer { cache?.invalidate(id: id) }
        do {
            return try await first(runner.run(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger))
        } catch let error as PSQLError where error.isUniqueViolation {
            throw AuthError.updateUserEmailAlreadyExists
        }
    }

    /// Counts a failed login; locks the account when the count reaches `maxFailures`.
    /// Returns true when this failure locked it. Atomic, so parallel guesses all count.
    func recordFailedLogin(id: UUID, maxFailures: Int, lockout: Duration) async throws -> Bool {
        defer { cache?.invalidate(id: id) }
        let seconds = Double(lockout.components.seconds)
        let rows = try await database.client.query(
            """
            UPDATE users SET
                failed_login_attempts = CASE WHEN failed_login_attempts + 1 >= \(maxFailures) THEN 0 ELSE failed_login_attempts + 1 END,
                locked_until = CASE WHEN failed_login_attempts + 1 >= \(maxFailures) THEN now() + make_interval(secs => \(seconds)) ELSE locked_until END
            WHERE id = \(id)
            RETURNING locked_until IS NOT NULL AND locked_until > now() + make_interval(secs => \(seconds - 5))
            """, logger: logger)
        for try await locked in rows.decode(Bool.self) { return locked }
        return false
    }

    /// Clears failures and any lock (successful login, password reset).
    func clearFailedLogins(id: UUID, on runner: any SQLRunner) async throws {
        defer { cache?.invalidate(id: id) }
        try await runner.run(
            "UPDATE users SET failed_login_attempts = 0, locked_until = NULL WHERE id = \(id) AND (failed_login_attempts > 0 OR locked_until IS NOT NULL)",
            logger: logger)
    }

    /// True when a row was deleted.
    func delete(id: UUID, on runner: any SQLRunner) async throws -> Bool {
        defer { cache?.invalidate(id: id) }
        let rows = try await runner.run("DELETE FROM users WHERE id = \(id) RETURNING id", logger: logger)
        for try await _ in rows { return true }
        return false
    }

    private func first(_ rows: PostgresRowSequence) async throws -> UserRecord? {
        for try await row in rows {
            return try PostgresUserDirectory.decode(row)
        }
        return nil
    }
}

/// Human-friendly referral codes: 8 characters without look-alikes (0/O, 1/I/L).
enum ReferralCode {
    static let alphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")

    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<8).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}
