import Core
import Foundation
import Hummingbird
import Logging

extension AppRequestContext {
    /// The caller if an admin (`role = admin` or `is_superuser`); 403 FORBIDDEN for
    /// everyone else. Unauthenticated callers never get here (401 from the group's
    /// middleware). Roles are read through the user cache, so a promotion or demotion
    /// applies within `USER_CACHE_TTL_SECONDS` (≤ 30 s).
    func requireAdmin() throws -> UserRecord {
        let user = try requireUser()
        guard user.isAdmin else { throw CoreError.forbidden }
        return user
    }
}

/// Admin changes in `audit_log` (the table the auth service writes), always inside the
/// change's own transaction: a change without its audit row cannot be committed.
struct AdminAudit: Sendable {
    enum Event: String, Sendable {
        case userUpdate = "admin_user_update"
        case creditAdjust = "admin_credit_adjust"
        case settingsUpdate = "admin_settings_update"
        /// Usage recorded by an admin for another user (POST /token-usage/sync).
        case usageSync = "admin_usage_sync"
    }

    /// Who made the change and from where.
    struct Actor: Sendable {
        var id: UUID
        var ip: String?
        var userAgent: String?

        init(admin: UserRecord, request: Request, context: AppRequestContext) {
            id = admin.id
            ip = context.clientIP ?? context.peerIP
            userAgent = request.headers[.userAgent].map { String($0.prefix(500)) }
        }
    }

    let logger: Logger

    func record(_ event: Event, userID: UUID?, actor: Actor, details: JSONValue, on runner: any SQLRunner) async throws {
        try await runner.run(
            """
            INSERT INTO audit_log (event, user_id, actor_id, ip, user_agent, details)
            VALUES (\(event.rawValue), \(userID), \(actor.id), \(actor.ip), \(actor.userAgent), \(details.encodedString)::jsonb)
            """, logger: logger)
    }
}
