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
///
/// A round trip per request would cost more than the request (the API's reads are served
/// from memory): so a replica takes a *lease* of `limit / 20` requests at once (one when
/// the limit is under 40, which keeps small limits exact) and spends it locally until
/// the window ends. The lease is counted in Redis when taken, so replicas together never
/// admit more than the limit; unused leases only make the shared limit a little stricter.
public struct RedisRateLimiter: RateLimiter {
    let redis: RedisClient
    let fallback: InMemoryRateLimiter
    let leases = NIOLockedValueBox([String: Lease]())
    let clock: @Sendable () -> ContinuousClock.Instant

    struct Lease {
        var remaining: Int
        var expires: ContinuousClock.Instant
        /// A lease is being taken: meanwhile other requests count one each, or a burst of
        /// concurrent misses would each take a lease and spend the whole limit at once.
        var fetching = false
    }

    static let script = """
        local count = redis.call('INCRBY', KEYS[1], ARGV[2])
        if count == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
        return {count, ttl}
        """
    static let scriptSHA = Hex.string(Insecure.SHA1.hash(data: Data(script.utf8)))

    public init(
        redis: RedisClient, fallback: InMemoryRateLimiter = InMemoryRateLimiter(),
        clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.redis = redis
        self.fallback = fallback
        self.clock = clock
    }

    static func leaseSize(limit: Int) -> Int { limit < 40 ? 1 : limit / 20 }

    public func consume(key: String, limit: Int, window: Duration) async -> RateLimitDecision {
        let now = clock()
        let size = Self.leaseSize(limit: limit)
        let (leased, want): (RateLimitDecision?, Int) = leases.withLockedValue { leases in
            var lease = leases[key].flatMap { $0.expires > now ? $0 : nil } ?? Lease(remaining: 0, expires: now)
            if lease.remaining > 0 {
                lease.remaining -= 1
                leases[key] = lease
                let retry = max(1, Int((lease.expires - now).components.seconds) + 1)
                return (RateLimitDecision(allowed: true, remaining: lease.remaining, retryAfterSeconds: retry), 0)
            }
            guard size > 1, !lease.fetching else { return (nil, 1) }
            // Until the lease arrives (a stuck fetch is given up after 5 s).
            lease = Lease(remaining: 0, expires: now + .seconds(5), fetching: true)
            if leases.count > 100_000 { leases = leases.filter { $0.value.expires > now || $0.value.fetching } }
            leases[key] = lease
            return (nil, size)
        }
        if let leased { return leased }
        let milliseconds = String(max(1, window.components.seconds * 1000 + window.components.attoseconds / 1_000_000_000_000_000))
        let redisKey = "nova:rl:" + key
        do {
            var reply: RESPValue
            do {
                reply = try await redis.send(["EVALSHA", Self.scriptSHA, "1", redisKey, milliseconds, String(want)])
            } catch RedisError.server(let message) where message.hasPrefix("NOSCRIPT") {
                reply = try await redis.send(["EVAL", Self.script, "1", redisKey, milliseconds, String(want)])
            }
            guard case .array(let items?) = reply, items.count == 2, let count = items[0].int, let ttl = items[1].int else {
                throw RedisError.unexpectedReply
            }
            // Of the `want` just counted, those still under the limit are ours.
            let granted = min(want, max(0, limit - (count - want)))
            let retry = max(1, (ttl + 999) / 1000)
            if want > 1 {
                let lease = Lease(remaining: max(0, granted - 1), expires: now + .milliseconds(ttl))
                leases.withLockedValue { $0[key] = lease }
            }
            guard granted > 0 else { return RateLimitDecision(allowed: false, remaining: 0, retryAfterSeconds: retry) }
            return RateLimitDecision(allowed: true, remaining: max(0, limit - count) + granted - 1, retryAfterSeconds: retry)
        } catch {
            if want > 1 { leases.withLockedValue { $0[key]?.fetching = false } }
            return await fallback.consume(key: key, limit: limit, window: window)
        }
    }
}
