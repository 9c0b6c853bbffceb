import Foundation
import TestSupport
import Testing

@testable import Core

/// The timeout races in Core: a cancelled waiter is told apart from a timeout that fired.
/// Time bounds are loose on purpose (a loaded test machine may stall for seconds); the
/// timeouts they guard against are ten minutes.
@Suite struct CancellationTests {
    @Test func aDoorbellWaitSaysWhyItReturned() async throws {
        let bell = Doorbell()
        #expect(await bell.wait(timeout: .milliseconds(20)) == .timedOut)
        bell.ring()
        #expect(await bell.wait(timeout: .seconds(600)) == .rung)

        let waiting = Task { await bell.wait(timeout: .seconds(600)) }
        try await Task.sleep(for: .milliseconds(50))
        bell.ring()
        #expect(await waiting.value == .rung)
    }

    @Test func aCancelledDoorbellWaitReturnsAtOnceAsCancelledNotTimedOut() async throws {
        let bell = Doorbell()
        let waiting = Task { await bell.wait(timeout: .seconds(600)) }
        try await Task.sleep(for: .milliseconds(50))
        let started = ContinuousClock.now
        waiting.cancel()
        #expect(await waiting.value == .cancelled)
        #expect(ContinuousClock.now - started < .seconds(60))

        // Cancelled before it starts waiting, too.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await bell.wait(timeout: .seconds(600))
        }
        #expect(await early.value == .cancelled)
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    /// A probe that finishes on its own however its caller is cancelled.
    static func uncancellable(after delay: Duration, succeeding: Bool) -> @Sendable () async throws -> Void {
        {
            try await Task.detached { try await Task.sleep(for: delay) }.value
            struct Failed: Error {}
            if !succeeding { throw Failed() }
        }
    }

    @Test func theReachabilityRaceReportsTheProbeOrTheTimeout() async throws {
        #expect(await Database.answers(within: .seconds(600), Self.uncancellable(after: .milliseconds(10), succeeding: true)))
        #expect(!(await Database.answers(within: .seconds(600), Self.uncancellable(after: .milliseconds(10), succeeding: false))))
        let started = ContinuousClock.now
        #expect(!(await Database.answers(within: .milliseconds(50)) { try await Task.sleep(for: .seconds(600)) }))
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    /// Cancelling the caller ends the timer early; that is not the timeout firing, so the
    /// answer is the probe's own.
    @Test func aCancelledCallerIsNotMistakenForATimeout() async throws {
        let probe = Self.uncancellable(after: .milliseconds(100), succeeding: true)
        let checking = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await Database.answers(within: .seconds(600), probe)
        }
        #expect(await checking.value)
    }

    @Test func anUnreachableDatabaseIsReportedWithinTheTimeout() async throws {
        let database = try Database(url: DatabaseURL("postgres://postgres@127.0.0.1:1/none"), poolSize: 1, logger: quietLogger)
        let started = ContinuousClock.now
        #expect(!(await database.isReachable(timeout: .milliseconds(200))))
        #expect(ContinuousClock.now - started < .seconds(60))
    }
}
