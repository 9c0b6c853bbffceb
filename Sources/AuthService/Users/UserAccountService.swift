import Core
import Foundation

/// Profile changes with fastapi-users' rules: a new e-mail must be free and makes the
/// account unverified again (a verification mail goes to the new address); a new
/// password must pass the policy.
struct UserAccountService: Sendable {
    let dependencies: AuthDependencies

    /// What the caller may change: themselves (safe) or anyone (a superuser).
    enum Scope {
        case own
        case superuser
    }

    func user(id: UUID) async throws -> UserRecord? {
        try await dependencies.users.user(id: id, on: dependencies.database.client)
    }

    func update(_ user: UserRecord, with request: UserUpdateRequest, scope: Scope) async throws -> UserRecord {
        var changes = UserStore.Changes(name: request.name, avatarURL: request.avatarURL)
        let dependencies = self.dependencies
        var emailChanged = false
        if let email = request.email, email != user.email {
            // As fastapi-users: any other spelling of a taken address is refused, including
            // the user's own address in another case.
            if try await dependencies.users.user(email: email, on: dependencies.database.client) != nil {
                throw AuthError.updateUserEmailAlreadyExists
            }
            changes.email = email
            changes.isVerified = false
            emailChanged = email.lowercased() != user.email.lowercased()
        }
        if let password = request.password {
            if let reason = PasswordPolicy.violation(password: password, email: changes.email ?? user.email) {
                throw AuthError.updateUserInvalidPassword(reason: reason)
            }
            changes.hashedPassword = try await dependencies.passwords.hash(password)
        }
        if scope == .superuser {
            if let active = request.isActive { changes.isActive = active }
            if let verified = request.isVerified { changes.isVerified = verified }
            if let superuser = request.isSuperuser {
                changes.isSuperuser = superuser
                // Superusers are admins; revoking superuser leaves the role to `role`.
                if superuser { changes.role = .admin }
            }
            if let role = request.role { changes.role = role }
        }
        let finalChanges = changes
        let sendVerification = emailChanged && (finalChanges.isVerified == false)
        return try await dependencies.transaction { runner in
            guard let updated = try await dependencies.users.update(id: user.id, finalChanges, on: runner) else {
                throw CoreError.notFound
            }
            if sendVerification {
                let token = try await dependencies.tokens.verifyToken(for: updated.id, email: updated.email)
                try await dependencies.outbox.enqueue(
                    dependencies.composer.verification(userID: updated.id, email: updated.email, name: updated.name, token: token), on: runner)
            }
            return updated
        }
    }

    func delete(id: UUID) async throws -> Bool {
        try await dependencies.users.delete(id: id, on: dependencies.database.client)
    }
}
