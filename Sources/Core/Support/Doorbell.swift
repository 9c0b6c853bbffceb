import NIOConcurrencyHelpers

/// Wakes a background worker early: `ring()` never blocks, and a ring while nobody waits
/// is remembered once. Used so that a queued e-mail goes out at once instead of at the
/// next poll.
public final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Bool, Never>?
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    public func ring() {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Bool, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.rung = true
            return nil
        }
        waiter?.resume(returning: true)
    }

    /// Why `wait` returned.
    public enum Wake: Sendable, Equatable {
        case rung
        case timedOut
        case cancelled
    }

    /// Returns after a ring, after `timeout`, or on cancellation, whichever comes first,
    /// and says which: a wait cut short by cancellation is not a timeout.
    @discardableResult
    public func wait(timeout: Duration) async -> Wake {
        await withTaskGroup(of: Wake.self) { group in
            group.addTask { await self.waitForRing() ? .rung : .cancelled }
            group.addTask {
                do {
                    try await Task.sleep(for: timeout)
                    return .timedOut
                } catch {
                    return .cancelled
                }
            }
            let first = await group.next() ?? .cancelled
            group.cancelAll()
            return first
        }
    }

    /// True after a ring, false when cancelled first.
    private func waitForRing() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let resumeWith = state.withLockedValue { state -> Bool? in
                    if state.rung || Task.isCancelled {
                        defer { state.rung = false }
                        return state.rung
                    }
                    state.waiter = continuation
                    return nil
                }
                if let resumeWith { continuation.resume(returning: resumeWith) }
            }
        } onCancel: {
            let waiter = state.withLockedValue { state -> CheckedContinuation<Bool, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: false)
        }
    }
}
