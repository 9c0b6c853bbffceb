import NIOConcurrencyHelpers

/// Values read from PostgreSQL, kept in this process until a `ChangeFeed` says their rows
/// changed (or a safety time-to-live passes). For display only: decisions that spend
/// credits read locked rows, never this.
///
/// A reader that missed registers a *fill* before it queries and stores its answer only
/// if no invalidation of that key came in meanwhile: otherwise a slow reader could put
/// back a value read before a change whose notification has already been handled. While
/// the feed is not live nothing is stored at all.
public final class ReadModelCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    @usableFromInline
    struct Entry: Sendable {
        @usableFromInline var value: Value
        @usableFromInline var expires: ContinuousClock.Instant
    }

    @usableFromInline
    struct State: Sendable {
        @usableFromInline var entries: [Key: Entry] = [:]
        /// Fills in flight per key; an invalidation removes them.
        @usableFromInline var fills: [Key: Set<UInt64>] = [:]
        @usableFromInline var nextFill: UInt64 = 0
    }

    @usableFromInline let state = NIOLockedValueBox(State())
    @usableFromInline let ttl: Duration
    let maxEntries: Int
    @usableFromInline let isLive: @Sendable () -> Bool
    @usableFromInline let clock: @Sendable () -> ContinuousClock.Instant

    public init(
        ttl: Duration, maxEntries: Int = 50_000, isLive: @escaping @Sendable () -> Bool,
        clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.ttl = ttl
        self.maxEntries = maxEntries
        self.isLive = isLive
        self.clock = clock
    }

    /// The cached value, or `load`'s (kept when nothing invalidated `key` meanwhile).
    /// Inlinable, so that the services' reads are specialised for their key and value
    /// types: generic dictionary access through witness tables was most of a hit's cost.
    @inlinable
    public func value(for key: Key, load: () async throws -> Value) async throws -> Value {
        let now = clock()
        let (cached, fill): (Value?, UInt64?) = state.withLockedValue { state in
            if let entry = state.entries[key] {
                if entry.expires > now { return (entry.value, nil) }
                state.entries[key] = nil
            }
            guard isLive() else { return (nil, nil) }
            state.nextFill += 1
            state.fills[key, default: []].insert(state.nextFill)
            return (nil, state.nextFill)
        }
        if let cached { return cached }
        do {
            let value = try await load()
            if let fill { store(value, for: key, fill: fill) }
            return value
        } catch {
            if let fill { state.withLockedValue { _ = $0.endFill(key, fill) } }
            throw error
        }
    }

    @usableFromInline
    func store(_ value: Value, for key: Key, fill: UInt64) {
        let expires = clock() + ttl
        state.withLockedValue { state in
            guard state.endFill(key, fill) else { return }
            // Full: start over rather than grow (entries are cheap to read again).
            if state.entries.count >= maxEntries { state.entries.removeAll(keepingCapacity: true) }
            state.entries[key] = Entry(value: value, expires: expires)
        }
    }

    public func invalidate(_ key: Key) {
        state.withLockedValue { state in
            state.entries[key] = nil
            state.fills[key] = nil
        }
    }

    public func invalidateAll() {
        state.withLockedValue { state in
            state.entries.removeAll()
            state.fills.removeAll()
        }
    }

    public var count: Int { state.withLockedValue { $0.entries.count } }
}

extension ReadModelCache.State {
    /// Ends a fill; true when it was still valid.
    @usableFromInline
    mutating func endFill(_ key: Key, _ fill: UInt64) -> Bool {
        guard fills[key]?.remove(fill) != nil else { return false }
        if fills[key]?.isEmpty == true { fills[key] = nil }
        return true
    }
}
