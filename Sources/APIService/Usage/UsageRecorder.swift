import Core
import Foundation
import Logging
import PostgresNIO

/// One AI attempt or synced operation, as `UsageRecorder.record` stores it.
struct UsageEvent: Sendable, Equatable {
    enum Outcome: Sendable, Equatable {
        case success
        /// `errorType` is a short, stable label (`timeout`, `rate_limited`, `invalid_json`,
        /// `provider_error`…); `message` is for admins and must carry no secrets.
        case failure(errorType: String, message: String)
    }

    var userID: UUID?
    /// The tool or action (`article`, `section`, `image`, `research`, a plugin's action…).
    var tool: String
    var provider: String?
    var model: String?
    var tokensIn: Int
    var tokensOut: Int
    /// Defaults to `tokensIn + tokensOut` (a sync reports only a total).
    var tokensUsed: Int
    /// Credits charged for the attempt (0 for a failure: failures are never charged).
    var credits: Int
    var latencyMs: Int?
    var outcome: Outcome
    /// Where the call came from: `api` (the app), `wordpress` (the plugin), `sync`…
    var source: String
    var metadata: JSONValue

    init(
        userID: UUID?, tool: String, provider: String? = nil, model: String? = nil, tokensIn: Int = 0, tokensOut: Int = 0,
        tokensUsed: Int? = nil, credits: Int = 0, latencyMs: Int? = nil, outcome: Outcome = .success, source: String = "api",
        metadata: JSONValue = [:]
    ) {
        self.userID = userID
        self.tool = tool
        self.provider = provider
        self.model = model
        self.tokensIn = max(0, tokensIn)
        self.tokensOut = max(0, tokensOut)
        self.tokensUsed = max(0, tokensUsed ?? (tokensIn + tokensOut))
        self.credits = max(0, credits)
        self.latencyMs = latencyMs.map { max(0, $0) }
        self.outcome = outcome
        self.source = source
        self.metadata = metadata
    }
}

/// Writes usage history: one `tool_usage` row per attempt; a failed attempt also writes a
/// `generation_failures` row (what the admin failure statistics read). A successful
/// attempt's tokens are added to the user's `tokens` usage counter for the current
/// subscription period (what GET /subscription/usage reports as `tokens`).
///
///     let recorder = UsageRecorder(database: dependencies.database)
///     try await recorder.record(UsageEvent(
///         userID: user.id, tool: "section", provider: "gemini", model: "gemini-2.5-flash",
///         tokensIn: 812, tokensOut: 1_530, credits: 5, latencyMs: 2_140))
///     try await recorder.record(UsageEvent(
///         userID: user.id, tool: "section", provider: "openai", latencyMs: 60_000,
///         outcome: .failure(errorType: "timeout", message: "no answer within 60 s")))
///
/// Pass `on:` to write inside the caller's transaction (e.g. with the credit settlement);
/// otherwise the pooled client is used. Usage history must never fail a generation that
/// succeeded: callers on a request path may `try?` it (the AI layer logs the error).
struct UsageRecorder: Sendable {
    let database: Database
    /// Each provider attempt is also counted for `/metrics` (by provider and outcome).
    var metrics: BusinessMetrics?
    var logger: Logger { database.logger }

    /// Longest stored failure message; provider errors can echo whole prompts.
    static let maximumMessageLength = 2_000

    /// Stores `event`; returns the `tool_usage` row id.
    @discardableResult
    func record(_ event: UsageEvent, on runner: (any SQLRunner)? = nil, durable: Bool = true) async throws -> Int {
        if let metrics, let provider = event.provider {
            switch event.outcome {
            case .success: metrics.providerAttempt(provider: provider, outcome: "success")
            case .failure(let errorType, _): metrics.providerAttempt(provider: provider, outcome: errorType)
            }
        }
        if let runner { return try await write(event, on: runner) }
        return try await database.transaction(durable: durable) { runner in try await write(event, on: runner) }
    }

    /// `record` for request paths where history must never fail a generation that
    /// succeeded: a failure to write is logged, not thrown. Not flushed on its own: the
    /// generation's settlement or release, which follows, flushes it.
    func recordLoggingFailure(_ event: UsageEvent, logger: Logger) async {
        do {
            try await record(event, durable: false)
        } catch {
            logger.error("usage history not written", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// One statement: the usage row, with the failure row or the tokens counter as a
    /// data-modifying CTE (which runs whether or not the final SELECT reads it).
    private func write(_ event: UsageEvent, on runner: any SQLRunner) async throws -> Int {
        let metadata = event.metadata.encodedString
        let query: PostgresQuery
        switch event.outcome {
        case .failure(let errorType, let message):
            query = """
                WITH usage AS (
                    INSERT INTO tool_usage (user_id, tool, provider, model, tokens_in, tokens_out, tokens_used, credits, latency_ms, status, source, metadata)
                    VALUES (\(event.userID), \(event.tool), \(event.provider), \(event.model), \(event.tokensIn), \(event.tokensOut),
                            \(event.tokensUsed), \(event.credits), \(event.latencyMs), 'failure', \(event.source), \(metadata)::jsonb)
                    RETURNING id
                ), failure AS (
                    INSERT INTO generation_failures (user_id, service, provider, model, error_type, message)
                    VALUES (\(event.userID), \(event.tool), \(event.provider), \(event.model), \(errorType),
                            \(String(message.prefix(Self.maximumMessageLength))))
                )
                SELECT id FROM usage
                """
        case .success:
            // Only users with a subscription have a period to count in; the counter is an
            // integer column, so it saturates rather than overflowing.
            query = """
                WITH usage AS (
                    INSERT INTO tool_usage (user_id, tool, provider, model, tokens_in, tokens_out, tokens_used, credits, latency_ms, status, source, metadata)
                    VALUES (\(event.userID), \(event.tool), \(event.provider), \(event.model), \(event.tokensIn), \(event.tokensOut),
                            \(event.tokensUsed), \(event.credits), \(event.latencyMs), 'success', \(event.source), \(metadata)::jsonb)
                    RETURNING id
                ), tokens AS (
                    INSERT INTO usage_counters (user_id, quota, period_start, used)
                    SELECT user_id, 'tokens', current_period_start, least(\(event.tokensUsed)::bigint, 2147483647)
                    FROM subscriptions WHERE user_id = \(event.userID) AND \(event.tokensUsed)::bigint > 0
                    ON CONFLICT (user_id, quota, period_start) DO UPDATE
                    SET used = least(usage_counters.used::bigint + EXCLUDED.used, 2147483647), updated_at = now()
                )
                SELECT id FROM usage
                """
        }
        var id = 0
        for try await value in try await runner.run(query, logger: logger).decode(Int.self) { id = value }
        return id
    }
}
