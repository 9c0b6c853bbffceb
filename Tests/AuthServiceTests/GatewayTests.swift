import Core
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import TestSupport
import Testing

@testable import AuthService

/// A stand-in API service on a real port: echoes what it received, and streams SSE.
struct FakeUpstream {
    static func start() async throws -> (port: Int, task: Task<Void, any Error>) {
        let port = try freePort()
        let router = Router()
        // Hummingbird's trie does not backtrack, so the catch-all sits beside the fixed
        // routes, one level down.
        for method in [HTTPRequest.Method.get, .post, .put] {
            router.on("/api/**", method: method) { request, _ in try await echo(request) }
        }
        router.get("/api/stream") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/event-stream"],
                body: .init { writer in
                    for index in 0..<3 {
                        try await writer.write(ByteBuffer(string: "event: section\ndata: {\"n\":\(index)}\n\n"))
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    try await writer.finish(nil)
                })
        }
        router.get("/api/redirect") { _, _ in
            Response(status: .found, headers: [.location: "/elsewhere"])
        }
        let task = try await LocalServer.start(router, port: port)
        return (port, task)
    }

    static func echo(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 64 << 20)
        var headers: [String: JSONValue] = [:]
        for field in request.headers { headers[field.name.canonicalName] = .string(field.value) }
        let json: JSONValue = [
            "method": .string(request.method.rawValue), "path": .string(request.uri.path),
            "query": .string(request.uri.query ?? ""), "headers": .object(headers), "bodyBytes": .int(body.readableBytes),
            "bodyPrefix": .string(String(buffer: body).prefix(32).description),
        ]
        return Response(
            status: .created, headers: [.contentType: "application/json", .init("X-Upstream")!: "yes"], body: .init(byteBuffer: .json(json)))
    }
}

@Suite struct GatewayTests {
    func makeApp(upstreamPort: Int) async throws -> some ApplicationProtocol {
        let env = testEnvironment(databaseURL: "postgres://postgres@127.0.0.1:1/none", ["API_UPSTREAM_URL": "http://127.0.0.1:\(upstreamPort)"])
        return try await buildAuthApplication(config: AuthConfig(env: env), logger: quietLogger)
    }

    @Test func forwardsMethodPathQueryHeadersAndBody() async throws {
        let upstream = try await FakeUpstream.start()
        defer { upstream.task.cancel() }
        let payload = String(repeating: "x", count: 3 << 20)  // above the auth service's own 1 MiB limit
        try await makeApp(upstreamPort: upstream.port).test(.live) { client in
            try await client.execute(
                uri: "/api/v1/articles?page=2&limit=5", method: .post,
                headers: [.contentType: "application/json", .authorization: "Bearer abc", .requestID: "req-123", .connection: "keep-alive"],
                body: ByteBuffer(string: payload)
            ) { response in
                #expect(response.status == .created, "\(response.text)")
                #expect(response.headers[.init("X-Upstream")!] == "yes")
                let echo = response.json
                #expect(echo["method"] == "POST")
                #expect(echo["path"] == "/api/v1/articles")
                #expect(echo["query"] == "page=2&limit=5")
                #expect(echo["bodyBytes"] == .int(3 << 20))
                #expect(echo["headers"]?["authorization"] == "Bearer abc")
                #expect(echo["headers"]?["x-request-id"] == "req-123")
                // The test client reaches "localhost": 127.0.0.1 or, where /etc/hosts lists it first, ::1.
                #expect(["127.0.0.1", "::1"].contains(echo["headers"]?["x-forwarded-for"]?.stringValue ?? ""))
                #expect(echo["headers"]?["x-forwarded-proto"] == "http")
            }
        }
    }

    @Test func streamsServerSentEventsAndPassesRedirectsThrough() async throws {
        let upstream = try await FakeUpstream.start()
        defer { upstream.task.cancel() }
        try await makeApp(upstreamPort: upstream.port).test(.live) { client in
            try await client.execute(uri: "/api/stream", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/event-stream")
                #expect(response.text.components(separatedBy: "event: section").count == 4)
            }
            try await client.execute(uri: "/api/redirect", method: .get) { response in
                #expect(response.status == .found)
                #expect(response.headers[.location] == "/elsewhere")
            }
        }
    }

    @Test func upstreamDownIsA502InTheAPIEnvelope() async throws {
        let closedPort = try freePort()
        try await makeApp(upstreamPort: closedPort).test(.router) { client in
            try await client.execute(uri: "/api/v1/me", method: .get) { response in
                #expect(response.status == .badGateway)
                #expect(response.json["success"] == false)
                #expect(response.json["error"]?["code"] == "BAD_GATEWAY")
            }
        }
    }

    @Test func withoutAnUpstreamAPIRoutesAreUnknown() async throws {
        let env = testEnvironment(databaseURL: "postgres://postgres@127.0.0.1:1/none")
        try await buildAuthApplication(config: AuthConfig(env: env), logger: quietLogger).test(.router) { client in
            try await client.execute(uri: "/api/v1/me", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.json == ["detail": "Not Found"])
            }
        }
    }
}
