import Core
import Foundation
import Logging
import PostgresNIO

/// `email_outbox`: the queue between a change and the mail it causes.
struct EmailOutbox: Sendable {
    let database: Database
    /// Rung after a commit that queued mail, so that the sender does not wait for its poll.
    let doorbell: Doorbell

    struct Claimed: Sendable {
        var id: UUID
        var message: EmailMessage
        var attempts: Int
    }

    /// Messages waiting to go out, and how long the oldest has waited (for `/metrics`).
    func backlog() async throws -> (depth: Int, oldestAgeSeconds: Double) {
        let rows = try await database.client.query(
            """
            SELECT count(*)::int, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8
            FROM email_outbox WHERE status = 'pending'
            """, logger: database.logger)
        for try await (depth, age) in rows.decode((Int, Double).self) { return (depth, age) }
        return (0, 0)
    }

    /// Queues `message` on `runner`, which should be the transaction that made the change,
    /// so that the mail exists exactly when the change does.
    func enqueue(_ message: EmailMessage, on runner: any SQLRunner) async throws {
        try await message.enqueue(on: runner, logger: database.logger)
    }

    /// Leases up to `limit` due messages. The lease (`next_attempt_at` pushed forward)
    /// keeps other replicas off them; a sender that dies mid-send leaves them to be
    /// retried once the lease runs out.
    func claimDue(limit: Int, lease: Duration) async throws -> [Claimed] {
        let leaseSeconds = Double(lease.components.seconds)
        let rows = try await database.client.query(
            """
            UPDATE email_outbox SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => \(leaseSeconds))
            WHERE id IN (
                SELECT id FROM email_outbox WHERE status = 'pending' AND next_attempt_at <= now()
                ORDER BY next_attempt_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING id, kind, user_id, to_address, subject, text_body, html_body, dedupe_key, attempts
            """, logger: database.logger)
        var claimed: [Claimed] = []
        for try await (id, kind, userID, to, subject, text, html, dedupe, attempts) in rows.decode(
            (UUID, String, UUID?, String, String, String, String, String?, Int).self)
        {
            claimed.append(
                Claimed(
                    id: id,
                    message: EmailMessage(kind: kind, userID: userID, to: to, subject: subject, text: text, html: html, dedupeKey: dedupe),
                    attempts: attempts))
        }
        return claimed
    }

    func markDelivered(_ id: UUID, status: String) async throws {
        try await database.client.query(
            "UPDATE email_outbox SET status = \(status), sent_at = now(), last_error = NULL WHERE id = \(id)", logger: database.logger)
    }

    func markFailed(_ id: UUID, error: String, retryAfter: Duration?) async throws {
        if let retryAfter {
            let seconds = Double(retryAfter.components.seconds)
            try await database.client.query(
                "UPDATE email_outbox SET last_error = \(error), next_attempt_at = now() + make_interval(secs => \(seconds)) WHERE id = \(id)",
                logger: database.logger)
        } else {
            try await database.client.query(
                "UPDATE email_outbox SET status = 'failed', last_error = \(error) WHERE id = \(id)", logger: database.logger)
        }
    }
}
