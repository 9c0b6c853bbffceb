import Core
import Foundation

/// Checks credentials and opens sessions. Every failure is the same
/// `LOGIN_BAD_CREDENTIALS`, and an unknown e-mail or a locked account costs the same
/// hashing work as a wrong password, so neither the answer nor its timing tells whether
/// an account exists or is locked.
struct LoginService: Sendable {
    let dependencies: AuthDependencies

    struct Session: Sendable {
        var user: UserRecord
        var accessToken: String
        var refreshToken: String
    }

    func login(email: String, password: String, origin: RequestOrigin) async throws -> Session {
        let user = try await authenticate(email: email, password: password, origin: origin)
        let dependencies = self.dependencies
        let issued = try await dependencies.transaction { runner in
            try await dependencies.users.clearFailedLogins(id: user.id, on: runner)
            try await dependencies.audit.record(.loginSuccess, userID: user.id, origin: origin, on: runner)
            return try await dependencies.refreshTokens.issue(userID: user.id, on: runner)
        }
        return Session(
            user: user, accessToken: try await dependencies.tokens.accessToken(for: user.id, session: issued.familyID), refreshToken: issued.token)
    }

    func authenticate(email: String, password: String, origin: RequestOrigin) async throws -> UserRecord {
        let dependencies = self.dependencies
        let users = dependencies.users
        let passwords = dependencies.passwords
        guard let user = try await users.user(email: email, on: dependencies.database.client) else {
            try await passwords.burnVerification(password)
            try await dependencies.audit.record(.loginFailure, userID: nil, origin: origin, details: ["reason": "unknown_user"])
            throw AuthError.loginBadCredentials
        }
        if let lockedUntil = user.lockedUntil, lockedUntil > Date() {
            try await passwords.burnVerification(password)
            try await dependencies.audit.record(.loginFailure, userID: user.id, origin: origin, details: ["reason": "locked"])
            throw AuthError.loginBadCredentials
        }
        guard case .match(let needsRehash) = try await passwords.verify(password, against: user.hashedPassword) else {
            let locked = try await users.recordFailedLogin(
                id: user.id, maxFailures: dependencies.config.maxFailedLogins, lockout: dependencies.config.lockoutDuration)
            try await dependencies.audit.record(.loginFailure, userID: user.id, origin: origin, details: ["reason": "bad_password"])
            if locked {
                try await dependencies.audit.record(.lockout, userID: user.id, origin: origin)
            }
            throw AuthError.loginBadCredentials
        }
        guard user.isActive else {
            try await dependencies.audit.record(.loginFailure, userID: user.id, origin: origin, details: ["reason": "inactive"])
            throw AuthError.loginBadCredentials
        }
        if needsRehash {
            // Old fastapi-users hashes (argon2, other bcrypt costs) move to bcrypt cost 10.
            let hash = try await passwords.hash(password)
            _ = try await users.update(id: user.id, .init(hashedPassword: hash), on: dependencies.database.client)
        }
        return user
    }

    /// Exchanges a refresh token for a new access token and the rotated refresh token.
    func refresh(_ token: String, origin: RequestOrigin) async throws -> Session {
        let dependencies = self.dependencies
        switch try await dependencies.refreshTokens.rotate(token) {
        case .invalid:
            throw AuthError.refreshTokenInvalid
        case .reused(let userID, let familyID):
            try await dependencies.audit.record(
                .refreshTokenReuse, userID: userID, origin: origin, details: ["family_id": .string(familyID.lowercasedString)])
            throw AuthError.refreshTokenInvalid
        case .rotated(let userID, let successor, let familyID):
            guard let user = try await dependencies.users.user(id: userID, on: dependencies.database.client), user.isActive else {
                throw AuthError.refreshTokenInvalid
            }
            return Session(
                user: user, accessToken: try await dependencies.tokens.accessToken(for: user.id, session: familyID), refreshToken: successor)
        }
    }

    func logout(userID: UUID?, refreshToken: String?, origin: RequestOrigin) async throws {
        if let refreshToken {
            try await dependencies.refreshTokens.revokeFamily(of: refreshToken)
        }
        try await dependencies.audit.record(.logout, userID: userID, origin: origin)
    }
}
