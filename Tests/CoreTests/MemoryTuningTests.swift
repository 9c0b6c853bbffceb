#if canImport(CMalloc)
    import CMalloc
    import Glibc
    import Testing

    @testable import Core

    @Suite struct MemoryTuningTests {
        /// After a large block is freed, a later large block is still mapped on its own (and
        /// so returned when freed), where glibc's moving threshold would put it on a heap.
        /// (glibc marks a mapped block in its size word, just before the pointer: bit 1. The
        /// sizes are past what freed space on a busy heap could hold: a request that fits in
        /// free space is served there, whatever the threshold.)
        @Test func largeBlocksStayMappedAfterALargerOneWasFreed() throws {
            MemoryTuning.apply(environment: [:])
            let first = try #require(malloc(16 << 20))
            memset(first, 1, 16 << 20)
            free(first)
            let second = try #require(malloc(8 << 20))
            defer { free(second) }
            let sizeWord = second.assumingMemoryBound(to: Int.self).advanced(by: -1).pointee
            #expect(sizeWord & 0x2 != 0)
        }
    }
#endif
