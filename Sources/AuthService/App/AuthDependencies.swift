import Core
import Foundation
import Logging

/// Everything the auth service's features need, built once by the composition root and
/// passed explicitly.
struct AuthDependencies: Sendable {
    let config: AuthConfig
    let database: Database
    let tokens: TokenService
    let users: UserStore
    let passwords: PasswordHasher
    let outbox: EmailOutbox
    let composer: EmailComposer
    let authenticator: AccessTokenAuthenticator
    let refreshTokens: RefreshTokenStore
    let audit: AuditLog
    /// Drops cached users as PostgreSQL announces their changes (run as a service).
    let changes: ChangeFeed
    let logger: Logger

    /// Runs `body` in one transaction, then wakes the e-mail sender if it queued mail.
    func transaction<T: Sendable>(_ body: @Sendable (any SQLRunner) async throws -> T) async throws -> T {
        let result = try await database.transaction { connection in try await body(connection) }
        outbox.doorbell.ring()
        return result
    }
}
