import NIOConcurrencyHelpers

/// A small in-process cache with a time-to-live per entry and a size bound.
/// A lock rather than an actor: lookups sit on the hot path of every request and never
/// suspend.
public final class TTLCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    struct Entry {
        var value: Value
        var expires: ContinuousClock.Instant
    }

    private let storage = NIOLockedValueBox([Key: Entry]())
    let ttl: Duration
    let maxEntries: Int
    let clock: @Sendable () -> ContinuousClock.Instant

    public init(ttl: Duration, maxEntries: Int, clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.ttl = ttl
        self.maxEntries = maxEntries
        self.clock = clock
    }

    /// The cached value, or nil when absent or expired. (A cached `nil` for an optional
    /// `Value` comes back as `.some(nil)`.)
    public func value(for key: Key) -> Value? {
        let now = clock()
        return storage.withLockedValue { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.expires > now else {
                entries[key] = nil
                return nil
            }
            return entry.value
        }
    }

    public func set(_ value: Value, for key: Key, ttl: Duration? = nil) {
        let ttl = ttl ?? self.ttl
        guard ttl > .zero else { return }
        let now = clock()
        storage.withLockedValue { entries in
            if entries.count >= maxEntries {
                entries = entries.filter { $0.value.expires > now }
                // Still full of live entries: start over rather than grow without bound.
                if entries.count >= maxEntries { entries.removeAll(keepingCapacity: true) }
            }
            entries[key] = Entry(value: value, expires: now + ttl)
        }
    }

    public func remove(_ key: Key) {
        _ = storage.withLockedValue { $0.removeValue(forKey: key) }
    }
}
