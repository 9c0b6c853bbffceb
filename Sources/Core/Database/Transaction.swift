import Logging
import PostgresNIO

extension Database {
    /// Runs `body` in one transaction. PostgresNIO wraps whatever the body throws in a
    /// `PostgresTransactionError`; this rethrows the body's own error (a `CreditError`,
    /// a `CoreError`) so that it keeps its meaning for callers and the error renderers.
    public func transaction<T: Sendable>(_ body: @Sendable (any SQLRunner) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await body(connection)
            }
        } catch let error as PostgresTransactionError {
            if let closureError = error.closureError { throw closureError }
            throw error
        }
    }
}
