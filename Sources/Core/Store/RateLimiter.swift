import Crypto
import Foundation
import Logging
import NIOConcurrencyHelpers

public struct RateLimitDecision: Sendable, Equatable {
    public var allowed: Bool
    public var remaining: Int
    /// Seconds until the window resets (for `Retry-After`).
    public var retryAfterSeconds: Int
}

/// Fixed-window request counting, shared by every replica when Redis is configured.
public protocol RateLimiter: Sendable {
    func consume(key: String, limit: Int, window: Duration) async -> RateLimitDecision
}

/// One process's counters (the default, and the fallback while Redis is unreachable).
public final class InMemoryRateLimiter: RateLimiter {
    struct Bucket {
        var count: Int
        var resetsAt: ContinuousClock.Instant
    }

    private let buckets = NIOLockedValueBox([String: Bucket]())
    let clock: @Sendable () -> ContinuousClock.Instant

    public init(clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.clock = clock
    }

    public func consume(key: String, limit: Int, window: Duration) async -> RateLimitDecision {
        let now = clock()
        return buckets.withLockedValue { buckets in
            if buckets.count > 100_000 { buckets = buckets.filter { $0.value.resetsAt > now } }
            var bucket = buckets[key].flatMap { $0.resetsAt > now ? $0 : nil } ?? Bucket(count: 0, resetsAt: now + window)
            bucket.count += 1
            buckets[key] = bucket
            let retry = max(1, Int((bucket.resetsAt - now).components.seconds) + 1)
            return RateLimitDecision(allowed: bucket.count <= limit, remaining: max(0, limit - bucket.count), retryAfterSeconds: retry)
        }
    }
}

/// Counters in Redis, updated by one atomic Lua script, so that limits hold across
/// replicas. When Redis fails, the in-process limiter answers (and the failure is logged
/// once and shown in `/ready`): limits degrade to per-replica, requests never fail.
public struct RedisRateLimiter: RateLimiter {
    let redis: RedisClient
    let fallback: InMemoryRateLimiter

    static let script = """
        local count = redis.call('INCR', KEYS[1])
        if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
        return {count, ttl}
        """
    static let scriptSHA = Hex.string(Insecure.SHA1.hash(data: Data(script.utf8)))

    public init(redis: RedisClient, fallback: InMemoryRateLimiter = InMemoryRateLimiter()) {
        self.redis = redis
        self.fallback = fallback
    }

    public func consume(key: String, limit: Int, window: Duration) async -> RateLimitDecision {
        let milliseconds = String(max(1, window.components.seconds * 1000 + window.components.attoseconds / 1_000_000_000_000_000))
        let redisKey = "nova:rl:" + key
        do {
            var reply: RESPValue
            do {
                reply = try await redis.send(["EVALSHA", Self.scriptSHA, "1", redisKey, milliseconds])
            } catch RedisError.server(let message) where message.hasPrefix("NOSCRIPT") {
                reply = try await redis.send(["EVAL", Self.script, "1", redisKey, milliseconds])
            }
            guard case .array(let items?) = reply, items.count == 2, let count = items[0].int, let ttl = items[1].int else {
                throw RedisError.unexpectedReply
            }
            return RateLimitDecision(allowed: count <= limit, remaining: max(0, limit - count), retryAfterSeconds: max(1, (ttl + 999) / 1000))
        } catch {
            return await fallback.consume(key: key, limit: limit, window: window)
        }
    }
}
