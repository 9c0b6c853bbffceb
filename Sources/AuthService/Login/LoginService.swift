import Core
import Foundation

/// Checks credentials. Every failure is the same `LOGIN_BAD_CREDENTIALS`, and an unknown
/// e-mail costs the same hashing work as a wrong password, so neither the answer nor its
/// timing tells whether an account exists.
struct LoginService: Sendable {
    let dependencies: AuthDependencies

    func authenticate(email: String, password: String) async throws -> UserRecord {
        let users = dependencies.users
        let passwords = dependencies.passwords
        guard let user = try await users.user(email: email, on: dependencies.database.client) else {
            try await passwords.burnVerification(password)
            throw AuthError.loginBadCredentials
        }
        guard case .match(let needsRehash) = try await passwords.verify(password, against: user.hashedPassword) else {
            throw AuthError.loginBadCredentials
        }
        guard user.isActive else { throw AuthError.loginBadCredentials }
        if needsRehash {
            // Old fastapi-users hashes (argon2, other bcrypt costs) move to bcrypt cost 10.
            let hash = try await passwords.hash(password)
            _ = try await users.update(id: user.id, .init(hashedPassword: hash), on: dependencies.database.client)
        }
        return user
    }

    func accessToken(for user: UserRecord) async throws -> String {
        try await dependencies.tokens.accessToken(for: user.id)
    }
}
