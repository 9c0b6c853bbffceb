import Core
import Foundation

/// E-mail verification: issuing tokens and consuming them, with fastapi-users' rules.
struct VerificationService: Sendable {
    let dependencies: AuthDependencies

    /// Queues a verification mail when the address belongs to an active, unverified user.
    /// Says nothing either way (no account enumeration).
    func requestToken(email: String) async throws {
        let dependencies = self.dependencies
        guard let user = try await dependencies.users.user(email: email, on: dependencies.database.client),
            user.isActive, !user.isVerified
        else { return }
        let token = try await dependencies.tokens.verifyToken(for: user.id, email: user.email)
        try await dependencies.transaction { runner in
            try await dependencies.outbox.enqueue(
                dependencies.composer.verification(userID: user.id, email: user.email, name: user.name, token: token), on: runner)
        }
    }

    func verify(token: String, origin: RequestOrigin = .none) async throws -> UserRecord {
        let dependencies = self.dependencies
        guard let claims = try? await dependencies.tokens.verifyVerificationToken(token),
            let id = UUID(parsing: claims.subject),
            let user = try await dependencies.users.user(email: claims.email, on: dependencies.database.client),
            user.id == id
        else { throw AuthError.verifyUserBadToken }
        guard !user.isVerified else { throw AuthError.verifyUserAlreadyVerified }
        return try await dependencies.transaction { runner in
            guard let verified = try await dependencies.users.update(id: user.id, .init(isVerified: true), on: runner) else {
                throw AuthError.verifyUserBadToken
            }
            try await AccountLifecycle.userVerified(userID: verified.id, on: runner, logger: dependencies.logger)
            try await dependencies.outbox.enqueue(
                dependencies.composer.welcome(userID: verified.id, email: verified.email, name: verified.name), on: runner)
            try await dependencies.audit.record(.emailVerified, userID: verified.id, origin: origin, on: runner)
            return verified
        }
    }
}
