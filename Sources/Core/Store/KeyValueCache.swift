import Foundation

/// A shared cache of bytes with per-entry lifetimes: Redis when configured, else (or while
/// Redis is unreachable) this process's memory.
public protocol KeyValueCache: Sendable {
    func get(_ key: String) async -> [UInt8]?
    func set(_ key: String, _ value: [UInt8], ttl: Duration) async
    func delete(_ key: String) async
}

/// This process's memory: at most `maxBytes` of keys and values (64 MiB by default), and
/// no single value above a sixteenth of that.
public struct InMemoryKeyValueCache: KeyValueCache {
    public static let defaultMaxBytes = 64 << 20
    let entries: TTLCache<String, [UInt8]>

    public init(maxBytes: Int = Self.defaultMaxBytes) {
        entries = TTLCache(ttl: .seconds(3600), maxEntries: 100_000, maxCost: maxBytes, cost: { $0.count + 64 })
    }

    public func get(_ key: String) async -> [UInt8]? { entries.value(for: key) }
    public func set(_ key: String, _ value: [UInt8], ttl: Duration) async { entries.set(value, for: key, ttl: ttl) }
    public func delete(_ key: String) async { entries.remove(key) }
}

public struct RedisKeyValueCache: KeyValueCache {
    let redis: RedisClient
    let fallback: InMemoryKeyValueCache

    public init(redis: RedisClient, fallback: InMemoryKeyValueCache = InMemoryKeyValueCache()) {
        self.redis = redis
        self.fallback = fallback
    }

    static func key(_ key: String) -> [UInt8] { Array(("nova:cache:" + key).utf8) }

    public func get(_ key: String) async -> [UInt8]? {
        do {
            if case .bulkString(let bytes) = try await redis.send(bytes: [Array("GET".utf8), Self.key(key)]) { return bytes }
            return nil
        } catch {
            return await fallback.get(key)
        }
    }

    public func set(_ key: String, _ value: [UInt8], ttl: Duration) async {
        let milliseconds = max(1, ttl.components.seconds * 1000 + ttl.components.attoseconds / 1_000_000_000_000_000)
        do {
            _ = try await redis.send(bytes: [Array("SET".utf8), Self.key(key), value, Array("PX".utf8), Array(String(milliseconds).utf8)])
        } catch {
            await fallback.set(key, value, ttl: ttl)
        }
    }

    public func delete(_ key: String) async {
        _ = try? await redis.send(bytes: [Array("DEL".utf8), Self.key(key)])
        await fallback.delete(key)
    }
}

/// `/ready` reports Redis, but a missing Redis never makes the service unready: the
/// in-process fallbacks keep it working.
public struct RedisReadinessCheck: ReadinessCheck {
    let redis: RedisClient
    public let name = "redis"
    public let isRequired = false

    public init(redis: RedisClient) {
        self.redis = redis
    }

    public func isReady() async -> Bool {
        (try? await redis.send(["PING"]))?.string == "PONG"
    }
}
