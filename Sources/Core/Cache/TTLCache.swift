import NIOConcurrencyHelpers

/// A small in-process cache with a time-to-live per entry, bounded in entries and, when
/// given a `cost` (bytes, say), in total cost: what users store through it cannot grow a
/// process without limit. A lock rather than an actor: lookups sit on the hot path of
/// every request and never suspend.
public final class TTLCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    struct Entry {
        var value: Value
        var expires: ContinuousClock.Instant
        var cost: Int
    }

    struct Storage {
        var entries: [Key: Entry] = [:]
        var cost = 0

        mutating func remove(_ key: Key) {
            if let old = entries.removeValue(forKey: key) { cost -= old.cost }
        }
    }

    private let storage = NIOLockedValueBox(Storage())
    let ttl: Duration
    let maxEntries: Int
    let maxCost: Int
    let cost: @Sendable (Value) -> Int
    let clock: @Sendable () -> ContinuousClock.Instant

    /// `maxCost`: the bound on the summed `cost` of the entries; one value costing more
    /// than a sixteenth of it is not cached at all.
    public init(
        ttl: Duration, maxEntries: Int, maxCost: Int = .max, cost: @escaping @Sendable (Value) -> Int = { _ in 0 },
        clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.ttl = ttl
        self.maxEntries = maxEntries
        self.maxCost = maxCost
        self.cost = cost
        self.clock = clock
    }

    /// The summed cost of the entries held now.
    public var totalCost: Int { storage.withLockedValue { $0.cost } }
    public var count: Int { storage.withLockedValue { $0.entries.count } }

    /// The cached value, or nil when absent or expired. (A cached `nil` for an optional
    /// `Value` comes back as `.some(nil)`.)
    public func value(for key: Key) -> Value? {
        let now = clock()
        return storage.withLockedValue { storage in
            guard let entry = storage.entries[key] else { return nil }
            guard entry.expires > now else {
                storage.remove(key)
                return nil
            }
            return entry.value
        }
    }

    public func set(_ value: Value, for key: Key, ttl: Duration? = nil) {
        let ttl = ttl ?? self.ttl
        guard ttl > .zero else { return }
        let now = clock()
        let cost = max(0, self.cost(value))
        storage.withLockedValue { storage in
            storage.remove(key)
            guard cost <= maxCost / 16 else { return }
            if storage.entries.count >= maxEntries || storage.cost + cost > maxCost {
                storage.entries = storage.entries.filter { $0.value.expires > now }
                storage.cost = storage.entries.values.reduce(0) { $0 + $1.cost }
                // Still full of live entries: start over rather than grow without bound.
                if storage.entries.count >= maxEntries || storage.cost + cost > maxCost {
                    storage.entries.removeAll(keepingCapacity: true)
                    storage.cost = 0
                }
            }
            storage.entries[key] = Entry(value: value, expires: now + ttl, cost: cost)
            storage.cost += cost
        }
    }

    public func remove(_ key: Key) {
        storage.withLockedValue { $0.remove(key) }
    }

    public func removeAll() {
        storage.withLockedValue { $0 = Storage() }
    }
}
