import AsyncHTTPClient
import ServiceLifecycle

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
