import Core
import Foundation
import TestSupport
import Testing

@testable import APIService

/// The router's attempt loop against in-memory providers (no network): the same retry,
/// fallback, health and usage rules for `complete` and `stream`, and a cancelled request
/// that stops trying instead of running through every retry and provider.
@Suite struct AIRouterLoopTests {
    /// What one call to a scripted provider does; calls past the script succeed.
    enum Step: Sendable {
        case fail(AIProviderError)
        /// An error that is not an `AIProviderError`.
        case foreign
        /// Streams these pieces, then fails (`complete` just fails).
        case partial([String], AIProviderError)
        /// A stream that ends without a result.
        case truncated
        /// Never answers until the calling task is cancelled.
        case hang
    }

    actor Calls {
        private(set) var log: [AIProviderID] = []
        func next(_ id: AIProviderID) -> Int {
            defer { log.append(id) }
            return log.filter { $0 == id }.count
        }
    }

    struct ForeignError: Error {}

    struct Scripted: AIProvider {
        let id: AIProviderID
        var model: String { "\(id.rawValue)-model" }
        let steps: [Step]
        let calls: Calls

        func answer() -> AICompletion {
            AICompletion(text: "ok from \(id.rawValue)", provider: id, model: model, usage: TokenUsage(input: 3, output: 2))
        }

        func step() async -> Step? {
            let index = await calls.next(id)
            return index < steps.count ? steps[index] : nil
        }

        func complete(_ request: AIRequest) async throws -> AICompletion {
            switch await step() {
            case nil: return answer()
            case .fail(let error), .partial(_, let error): throw error
            case .foreign: throw ForeignError()
            case .truncated: return answer()
            case .hang:
                try await Task.sleep(for: .seconds(600))
                return answer()
            }
        }

        func stream(_ request: AIRequest) -> AsyncThrowingStream<AIStreamEvent, any Error> {
            AsyncThrowingStream { continuation in
                let task = Task {
                    switch await step() {
                    case nil:
                        continuation.yield(.text("ok"))
                        continuation.yield(.finished(answer()))
                        continuation.finish()
                    case .fail(let error):
                        continuation.finish(throwing: error)
                    case .foreign:
                        continuation.finish(throwing: ForeignError())
                    case .partial(let pieces, let error):
                        for piece in pieces { continuation.yield(.text(piece)) }
                        continuation.finish(throwing: error)
                    case .truncated:
                        continuation.finish()
                    case .hang:
                        do {
                            try await Task.sleep(for: .seconds(600))
                            continuation.finish()
                        } catch {
                            continuation.finish(throwing: error)
                        }
                    }
                }
                continuation.onTermination = { _ in task.cancel() }
            }
        }
    }

    struct Setup {
        let calls = Calls()
        let health: ProviderHealth
        var router: AIRouter

        init(_ scripts: [(AIProviderID, [Step])], health: ProviderHealth = ProviderHealth(threshold: 100), ownKeys: Set<AIProviderID> = []) {
            self.health = health
            let calls = self.calls
            router = AIRouter(
                providers: scripts.map { Scripted(id: $0.0, steps: $0.1, calls: calls) }, health: health, ownKeyProviders: ownKeys,
                baseDelay: .milliseconds(1), logger: quietLogger)
        }
    }

    enum Mode: CaseIterable { case complete, stream }

    func run(_ mode: Mode, _ router: AIRouter, pieces: Received = Received()) async throws(AIRoutingError) -> (AICompletion, [AIAttempt]) {
        switch mode {
        case .complete: try await router.complete(AIRequest(prompt: "x"))
        case .stream: try await router.stream(AIRequest(prompt: "x")) { await pieces.add($0) }
        }
    }

    @Test(arguments: Mode.allCases)
    func retriesThenFallsBackInOrderRecordingEveryAttempt(_ mode: Mode) async throws {
        let setup = Setup([(.openai, [.fail(.unavailable(status: 503)), .fail(.timeout), .fail(.unavailable(status: 500))]), (.anthropic, [])])
        let (completion, attempts) = try await run(mode, setup.router)
        #expect(completion.provider == .anthropic)
        #expect(await setup.calls.log == [.openai, .openai, .openai, .anthropic])
        #expect(attempts.map(\.provider) == [.openai, .openai, .openai, .anthropic])
        #expect(attempts.map(\.succeeded) == [false, false, false, true])
        #expect(attempts.map(\.error) == ["unavailable", "timeout", "unavailable", nil])
        #expect(attempts.map(\.model) == ["openai-model", "openai-model", "openai-model", "anthropic-model"])
        #expect(attempts.last?.usage == TokenUsage(input: 3, output: 2))
        #expect(attempts.dropLast().allSatisfy { $0.usage == TokenUsage() })
    }

    @Test(arguments: Mode.allCases)
    func aRejectedRequestIsNotRetriedAndAProviderInCooldownIsSkipped(_ mode: Mode) async throws {
        let health = ProviderHealth(threshold: 1, cooldown: .seconds(60))
        let setup = Setup([(.openai, [.fail(.rejected(status: 401, message: "no"))]), (.gemini, []), (.anthropic, [])], health: health)
        let (first, attempts) = try await run(mode, setup.router)
        #expect(first.provider == .gemini)
        #expect(attempts.map(\.provider) == [.openai, .gemini])
        #expect(!(await health.isAvailable(.openai)))
        let (second, more) = try await run(mode, setup.router)
        #expect(second.provider == .gemini)
        #expect(more.map(\.provider) == [.gemini])
    }

    @Test(arguments: Mode.allCases)
    func everyProviderFailingThrowsWithAllAttemptsAndTheLastError(_ mode: Mode) async throws {
        let setup = Setup([(.openai, [.fail(.rejected(status: 403, message: "no"))]), (.anthropic, [.fail(.notConfigured)])])
        do {
            _ = try await run(mode, setup.router)
            Issue.record("expected an error")
        } catch {
            #expect(error.attempts.map(\.provider) == [.openai, .anthropic])
            #expect(error.last == .notConfigured)
        }
        let empty = Setup([])
        do {
            _ = try await run(mode, empty.router)
            Issue.record("expected an error")
        } catch {
            #expect(error.attempts.isEmpty)
            #expect(error.last == nil)
        }
    }

    @Test func foreignErrorsAreTransportForCompleteAndStreamFailedForStreams() async throws {
        let completing = Setup([(.openai, [.foreign]), (.anthropic, [])])
        let (_, completed) = try await run(.complete, completing.router)
        #expect(completed.first?.error == "transport")
        let streaming = Setup([(.openai, [.foreign, .truncated, .truncated]), (.anthropic, [])])
        let (answer, streamed) = try await run(.stream, streaming.router)
        #expect(answer.provider == .anthropic)
        #expect(streamed.map(\.error) == ["stream_failed", "stream_failed", "stream_failed", nil])
    }

    @Test func aStreamThatAlreadyPassedTextOnNeitherRetriesNorFallsBack() async throws {
        let setup = Setup([(.openai, [.partial(["Half"], .streamFailed("boom"))]), (.anthropic, [])])
        let pieces = Received()
        do {
            _ = try await run(.stream, setup.router, pieces: pieces)
            Issue.record("expected an error")
        } catch {
            #expect(error.attempts.map(\.provider) == [.openai])
            #expect(error.last == .streamFailed("boom"))
        }
        #expect(await pieces.pieces == ["Half"])
        #expect(await setup.calls.log == [.openai])
    }

    @Test(arguments: Mode.allCases)
    func ownKeyFailuresLeaveTheSharedHealthAlone(_ mode: Mode) async throws {
        let health = ProviderHealth(threshold: 1, cooldown: .seconds(60))
        let setup = Setup([(.openai, [.fail(.rejected(status: 401, message: "revoked"))]), (.anthropic, [])], health: health, ownKeys: [.openai])
        let (completion, _) = try await run(mode, setup.router)
        #expect(completion.provider == .anthropic)
        #expect(await health.isAvailable(.openai))
    }

    /// Waits (bounded) until the providers have been called `count` times.
    func waitForCalls(_ calls: Calls, _ count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while await calls.log.count < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
    }

    /// Cancelled during a ten-minute `Retry-After` back-off: the request ends at once, with
    /// the attempt made so far, and neither retries nor falls back to the next provider.
    /// (The time bounds are loose on purpose: a loaded test machine may stall for seconds.)
    @Test(arguments: Mode.allCases)
    func aCancelledRequestStopsDuringTheBackOff(_ mode: Mode) async throws {
        let limited = AIProviderError.rateLimited(retryAfter: .seconds(600))
        var setup = Setup([(.openai, [.fail(limited), .fail(limited), .fail(limited)]), (.anthropic, [])])
        setup.router.maxRetryAfter = .seconds(600)
        let router = setup.router
        let task = Task { try await run(mode, router) }
        try await waitForCalls(setup.calls, 1)
        let started = ContinuousClock.now
        task.cancel()
        let result = await task.result
        #expect(ContinuousClock.now - started < .seconds(60))
        #expect(await setup.calls.log == [.openai])
        switch result {
        case .success(let (completion, _)): Issue.record("expected an error, got an answer from \(completion.provider)")
        case .failure(let error): #expect((error as? AIRoutingError)?.attempts.map(\.provider) == [.openai])
        }
    }

    /// Cancelled while a provider is answering: that attempt fails, and no other provider
    /// is asked on behalf of a request nobody waits for.
    @Test(arguments: Mode.allCases)
    func aCancelledRequestDoesNotFallBack(_ mode: Mode) async throws {
        let setup = Setup([(.openai, [.hang]), (.anthropic, [])])
        let router = setup.router
        let task = Task { try await run(mode, router) }
        try await waitForCalls(setup.calls, 1)
        let started = ContinuousClock.now
        task.cancel()
        let result = await task.result
        #expect(ContinuousClock.now - started < .seconds(60))
        #expect(await setup.calls.log == [.openai])
        if case .success = result { Issue.record("expected an error") }
    }
}
