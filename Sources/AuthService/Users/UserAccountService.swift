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

    func update(
        _ user: UserRecord, with request: UserUpdateRequest, scope: Scope, actorID: UUID? = nil, origin: RequestOrigin = .none
    ) async throws -> UserRecord {
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
            if let admin = try Self.adminChange(request) {
                // Nobody changes their own role: a superuser who could would undo their
                // own demotion, and one who demotes themselves locks the platform out.
                if user.id == actorID, admin != user.isAdmin { throw CoreError.forbidden }
                // `role` is the one source of truth for "is admin"; `is_superuser` is
                // fastapi-users' name for it, kept equal by a CHECK constraint.
                changes.role = admin ? .admin : .user
                changes.isSuperuser = admin
            }
        }
        let finalChanges = changes
        let sendVerification = emailChanged && (finalChanges.isVerified == false)
        let actor = actorID ?? user.id
        return try await dependencies.transaction { runner in
            guard let updated = try await dependencies.users.update(id: user.id, finalChanges, on: runner) else {
                throw CoreError.notFound
            }
            if finalChanges.hashedPassword != nil {
                // A new password ends the other sessions.
                try await dependencies.refreshTokens.revokeAll(userID: user.id, on: runner)
                try await dependencies.audit.record(.passwordChange, userID: user.id, actorID: actor, origin: origin, on: runner)
            }
            if updated.email != user.email {
                try await dependencies.audit.record(
                    .emailChange, userID: user.id, actorID: actor, origin: origin,
                    details: ["from": .string(user.email), "to": .string(updated.email)], on: runner)
            }
            if updated.isAdmin != user.isAdmin || updated.isSuperuser != user.isSuperuser {
                try await dependencies.audit.record(
                    .roleChange, userID: user.id, actorID: actor, origin: origin,
                    details: ["role": .string(updated.role.rawValue), "is_superuser": .bool(updated.isSuperuser)], on: runner)
            }
            if updated.isActive != user.isActive || updated.isVerified != user.isVerified, scope == .superuser {
                try await dependencies.audit.record(
                    .userUpdate, userID: user.id, actorID: actor, origin: origin,
                    details: ["is_active": .bool(updated.isActive), "is_verified": .bool(updated.isVerified)], on: runner)
            }
            if sendVerification {
                let token = try await dependencies.tokens.verifyToken(for: updated.id, email: updated.email)
                try await dependencies.outbox.enqueue(
                    dependencies.composer.verification(userID: updated.id, email: updated.email, name: updated.name, token: token), on: runner)
            }
            return updated
        }
    }

    /// Whether the request makes the user an admin (true), not one (false), or leaves the
    /// role alone (nil). `is_superuser` and `role` name the same thing: a request that
    /// sets them to opposite values is refused rather than half applied.
    static func adminChange(_ request: UserUpdateRequest) throws -> Bool? {
        let byRole = request.role.map { $0 == .admin }
        if let byRole, let superuser = request.isSuperuser, byRole != superuser {
            throw CoreError.invalidInput([
                ValidationIssue(
                    type: "value_error", path: [.string("role")], message: "Value error, role and is_superuser disagree",
                    input: .string(request.role?.rawValue ?? ""))
            ])
        }
        return byRole ?? request.isSuperuser
    }

    func delete(id: UUID, actorID: UUID, origin: RequestOrigin = .none) async throws -> Bool {
        let dependencies = self.dependencies
        return try await dependencies.transaction { runner in
            // Recorded first: the row's user_id is nulled when the user goes; details keep it.
            try await dependencies.audit.record(
                .userDelete, userID: id, actorID: actorID, origin: origin, details: ["user_id": .string(id.lowercasedString)], on: runner)
            guard try await dependencies.users.delete(id: id, on: runner) else { throw CoreError.notFound }
            return true
        }
    }
}
