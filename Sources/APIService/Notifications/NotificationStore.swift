import Core
import Foundation
import Logging
import PostgresNIO

/// `notifications`, always scoped to their owner.
struct NotificationStore: Sendable {
    let database: Database
    var logger: Logger { database.logger }

    /// A row of `notifications`.
    struct Notification: Sendable, Equatable {
        var id: UUID
        var type: String
        var title: String
        var message: String
        /// Free-form details of the event (an article id, a plan).
        var data: JSONValue
        var readAt: Date?
        var createdAt: Date
    }

    static let columns = "id, type, title, message, data::text, read_at, created_at"

    func list(userID: UUID, unreadOnly: Bool, limit: Int) async throws -> [Notification] {
        let rows = try await database.client.query(
            """
            SELECT \(unescaped: Self.columns) FROM notifications
            WHERE user_id = \(userID) AND (\(!unreadOnly) OR read_at IS NULL)
            ORDER BY created_at DESC, id LIMIT \(limit)
            """, logger: logger)
        return try await Self.decode(rows)
    }

    func unreadCount(userID: UUID) async throws -> Int {
        for try await count in try await database.client.query(
            "SELECT count(*) FROM notifications WHERE user_id = \(userID) AND read_at IS NULL", logger: logger
        ).decode(Int.self) { return count }
        return 0
    }

    /// Nil when the notification does not exist or belongs to someone else.
    func markRead(id: UUID, userID: UUID) async throws -> Notification? {
        let rows = try await database.client.query(
            """
            UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE id = \(id) AND user_id = \(userID)
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        return try await Self.decode(rows).first
    }

    func markAllRead(userID: UUID) async throws -> Int {
        var count = 0
        for try await _ in try await database.client.query(
            "UPDATE notifications SET read_at = now() WHERE user_id = \(userID) AND read_at IS NULL RETURNING id", logger: logger
        ) { count += 1 }
        return count
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [Notification] {
        var items: [Notification] = []
        for try await (id, type, title, message, data, readAt, created) in rows.decode((UUID, String, String, String, String, Date?, Date).self) {
            items.append(
                Notification(
                    id: id, type: type, title: title, message: message,
                    data: (try? JSONDecoder().decode(JSONValue.self, from: Data(data.utf8))) ?? [:], readAt: readAt, createdAt: created))
        }
        return items
    }
}
