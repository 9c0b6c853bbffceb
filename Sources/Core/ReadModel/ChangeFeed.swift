import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import ServiceLifecycle

/// Row changes announced by PostgreSQL (`NOTIFY nova_changes`, sent after commit by the
/// triggers at the end of `schema.sql`), for caches that must not show what another
/// replica, the other service or a psql session has since changed.
///
/// One connection of its own (outside the pool, so a busy pool cannot delay it) runs
/// `LISTEN`. While it is not listening the feed is not *live*: caches built on it then
/// store nothing, and every time the feed goes down or comes back up it sends
/// `.everything`, because changes made meanwhile were not announced to it.
public final class ChangeFeed: Service, Sendable {
    public static let channel = "nova_changes"

    public enum Change: Sendable, Equatable {
        /// A row of `table` belonging to this user changed.
        case row(table: String, userID: UUID)
        /// Some row of a catalogue table (`plans`, `feature_prices`, `admin_settings`).
        case table(String)
        /// Anything may have changed.
        case everything

        /// A notification's payload: "<table>:<user id>" or "<table>".
        public init?(payload: String) {
            guard let colon = payload.firstIndex(of: ":") else {
                guard !payload.isEmpty else { return nil }
                self = .table(payload)
                return
            }
            guard let id = UUID(parsing: String(payload[payload.index(after: colon)...])) else { return nil }
            self = .row(table: String(payload[..<colon]), userID: id)
        }
    }

    struct State {
        var live = false
        var observers: [@Sendable (Change) -> Void] = []
    }

    private let state = NIOLockedValueBox(State())
    let connect: @Sendable (Logger) async throws -> PostgresConnection
    let logger: Logger
    let retryDelay: Duration

    public init(database: Database, retryDelay: Duration = .seconds(1)) {
        let url = database.url
        self.connect = { logger in
            try await PostgresConnection.connect(configuration: try url.connectionConfiguration(), id: 0, logger: logger)
        }
        self.logger = database.logger
        self.retryDelay = retryDelay
    }

    /// Whether changes are being received now: only then may a cache keep what it read.
    public var isLive: Bool { state.withLockedValue { $0.live } }

    /// `observer` is called, on the feed's task, for every change; it must not block.
    public func observe(_ observer: @escaping @Sendable (Change) -> Void) {
        state.withLockedValue { $0.observers.append(observer) }
    }

    func deliver(_ change: Change) {
        for observer in state.withLockedValue({ $0.observers }) { observer(change) }
    }

    /// Going down first stops new fills, then drops what is held; coming up drops fills
    /// that began before the LISTEN took effect.
    func setLive(_ live: Bool) {
        let changed = state.withLockedValue { state in
            defer { state.live = live }
            return state.live != live
        }
        if changed { deliver(.everything) }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await self.listenOnce()
                } catch {
                    if Task.isCancelled { break }
                    self.logger.warning("change feed lost; caches bypassed until it is back", metadata: ["error": "\(String(reflecting: error))"])
                }
                self.setLive(false)
                do { try await Task.sleep(for: self.retryDelay) } catch { break }
            }
            self.setLive(false)
        }
    }

    func listenOnce() async throws {
        let connection = try await connect(logger)
        do {
            try await connection.listen(on: Self.channel) { notifications in
                setLive(true)
                for try await notification in notifications {
                    if let change = Change(payload: notification.payload) { deliver(change) }
                }
            }
        } catch {
            try? await connection.close()
            throw error
        }
        try? await connection.close()
    }
}
