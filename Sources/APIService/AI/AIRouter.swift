import Core
import Foundation
import Logging

/// One try at one provider, for the usage rows and `generation_failures`.
struct AIAttempt: Sendable, Equatable {
    var provider: AIProviderID
    var model: String
    var succeeded: Bool
    var error: String?
    var latency: Duration
    var usage: TokenUsage
}

/// Why generation failed after every provider was tried.
struct AIRoutingError: Error, Sendable {
    var attempts: [AIAttempt]
    var last: AIProviderError?
}

/// Provider health shared by all requests: a provider failing `threshold` times in a
/// row is skipped for `cooldown`.
actor ProviderHealth {
    private var failures: [AIProviderID: Int] = [:]
    private var skipUntil: [AIProviderID: ContinuousClock.Instant] = [:]
    let threshold: Int
    let cooldown: Duration

    init(threshold: Int = 3, cooldown: Duration = .seconds(30)) {
        self.threshold = threshold
        self.cooldown = cooldown
    }

    func isAvailable(_ id: AIProviderID) -> Bool {
        guard let until = skipUntil[id] else { return true }
        if ContinuousClock.now >= until {
            skipUntil[id] = nil
            return true
        }
        return false
    }

    func record(_ id: AIProviderID, success: Bool) {
        if success {
            failures[id] = 0
            return
        }
        let count = (failures[id] ?? 0) + 1
        failures[id] = count
        if count >= threshold {
            skipUntil[id] = ContinuousClock.now.advanced(by: cooldown)
            failures[id] = 0
        }
    }
}

/// Tries providers in order with the retry and fallback rules of API.md: per attempt a
/// timeout (in the provider's HTTP client), up to `maxRetries` retries with exponential
/// back-off and jitter on retryable errors (honouring `Retry-After` up to 30 s), a
/// provider in cooldown is skipped, and the next provider is tried only while nothing has
/// been streamed to the client.
struct AIRouter: Sendable {
    let providers: [any AIProvider]
    let health: ProviderHealth
    /// Providers that run on the caller's own key (Settings → API keys). Their failures say
    /// something about that key (a 401 for a revoked one), not about the provider, so they
    /// neither cool the provider down for everyone nor are skipped for its cooldown.
    var ownKeyProviders: Set<AIProviderID> = []
    var maxRetries = 2
    var baseDelay: Duration = .milliseconds(500)
    var maxRetryAfter: Duration = .seconds(30)
    let logger: Logger

    func complete(_ request: AIRequest) async throws(AIRoutingError) -> (AICompletion, [AIAttempt]) {
        try await route(request) { provider throws(AttemptFailure) -> AICompletion in
            do {
                return try await provider.complete(request)
            } catch {
                throw AttemptFailure(error as? AIProviderError ?? .transport(String(describing: type(of: error))))
            }
        }
    }

    /// Streams from the first provider that produces output. Once a piece of text has been
    /// passed on, a failure ends the stream with an error instead of switching provider
    /// (the client would otherwise see two answers spliced together).
    func stream(_ request: AIRequest, onText: @Sendable (String) async throws -> Void) async throws(AIRoutingError) -> (AICompletion, [AIAttempt]) {
        try await route(request) { provider throws(AttemptFailure) -> AICompletion in
            var streamed = false
            do {
                for try await event in provider.stream(request) {
                    switch event {
                    case .text(let piece):
                        streamed = true
                        try await onText(piece)
                    case .finished(let completion):
                        return completion
                    }
                }
                throw AIProviderError.streamFailed("stream ended without a result")
            } catch {
                throw AttemptFailure(error as? AIProviderError ?? .streamFailed(String(describing: type(of: error))), isFinal: streamed)
            }
        }
    }

    /// How one attempt failed, as the attempt loop needs to know it.
    private struct AttemptFailure: Error {
        var error: AIProviderError
        /// Output already reached the caller: neither a retry nor another provider may follow.
        var isFinal: Bool

        init(_ error: AIProviderError, isFinal: Bool = false) {
            self.error = error
            self.isFinal = isFinal
        }
    }

    /// The one attempt loop behind `complete` and `stream`: providers in order (those that
    /// read media only, for a request with attachments), a provider in cooldown skipped,
    /// retryable failures retried after `delay`, every attempt recorded in the returned or
    /// thrown attempts and in the provider's health. A cancelled request stops at once, in
    /// its back-off or after the attempt it was in: nobody waits for its answer, and trying
    /// further providers would only count failures against them.
    private func route(
        _ request: AIRequest, _ attempt: (any AIProvider) async throws(AttemptFailure) -> AICompletion
    ) async throws(AIRoutingError) -> (AICompletion, [AIAttempt]) {
        var attempts: [AIAttempt] = []
        var last: AIProviderError?
        for provider in providers where request.attachments.isEmpty || provider.readsMedia {
            guard await isAvailable(provider.id) else { continue }
            for retry in 0...maxRetries {
                let started = ContinuousClock.now
                let failure: AttemptFailure
                do {
                    let completion = try await attempt(provider)
                    attempts.append(
                        AIAttempt(
                            provider: provider.id, model: completion.model, succeeded: true, latency: .now - started, usage: completion.usage))
                    await record(provider.id, success: true)
                    return (completion, attempts)
                } catch {
                    failure = error
                }
                last = failure.error
                attempts.append(
                    AIAttempt(
                        provider: provider.id, model: provider.model, succeeded: false, error: failure.error.kind, latency: .now - started,
                        usage: TokenUsage()))
                await record(provider.id, success: false)
                logger.warning("ai provider attempt failed", metadata: ["provider": "\(provider.id.rawValue)", "error": "\(failure.error.kind)"])
                if failure.isFinal || Task.isCancelled { throw AIRoutingError(attempts: attempts, last: failure.error) }
                guard failure.error.isRetryable, retry < maxRetries, await isAvailable(provider.id) else { break }
                do {
                    try await Task.sleep(for: delay(retry: retry, error: failure.error))
                } catch {
                    throw AIRoutingError(attempts: attempts, last: failure.error)
                }
            }
        }
        throw AIRoutingError(attempts: attempts, last: last)
    }

    func isAvailable(_ id: AIProviderID) async -> Bool {
        ownKeyProviders.contains(id) ? true : await health.isAvailable(id)
    }

    func record(_ id: AIProviderID, success: Bool) async {
        guard !ownKeyProviders.contains(id) else { return }
        await health.record(id, success: success)
    }

    /// `Retry-After` when the provider sent one (capped), else base × 2^retry with jitter.
    func delay(retry: Int, error: AIProviderError) -> Duration {
        if case .rateLimited(let retryAfter?) = error { return min(retryAfter, maxRetryAfter) }
        let exponential = baseDelay * (1 << retry)
        return exponential + exponential * Double.random(in: 0..<0.5)
    }
}
