import Core
import Crypto
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// The automatic e-mails: quota warning and reached, period reset, subscription started,
/// cancelled and payment failed, article published. Whatever creates such a notification
/// (credit settlement, billing webhooks, publishing) gets its e-mail from here: due rows
/// are claimed with `SKIP LOCKED` (several replicas share the work), rendered, queued in
/// the shared outbox with the notification's id as dedupe key, and marked in the same
/// transaction. The user's e-mail settings decide; an opted-out category is marked too.
struct NotificationMailer: Service {
    let database: Database
    let renderer: EmailRenderer
    let unsubscribe: UnsubscribeLinks
    let interval: Duration
    var logger: Logger { database.logger }

    /// Notification type → the e-mail setting that governs it, and where its button leads.
    static let kinds: [String: (category: String, action: String, path: String)] = [
        "quota_warning": ("quotaWarnings", "See your usage", "/subscription"),
        "quota_reached": ("quotaWarnings", "Upgrade your plan", "/subscription"),
        "usage_reset": ("usageReset", "Start creating", "/dashboard"),
        "subscription_started": ("subscription", "Manage your plan", "/subscription"),
        "subscription_cancelled": ("subscription", "Manage your plan", "/subscription"),
        "payment_failed": ("subscription", "Update payment method", "/subscription"),
        "article_published": ("articlePublished", "View your articles", "/articles"),
    ]

    static func makeRenderer(frontendURL: String) throws -> EmailRenderer {
        try EmailRenderer(
            frontendURL: frontendURL,
            templates: [
                "notice.html": """
                <p>Hi{{#name}} {{name}}{{/name}},</p>
                <p>{{message}}</p>
                <p><a href="{{link}}" style="display:inline-block;background:#4f46e5;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none">{{action}}</a></p>
                """,
                "notice.text": """
                Hi{{#name}} {{{name}}}{{/name}},

                {{{message}}}

                {{{action}}}: {{{link}}}
                """,
            ])
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    while try await processBatch() == Self.batchSize {}
                } catch {
                    logger.warning("notification mailer failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                }
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return  // cancelled: shutting down, so no further batch
                }
            }
        }
    }

    static let batchSize = 50

    /// Handles up to one batch; returns how many notifications it took.
    @discardableResult
    func processBatch() async throws -> Int {
        let renderer = self.renderer
        let unsubscribe = self.unsubscribe
        let logger = self.logger
        let types = Array(Self.kinds.keys)
        return try await database.transaction { runner in
            let rows = try await runner.run(
                """
                SELECT n.id, n.user_id, n.type, n.title, n.message, u.email, u.name, u.is_active, coalesce(s.email_settings::text, '{}')
                FROM notifications n JOIN users u ON u.id = n.user_id LEFT JOIN user_settings s ON s.user_id = n.user_id
                WHERE n.emailed_at IS NULL AND n.type = ANY(\(types))
                ORDER BY n.created_at LIMIT \(Self.batchSize) FOR UPDATE OF n SKIP LOCKED
                """, logger: logger)
            var handled: [UUID] = []
            var messages: [EmailMessage] = []
            for try await (id, userID, type, title, message, email, name, active, settingsText) in rows.decode(
                (UUID, UUID, String, String, String, String, String?, Bool, String).self)
            {
                handled.append(id)
                guard active, let kind = Self.kinds[type] else { continue }
                let settings = SettingsStore.EmailSettings(stored: (try? JSONDecoder().decode(JSONValue.self, from: Data(settingsText.utf8))) ?? [:])
                guard settings.json[kind.category]?.boolValue == true else { continue }
                var mail = renderer.render(
                    kind: type, userID: userID, to: email, subject: title, template: "notice",
                    values: ["name": name ?? "", "message": message, "action": kind.action, "link": renderer.frontendURL + kind.path],
                    footerLink: unsubscribe.link(userID: userID, category: kind.category))
                mail.dedupeKey = "notification:\(id.lowercasedString)"
                messages.append(mail)
            }
            for message in messages { try await message.enqueue(on: runner, logger: logger) }
            if !handled.isEmpty {
                try await runner.run("UPDATE notifications SET emailed_at = now() WHERE id = ANY(\(handled))", logger: logger)
            }
            return handled.count
        }
    }
}

/// Signed one-click unsubscribe links (no login needed): the token names the user and the
/// e-mail category and carries an HMAC under `SECRET`.
struct UnsubscribeLinks: Sendable {
    let key: SymmetricKey
    let baseURL: String

    init(secret: String, baseURL: String) {
        key = SymmetricKey(data: SHA256.hash(data: Data(("unsubscribe:" + secret).utf8)))
        self.baseURL = baseURL
    }

    func token(userID: UUID, category: String) -> String {
        let payload = Data("\(userID.lowercasedString):\(category)".utf8).base64URLEncodedString()
        return payload + "." + Data(HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: key)).base64URLEncodedString()
    }

    func link(userID: UUID, category: String) -> String {
        baseURL + "/api/v1/email/unsubscribe?token=" + token(userID: userID, category: category)
    }

    func verify(_ token: String) -> (userID: UUID, category: String)? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let signature = Data(base64URLEncoded: String(parts[1])),
            HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: Data(parts[0].utf8), using: key),
            let data = Data(base64URLEncoded: String(parts[0])), let text = String(data: data, encoding: .utf8)
        else { return nil }
        let fields = text.split(separator: ":", maxSplits: 1)
        guard fields.count == 2, let id = UUID(parsing: String(fields[0])) else { return nil }
        return (id, String(fields[1]))
    }
}
