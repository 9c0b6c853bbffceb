import AsyncHTTPClient
import ServiceLifecycle

/// Closes the Redis connections at shutdown.
public struct RedisClientService: Service {
    let redis: RedisClient

    public func run() async throws {
        try? await gracefulShutdown()
        await redis.close()
    }
}

/// Owns an `HTTPClient` for the application's lifetime and shuts it down gracefully.
public struct HTTPClientService: Service {
    public let client: HTTPClient

    public init(client: HTTPClient) {
        self.client = client
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
