import Core
import Foundation

/// Creates accounts: checks the password policy, hashes, stores the user with their
/// referrer and queues the verification e-mail, in one transaction.
struct RegistrationService: Sendable {
    let dependencies: AuthDependencies

    func register(_ request: RegisterRequest, origin: RequestOrigin = .none) async throws -> UserRecord {
        if let reason = PasswordPolicy.violation(password: request.password, email: request.email) {
            throw AuthError.registerInvalidPassword(reason: reason)
        }
        let users = dependencies.users
        // Fail fast without hashing when the address is taken; the unique index still
        // decides races.
        if try await users.user(email: request.email, on: dependencies.database.client) != nil {
            throw AuthError.registerUserAlreadyExists
        }
        let hash = try await dependencies.passwords.hash(request.password)
        let dependencies = self.dependencies
        return try await dependencies.transaction { runner in
            // An unknown code is ignored: registration must not fail over a stale link.
            var referrer: UUID?
            if let code = request.referralCode, !code.isEmpty {
                referrer = try await users.user(referralCode: code, on: runner)?.id
            }
            let user = try await users.create(
                .init(email: request.email, hashedPassword: hash, name: request.name, referredBy: referrer), on: runner)
            try await AccountLifecycle.userRegistered(userID: user.id, on: runner, logger: dependencies.logger)
            let token = try await dependencies.tokens.verifyToken(for: user.id, email: user.email)
            try await dependencies.outbox.enqueue(
                dependencies.composer.verification(userID: user.id, email: user.email, name: user.name, token: token), on: runner)
            try await dependencies.audit.record(.register, userID: user.id, origin: origin, on: runner)
            return user
        }
    }
}
