import Foundation

#if canImport(CMalloc)
    import CMalloc
#endif

/// The allocator's settings for a server process, applied once at start.
///
/// glibc serves allocations of 128 KiB and more with `mmap`, but after such a block is
/// freed it raises that threshold to the block's size, so later large blocks come from the
/// per-thread heaps, which keep freed memory. A server's large blocks are request bodies
/// and the SEO analyzer's tables of a long article, handled on whichever thread: each heap
/// ends up holding one request's worth, and the process's RSS climbed by several MiB and
/// stayed there (the API's peak under `scripts/bench.sh` went over 60 MiB; issue #15).
/// A fixed threshold keeps large blocks on `mmap`, returned to the system when freed.
public enum MemoryTuning {
    public static let mmapThreshold = 128 * 1024

    /// Fixes glibc's mmap threshold, unless `MALLOC_MMAP_THRESHOLD_` already chose one.
    public static func apply(environment: [String: String] = ProcessInfo.processInfo.environment) {
        #if canImport(CMalloc)
            guard environment["MALLOC_MMAP_THRESHOLD_"] == nil else { return }
            _ = mallopt(M_MMAP_THRESHOLD, Int32(mmapThreshold))
        #endif
    }
}
