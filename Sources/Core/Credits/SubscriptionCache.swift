import Foundation

/// A user's subscription on the shared cache for 5 minutes (API.md). Every write to a
/// subscription (provisioning, period roll-over, plan change) must call `invalidate`.
public struct SubscriptionCache: Sendable {
    let cache: any KeyValueCache
    let ttl: Duration

    public init(cache: any KeyValueCache, ttl: Duration = .seconds(300)) {
        self.cache = cache
        self.ttl = ttl
    }

    static func key(_ userID: UUID) -> String { "subscription:" + userID.uuidString }

    public func get(userID: UUID) async -> SubscriptionRecord? {
        guard let bytes = await cache.get(Self.key(userID)) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            Date(timeIntervalSince1970: Double(try decoder.singleValueContainer().decode(Int64.self)) / 1_000_000)
        }
        return try? decoder.decode(SubscriptionRecord.self, from: Data(bytes))
    }

    public func set(_ record: SubscriptionRecord) async {
        // Whole microseconds, PostgreSQL's precision: a period start read back from the
        // cache must still match `usage_counters.period_start` exactly.
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Int64((date.timeIntervalSince1970 * 1_000_000).rounded()))
        }
        guard let data = try? encoder.encode(record) else { return }
        await cache.set(Self.key(record.userID), Array(data), ttl: ttl)
    }

    public func invalidate(userID: UUID) async {
        await cache.delete(Self.key(userID))
    }
}
