import Logging
import NIOCore
import PostgresNIO

/// The shared PostgreSQL database. Wraps the pooled client, which must also be run as a
/// service (see `ServiceGroup`) for queries to be answered.
public struct Database: Sendable {
    public let client: PostgresClient
    public let logger: Logger

    public init(url: DatabaseURL, poolSize: Int, logger: Logger) throws {
        self.client = PostgresClient(configuration: try url.clientConfiguration(maxConnections: poolSize), backgroundLogger: logger)
        self.logger = logger
    }

    /// Whether the database answers `SELECT 1` within `timeout`. Used by `/ready`: a down
    /// database must turn into a quick 503, not a request that hangs on the pool.
    public func isReachable(timeout: Duration = .seconds(2)) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    let rows = try await client.query("SELECT 1", logger: logger)
                    for try await _ in rows {}
                    return true
                } catch {
                    return false
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
