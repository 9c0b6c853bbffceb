import Core
import Foundation
import Logging
import TestSupport
import Testing

/// The RESP client, limiter and cache against a real redis-server.
@Suite(.serialized) struct RedisStoreTests {
    @Test func parsesRedisURLs() throws {
        let url = try RedisURL("redis://:s%40cret@cache.internal:6380/2")
        #expect(url.host == "cache.internal")
        #expect(url.port == 6380)
        #expect(url.password == "s@cret")
        #expect(url.database == 2)
        #expect(throws: ConfigError.self) { try RedisURL("http://cache") }
        #expect(throws: ConfigError.self) { try RedisURL("redis://cache/db") }
    }

    /// (Commands get 5 s, not the production 500 ms: 400 of them in flight on a loaded
    /// 2-core machine once ran past 500 ms, and this test is about matching, not time.)
    @Test func commandsPipelineAndLimitsAreShared() async throws {
        let server = try RedisServer()
        try await server.start()
        defer { server.kill() }
        let redis = RedisClient(url: try RedisURL(server.url), connections: 2, commandTimeout: .seconds(5), logger: quietLogger)
        #expect(try await redis.send(["PING"]).string == "PONG")
        // Many commands in flight on two connections come back matched to their requests.
        let values = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
            for index in 0..<200 {
                group.addTask {
                    _ = try await redis.send(["SET", "k\(index)", "v\(index)"])
                    return (index, try await redis.send(["GET", "k\(index)"]).string)
                }
            }
            return try await group.reduce(into: [Int: String?]()) { $0[$1.0] = $1.1 }
        }
        #expect(values.count == 200)
        #expect(values.allSatisfy { $0.value == "v\($0.key)" })

        // Two limiters (two replicas) over one Redis share one budget.
        let first = RedisRateLimiter(redis: redis)
        let second = RedisRateLimiter(redis: RedisClient(url: try RedisURL(server.url), commandTimeout: .seconds(5), logger: quietLogger))
        let key = "test-\(UUID())"
        var allowed = 0
        for index in 0..<10 {
            let decision = await (index % 2 == 0 ? first : second).consume(key: key, limit: 6, window: .seconds(60))
            if decision.allowed { allowed += 1 }
            if !decision.allowed { #expect(decision.retryAfterSeconds >= 1 && decision.retryAfterSeconds <= 60) }
        }
        #expect(allowed == 6)

        let cache = RedisKeyValueCache(redis: redis)
        await cache.set("answer", Array("42".utf8), ttl: .seconds(10))
        #expect(await cache.get("answer") == Array("42".utf8))
        await cache.delete("answer")
        #expect(await cache.get("answer") == nil)
        await redis.close()
    }

    /// A large limit is spent from leases: replicas together admit no more than the
    /// limit, nearly all of it, with a round trip per lease rather than per request.
    @Test func largeLimitsAreSpentFromLeasesWithoutOverAdmitting() async throws {
        let server = try RedisServer()
        try await server.start()
        defer { server.kill() }
        let clients = try (0..<2).map { _ in RedisClient(url: try RedisURL(server.url), logger: quietLogger) }
        let replicas = clients.map { RedisRateLimiter(redis: $0) }
        let probe = RedisClient(url: try RedisURL(server.url), logger: quietLogger)
        func commands() async throws -> Int {
            let info = try await probe.send(["INFO", "stats"]).string ?? ""
            let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("total_commands_processed:") }
            return Int(line?.split(separator: ":").last ?? "") ?? -1
        }
        let key = "lease-\(UUID())"
        let before = try await commands()
        var allowed = 0
        for index in 0..<420 {
            if await replicas[index % 2].consume(key: key, limit: 400, window: .seconds(60)).allowed { allowed += 1 }
        }
        let sent = try await commands() - before
        #expect(allowed <= 400)
        #expect(allowed >= 400 - 2 * 19)  // at most a lease's remainder unused per replica
        // Leases of 20: about 20 scripts (plus the connections' set-up and each refusal
        // past the limit), not one per request.
        #expect(sent < 150)

        // A burst of concurrent first requests takes one lease, not one each: a limit
        // of 4,000 (leases of 200) is not spent by 64 simultaneous requests.
        let burst = "burst-\(UUID())"
        let admitted = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<64 {
                group.addTask { await replicas[index % 2].consume(key: burst, limit: 4_000, window: .seconds(60)).allowed }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(admitted == 64)
        for client in clients { await client.close() }
        await probe.close()
    }

    @Test func aStoppedRedisFallsBackAndRecovers() async throws {
        let server = try RedisServer()
        try await server.start()
        defer { server.kill() }
        let redis = RedisClient(url: try RedisURL(server.url), logger: quietLogger)
        let limiter = RedisRateLimiter(redis: redis)
        #expect(await limiter.consume(key: "k", limit: 5, window: .seconds(60)).allowed)
        await server.stop()
        // Still answers (in-process), quickly, and reports Redis as down.
        let start = ContinuousClock.now
        for _ in 0..<5 {
            _ = await limiter.consume(key: "k", limit: 5, window: .seconds(60))
        }
        #expect(ContinuousClock.now - start < .seconds(3))
        #expect(await RedisReadinessCheck(redis: redis).isReady() == false)
        // Back on the same port: used again after the back-off.
        let restarted = try RedisServer(port: server.port)
        try await restarted.start()
        defer { restarted.kill() }
        try await Task.sleep(for: .milliseconds(2200))
        #expect(try await redis.send(["PING"]).string == "PONG")
        #expect(await RedisReadinessCheck(redis: redis).isReady())
    }

    @Test func inMemoryLimiterWindows() async throws {
        let clock = ManualClock()
        let limiter = InMemoryRateLimiter(clock: { clock.now })
        for _ in 0..<3 { #expect(await limiter.consume(key: "a", limit: 3, window: .seconds(60)).allowed) }
        let denied = await limiter.consume(key: "a", limit: 3, window: .seconds(60))
        #expect(!denied.allowed)
        #expect(denied.retryAfterSeconds == 61 || denied.retryAfterSeconds == 60)
        #expect(await limiter.consume(key: "b", limit: 3, window: .seconds(60)).allowed)
        clock.advance(.seconds(61))
        #expect(await limiter.consume(key: "a", limit: 3, window: .seconds(60)).allowed)
    }
}

final class ManualClock: @unchecked Sendable {
    private var current = ContinuousClock.now
    private let lock = NSLock()
    var now: ContinuousClock.Instant { lock.withLock { current } }
    func advance(_ duration: Duration) { lock.withLock { current = current.advanced(by: duration) } }
}
