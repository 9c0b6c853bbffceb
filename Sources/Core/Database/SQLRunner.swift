import Logging
import PostgresNIO

/// Something that runs a query: the pooled client, or one connection inside a
/// transaction. Stores take one so that a caller can put several writes (a user and the
/// e-mail it triggers) in a single transaction.
public protocol SQLRunner: Sendable {
    @discardableResult
    func run(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence
}

extension PostgresClient: SQLRunner {
    public func run(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        try await self.query(query, logger: logger)
    }
}

extension PostgresConnection: SQLRunner {
    public func run(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        try await self.query(query, logger: logger)
    }
}

extension PSQLError {
    /// The SQLSTATE of a server error, e.g. `23505` for a unique violation.
    public var sqlState: String? { serverInfo?[.sqlState] }

    /// The constraint a server error names, if any.
    public var constraintName: String? { serverInfo?[.constraintName] }

    public var isUniqueViolation: Bool { sqlState == "23505" }
}
