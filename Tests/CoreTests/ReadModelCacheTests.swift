import Core
import Foundation
import NIOConcurrencyHelpers
import Testing

@Suite struct ReadModelCacheTests {
    @Test func aValueReadBeforeAnInvalidationIsNotKept() async throws {
        let cache = ReadModelCache<Int, Int>(ttl: .seconds(60), isLive: { true })
        #expect(try await cache.value(for: 1) { 10 } == 10)
        #expect(try await cache.value(for: 1) { 11 } == 10)  // kept

        // A slow reader: the row changes (and its notification is handled) while it reads.
        cache.invalidate(1)
        let stale = try await cache.value(for: 1) {
            cache.invalidate(1)
            return 20
        }
        #expect(stale == 20)
        #expect(try await cache.value(for: 1) { 30 } == 30)  // 20 was not put back

        // The same for a flush of everything (a lost feed), and a failed read keeps nothing.
        cache.invalidate(1)
        _ = try await cache.value(for: 1) {
            cache.invalidateAll()
            return 40
        }
        await #expect(throws: CancellationError.self) { try await cache.value(for: 1) { throw CancellationError() } }
        #expect(try await cache.value(for: 1) { 50 } == 50)
        #expect(try await cache.value(for: 1) { 60 } == 50)
    }

    @Test func nothingIsKeptWhileTheFeedIsDown() async throws {
        let live = NIOLockedValueBox(false)
        let cache = ReadModelCache<Int, Int>(ttl: .seconds(60), isLive: { live.withLockedValue { $0 } })
        #expect(try await cache.value(for: 1) { 1 } == 1)
        #expect(try await cache.value(for: 1) { 2 } == 2)
        live.withLockedValue { $0 = true }
        #expect(try await cache.value(for: 1) { 3 } == 3)
        #expect(try await cache.value(for: 1) { 4 } == 3)
    }

    @Test func payloadsParse() {
        let id = UUID()
        #expect(ChangeFeed.Change(payload: "credit_balances:\(id.uuidString.lowercased())") == .row(table: "credit_balances", userID: id))
        #expect(ChangeFeed.Change(payload: "plans") == .table("plans"))
        #expect(ChangeFeed.Change(payload: "users:not-a-uuid") == nil)
        #expect(ChangeFeed.Change(payload: "") == nil)
    }
}
