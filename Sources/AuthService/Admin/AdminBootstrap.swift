import Core
import Foundation
import Logging

/// `AuthService create-admin`: makes sure an active, verified superuser with this e-mail
/// and password exists. Idempotent: running it again leaves the same state.
enum AdminBootstrap {
    enum Outcome: Equatable {
        case created(UUID)
        case promoted(UUID)
    }

    static func run(config: AuthConfig, email rawEmail: String, password: String, logger: Logger) async throws -> Outcome {
        guard case .success(let email) = EmailAddress.normalize(rawEmail) else {
            throw ValidationFailure(message: "'\(rawEmail)' is not a valid e-mail address")
        }
        if let reason = PasswordPolicy.violation(password: password, email: email) {
            throw ValidationFailure(message: reason)
        }
        let database = try Database(url: config.core.database, poolSize: 2, logger: logger)
        let passwords = PasswordHasher(cost: config.bcryptCost)
        let hash = try await passwords.hash(password)
        return try await database.withRunningClient { database in
            if config.core.autoMigrate {
                try await SchemaMigrator(database: database).migrate()
            }
            let users = UserStore(database: database)
            let audit = AuditLog(database: database)
            return try await database.client.withTransaction(logger: logger) { connection in
                let outcome: Outcome
                if let existing = try await users.user(email: email, on: connection) {
                    _ = try await users.update(
                        id: existing.id,
                        .init(hashedPassword: hash, isActive: true, isSuperuser: true, isVerified: true, role: .admin), on: connection)
                    try await users.clearFailedLogins(id: existing.id, on: connection)
                    outcome = .promoted(existing.id)
                } else {
                    let user = try await users.create(
                        .init(email: email, hashedPassword: hash, isVerified: true, isSuperuser: true), on: connection)
                    outcome = .created(user.id)
                }
                let id: UUID
                switch outcome {
                case .created(let created): id = created
                case .promoted(let promoted): id = promoted
                }
                try await audit.record(.adminBootstrap, userID: id, origin: .none, details: ["via": "create-admin"], on: connection)
                return outcome
            }
        }
    }

    struct ValidationFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
