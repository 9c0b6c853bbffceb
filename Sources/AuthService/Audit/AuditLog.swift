import Core
import Foundation
import PostgresNIO

/// Security events, for admins (read through the API service) and incident response.
enum AuditEvent: String, Sendable {
    case register
    case loginSuccess = "login_success"
    case loginFailure = "login_failure"
    case lockout
    case passwordReset = "password_reset"
    case passwordChange = "password_change"
    case emailChange = "email_change"
    case roleChange = "role_change"
    case userUpdate = "user_update"
    case userDelete = "user_delete"
    case refreshTokenReuse = "refresh_token_reuse"
    case logout
    case emailVerified = "email_verified"
    case adminBootstrap = "admin_bootstrap"
    case oauthLink = "oauth_link"
    /// A provider's verified e-mail claimed an unverified account: every other way in was removed.
    case accountClaimed = "account_claimed"
}

/// Who did it and from where.
struct RequestOrigin: Sendable {
    var ip: String?
    var userAgent: String?

    static let none = RequestOrigin()
}

struct AuditLog: Sendable {
    let database: Database

    func record(
        _ event: AuditEvent, userID: UUID?, actorID: UUID? = nil, origin: RequestOrigin, details: JSONValue = [:],
        on runner: (any SQLRunner)? = nil
    ) async throws {
        let detailsText = String(decoding: details.encodedData(), as: UTF8.self)
        try await (runner ?? database.client).run(
            """
            INSERT INTO audit_log (event, user_id, actor_id, ip, user_agent, details)
            VALUES (\(event.rawValue), \(userID), \(actorID ?? userID), \(origin.ip), \(origin.userAgent), \(detailsText)::jsonb)
            """, logger: database.logger)
    }
}
