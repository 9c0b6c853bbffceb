import Foundation

/// A rendered message, as queued in `email_outbox`.
struct EmailMessage: Sendable, Equatable {
    var kind: String
    var userID: UUID?
    var to: String
    var subject: String
    var text: String
    var html: String
    /// Same key, same event: the second enqueue is a no-op.
    var dedupeKey: String?
}
