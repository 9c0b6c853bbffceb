import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// The request body as AsyncHTTPClient streams it upstream, taken back before the gateway
/// returns its response.
///
/// The API service may answer before it has read the whole body (a 413 after 1 MiB of a
/// 2 MiB upload). AsyncHTTPClient then hands back the response while its writer task may
/// still be waiting in the body's `next()`, and Hummingbird, once the response is sent,
/// drains the unread body through the same iterator: two concurrent `next()` calls on one
/// NIO sequence are a fatal error, and the whole auth service went down. `finish()` stops
/// further reads and waits for a read in flight to return, so the body has one reader at
/// a time.
final class RequestBodyHandoff: Sendable {
    struct State {
        var finished = false
        var reading = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    let body: RequestBody
    let state = NIOLockedValueBox(State())

    init(_ body: RequestBody) {
        self.body = body
    }

    var sequence: Sequence { Sequence(handoff: self) }

    /// After this returns nothing reads the body here any more.
    func finish() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let readNow = state.withLockedValue { state -> Bool in
                state.finished = true
                guard state.reading else { return true }
                state.waiter = continuation
                return false
            }
            if readNow { continuation.resume() }
        }
    }

    func beginRead() -> Bool {
        state.withLockedValue { state in
            guard !state.finished else { return false }
            state.reading = true
            return true
        }
    }

    func endRead() {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            state.reading = false
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    struct Sequence: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let handoff: RequestBodyHandoff

        func makeAsyncIterator() -> Iterator { Iterator(handoff: handoff, base: handoff.body.makeAsyncIterator()) }

        struct Iterator: AsyncIteratorProtocol {
            let handoff: RequestBodyHandoff
            var base: RequestBody.AsyncIterator

            mutating func next() async throws -> ByteBuffer? {
                guard handoff.beginRead() else { return nil }
                defer { handoff.endRead() }
                return try await base.next()
            }
        }
    }
}
