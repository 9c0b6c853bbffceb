import Testing

@testable import Core

@Suite struct TTLCacheTests {
    @Test func theCacheIsBoundedInBytesNotOnlyInEntries() async {
        let cache = InMemoryKeyValueCache(maxBytes: 1 << 20)
        // 100 values of 60 KiB: 6 MiB offered to a 1 MiB cache.
        for index in 0..<100 { await cache.set("k\(index)", [UInt8](repeating: 1, count: 60 << 10), ttl: .seconds(60)) }
        #expect(cache.entries.totalCost <= 1 << 20)
        #expect(cache.entries.count > 0)
        // One value above a sixteenth of the budget is not kept, and replaces no entry.
        await cache.set("huge", [UInt8](repeating: 1, count: 100 << 10), ttl: .seconds(60))
        #expect(await cache.get("huge") == nil)
        // Replacing and deleting keep the books right.
        await cache.set("a", [1, 2, 3], ttl: .seconds(60))
        await cache.set("a", [1], ttl: .seconds(60))
        #expect(await cache.get("a") == [1])
        let before = cache.entries.totalCost
        await cache.delete("a")
        #expect(cache.entries.totalCost == before - 65)
    }
}
