import Logging
import PostgresNIO

extension Database {
    /// Attempts of a transaction that PostgreSQL aborted as a deadlock victim or a
    /// serialization failure, before the error is given up on.
    public static let transactionAttempts = 4

    /// Runs `body` in one transaction. PostgresNIO wraps whatever the body throws in a
    /// `PostgresTransactionError`; this rethrows the body's own error (a `CreditError`,
    /// a `CoreError`) so that it keeps its meaning for callers and the error renderers.
    ///
    /// A deadlock (40P01) or serialization failure (40001) rolls the whole transaction
    /// back, so running `body` again is safe: it is retried, after a short random pause,
    /// up to `transactionAttempts` times. `body` must therefore do nothing outside the
    /// database that cannot be repeated.
    public func transaction<T: Sendable>(_ body: @Sendable (any SQLRunner) async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await transactionOnce(body)
            } catch  where Self.isTransient(error) && attempt < Self.transactionAttempts {
                logger.debug("transaction retried", metadata: ["attempt": "\(attempt)", "error": "\(String(reflecting: error))"])
                attempt += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 2...10) * attempt))
            }
        }
    }

    /// A transaction whose commit does not wait for its WAL to reach the disk
    /// (`synchronous_commit = off`, one statement more). For writes that the request's
    /// durable commit follows (PostgreSQL flushes WAL in order, so that commit makes them
    /// durable too) and whose loss in a crash before it is harmless: a credit hold (lost,
    /// it is a release) and a generation's usage history.
    public func transaction<T: Sendable>(durable: Bool, _ body: @escaping @Sendable (any SQLRunner) async throws -> T) async throws -> T {
        guard !durable else { return try await transaction(body) }
        return try await transaction { runner in
            try await runner.run("SET LOCAL synchronous_commit = off", logger: logger)
            return try await body(runner)
        }
    }

    func transactionOnce<T: Sendable>(_ body: @Sendable (any SQLRunner) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await body(connection)
            }
        } catch let error as PostgresTransactionError {
            if let closureError = error.closureError { throw closureError }
            if let commitError = error.commitError, Self.isTransient(commitError) { throw commitError }
            throw error
        }
    }

    /// SQLSTATE 40001 (serialization_failure) and 40P01 (deadlock_detected).
    public static func isTransient(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }
}
