import Foundation
import Logging

/// A rendered message, as queued in `email_outbox` (by either service; the auth
/// service's sender delivers them).
public struct EmailMessage: Sendable, Equatable {
    public var kind: String
    public var userID: UUID?
    public var to: String
    public var subject: String
    public var text: String
    public var html: String
    /// Same key, same event: the second enqueue is a no-op.
    public var dedupeKey: String?

    public init(kind: String, userID: UUID?, to: String, subject: String, text: String, html: String, dedupeKey: String? = nil) {
        self.kind = kind
        self.userID = userID
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.dedupeKey = dedupeKey
    }

    /// Queues the message on `runner`, which should be the transaction that made the
    /// change, so that the mail exists exactly when the change does.
    public func enqueue(on runner: any SQLRunner, logger: Logger) async throws {
        try await runner.run(
            """
            INSERT INTO email_outbox (kind, user_id, to_address, subject, text_body, html_body, dedupe_key)
            VALUES (\(kind), \(userID), \(to), \(subject), \(text), \(html), \(dedupeKey))
            ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
            """, logger: logger)
    }
}
