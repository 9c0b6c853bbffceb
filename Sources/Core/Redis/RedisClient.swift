import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// `REDIS_URL`: `redis://[:password@]host[:port][/db]` (`rediss://` is refused: TLS to
/// Redis is not supported here).
public struct RedisURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var password: String?
    public var username: String?
    public var database: Int

    public init(_ raw: String, variable: String = "REDIS_URL") throws {
        guard let components = URLComponents(string: raw), components.scheme?.lowercased() == "redis", let host = components.host, !host.isEmpty
        else {
            throw ConfigError(variable: variable, reason: "expected redis://[:password@]host[:port][/db], got '\(raw)'")
        }
        self.host = host
        self.port = components.port ?? 6379
        self.password = components.password?.removingPercentEncoding
        let user = components.user?.removingPercentEncoding
        self.username = (user?.isEmpty ?? true) ? nil : user
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard let database = path.isEmpty ? 0 : Int(path), database >= 0 else {
            throw ConfigError(variable: variable, reason: "database '\(path)' is not a number")
        }
        self.database = database
    }
}

/// A small Redis client on SwiftNIO: a few pipelined connections used round-robin,
/// connected lazily, reconnected after failures, every command with a timeout. After a
/// failure it fails fast for a short back-off instead of making every request wait for a
/// connect timeout; callers fall back to in-process state meanwhile.
public final class RedisClient: Sendable {
    let url: RedisURL
    let group: any EventLoopGroup
    let commandTimeout: TimeAmount
    let logger: Logger
    private let slots: [NIOLockedValueBox<Task<any Channel, any Error>?>]
    private let next = NIOLockedValueBox(0)
    private let downUntil = NIOLockedValueBox<ContinuousClock.Instant?>(nil)
    static let backoff: Duration = .seconds(2)

    public init(
        url: RedisURL, connections: Int = 4, commandTimeout: TimeAmount = .milliseconds(500),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger
    ) {
        self.url = url
        self.group = group
        self.commandTimeout = commandTimeout
        self.logger = logger
        self.slots = (0..<max(1, connections)).map { _ in NIOLockedValueBox(nil) }
    }

    /// Whether the last attempt failed recently (for `/ready` details).
    public var isHealthy: Bool {
        downUntil.withLockedValue { until in until.map { ContinuousClock.now >= $0 } ?? true }
    }

    public func send(_ arguments: [String]) async throws -> RESPValue {
        try await send(bytes: arguments.map { Array($0.utf8) })
    }

    public func send(bytes arguments: [[UInt8]]) async throws -> RESPValue {
        if let until = downUntil.withLockedValue({ $0 }), ContinuousClock.now < until {
            throw RedisError.unavailable
        }
        let index = next.withLockedValue { value -> Int in
            value = (value + 1) % slots.count
            return value
        }
        do {
            let channel = try await connection(slot: index)
            let reply = try await send(arguments, on: channel)
            downUntil.withLockedValue { $0 = nil }
            if case .error(let message) = reply { throw RedisError.server(message) }
            return reply
        } catch let error as RedisError where error != .timeout && error != .connectionClosed && error != .unavailable {
            throw error
        } catch {
            slots[index].withLockedValue { $0 = nil }
            let firstFailure = downUntil.withLockedValue { until -> Bool in
                defer { until = ContinuousClock.now + Self.backoff }
                return until == nil
            }
            if firstFailure {
                logger.warning("redis unavailable; using in-process state", metadata: ["error": "\(error)"])
            }
            throw RedisError.unavailable
        }
    }

    /// The slot's connection; a closed one (server restarted, timeout) is replaced once.
    private func connection(slot index: Int) async throws -> any Channel {
        for _ in 0..<2 {
            let task = slots[index].withLockedValue { slot -> Task<any Channel, any Error> in
                if let existing = slot { return existing }
                let created = Task { try await self.connect() }
                slot = created
                return created
            }
            let channel = try await task.value
            if channel.isActive { return channel }
            slots[index].withLockedValue { if $0 == task { $0 = nil } }
        }
        throw RedisError.connectionClosed
    }

    private func connect() async throws -> any Channel {
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.seconds(1))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RESPDecoder()))
                    try channel.pipeline.syncOperations.addHandler(RESPClientHandler())
                }
            }
            .connect(host: url.host, port: url.port).get()
        if let password = url.password {
            let auth = url.username.map { ["AUTH", $0, password] } ?? ["AUTH", password]
            if case .error(let message) = try await send(auth.map { Array($0.utf8) }, on: channel) { throw RedisError.server(message) }
        }
        if url.database != 0, case .error(let message) = try await send([Array("SELECT".utf8), Array(String(url.database).utf8)], on: channel) {
            throw RedisError.server(message)
        }
        return channel
    }

    private func send(_ arguments: [[UInt8]], on channel: any Channel) async throws -> RESPValue {
        var payload = channel.allocator.buffer(capacity: 64)
        RESPEncoder.command(arguments, into: &payload)
        let reply = channel.eventLoop.makePromise(of: RESPValue.self)
        let timeout = channel.eventLoop.scheduleTask(in: commandTimeout) {
            // A late reply would be matched to the wrong request: drop the connection.
            reply.fail(RedisError.timeout)
            channel.close(promise: nil)
        }
        channel.writeAndFlush(RedisRequest(payload: payload, reply: reply), promise: nil)
        defer { timeout.cancel() }
        return try await reply.futureResult.get()
    }

    /// Closes every connection (shutdown).
    public func close() async {
        for slot in slots {
            if let task = slot.withLockedValue({ $0 }), let channel = try? await task.value {
                try? await channel.close()
            }
        }
    }
}
