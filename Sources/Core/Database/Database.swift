import Logging
import NIOCore
import PostgresNIO

/// The shared PostgreSQL database. Wraps the pooled client, which must also be run as a
/// service (see `ServiceGroup`) for queries to be answered.
public struct Database: Sendable {
    public let client: PostgresClient
    public let logger: Logger
    /// Where the pool connects, for a connection of its own (`ChangeFeed`).
    public let url: DatabaseURL

    public init(url: DatabaseURL, poolSize: Int, logger: Logger) throws {
        self.url = url
        self.client = PostgresClient(configuration: try url.clientConfiguration(maxConnections: poolSize), backgroundLogger: logger)
        self.logger = logger
    }

    /// Whether the database answers `SELECT 1` within `timeout`. Used by `/ready`: a down
    /// database must turn into a quick 503, not a request that hangs on the pool.
    public func isReachable(timeout: Duration = .seconds(2)) async -> Bool {
        await Self.answers(within: timeout) { [client, logger] in
            let rows = try await client.query("SELECT 1", logger: logger)
            for try await _ in rows {}
        }
    }

    /// Whether `probe` succeeds within `timeout`. The timer ending because the caller was
    /// cancelled is not the timeout firing: the answer is then the probe's own, which sees
    /// the same cancellation (a cancelled query fails, so that answer comes quickly).
    static func answers(within timeout: Duration, _ probe: @escaping @Sendable () async throws -> Void) async -> Bool {
        await withTaskGroup(of: Bool?.self) { group in
            group.addTask {
                do {
                    try await probe()
                    return true
                } catch {
                    return false
                }
            }
            group.addTask {
                do {
                    try await Task.sleep(for: timeout)
                } catch {
                    return nil
                }
                return false
            }
            while let result = await group.next() {
                guard let reachable = result else { continue }
                group.cancelAll()
                return reachable
            }
            return false
        }
    }
}
