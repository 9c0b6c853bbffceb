import Core
import Foundation

/// Forgot / reset password with fastapi-users' rules: the token names the user and
/// fingerprints their password hash, so it works once and dies with any password change.
struct PasswordResetService: Sendable {
    let dependencies: AuthDependencies

    func forgotPassword(email: String) async throws {
        let dependencies = self.dependencies
        guard let user = try await dependencies.users.user(email: email, on: dependencies.database.client), user.isActive else {
            return
        }
        let token = try await dependencies.tokens.resetToken(for: user.id, passwordHash: user.hashedPassword)
        try await dependencies.transaction { runner in
            try await dependencies.outbox.enqueue(
                dependencies.composer.passwordReset(userID: user.id, email: user.email, name: user.name, token: token), on: runner)
        }
    }

    func resetPassword(token: String, newPassword: String, origin: RequestOrigin = .none) async throws {
        let dependencies = self.dependencies
        guard let claims = try? await dependencies.tokens.verifyResetToken(token),
            let id = UUID(parsing: claims.subject),
            let user = try await dependencies.users.user(id: id, on: dependencies.database.client),
            user.isActive,
            try await fingerprintMatches(claims.passwordFingerprint, passwordHash: user.hashedPassword)
        else { throw AuthError.resetPasswordBadToken }
        if let reason = PasswordPolicy.violation(password: newPassword, email: user.email) {
            throw AuthError.resetPasswordInvalidPassword(reason: reason)
        }
        let hash = try await dependencies.passwords.hash(newPassword)
        // A reset unlocks the account and ends every session: whoever knew the old
        // password, or holds a refresh token, is out.
        try await dependencies.transaction { runner in
            _ = try await dependencies.users.update(id: user.id, .init(hashedPassword: hash), on: runner)
            try await dependencies.users.clearFailedLogins(id: user.id, on: runner)
            try await dependencies.refreshTokens.revokeAll(userID: user.id, on: runner)
            try await dependencies.audit.record(.passwordReset, userID: user.id, origin: origin, on: runner)
        }
    }

    /// Ours are keyed digests; tokens issued by the replaced fastapi-users service carry
    /// an argon2 hash of the stored hash instead, and stay valid for their hour.
    func fingerprintMatches(_ fingerprint: String, passwordHash: String) async throws -> Bool {
        if fingerprint.hasPrefix("$argon2") {
            return try await dependencies.passwords.verify(passwordHash, against: fingerprint) != .mismatch
        }
        return dependencies.tokens.passwordFingerprintMatches(fingerprint, passwordHash: passwordHash)
    }
}
