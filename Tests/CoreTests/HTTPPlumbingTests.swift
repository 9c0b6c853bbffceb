import Core
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import TestSupport
import Testing

/// The shared middleware stack, through a router built exactly as the services build
/// theirs, with a few probe routes.
@Suite struct HTTPPlumbingTests {
    struct Echo: Decodable {
        var name: String
        var count: Int
        var tags: [String]?
    }

    func makeApp(renderer: any ErrorRenderer, databaseURL: String = "postgres://postgres@127.0.0.1:1/none", overrides: [String: String] = [:])
        async throws -> some ApplicationProtocol
    {
        let config = try CoreConfig(env: testEnvironment(databaseURL: databaseURL, overrides), defaultPort: 0)
        let foundation = try await ServiceFoundation(name: "test", config: config, logger: quietLogger)
        let router = foundation.makeRouter(renderer: renderer)
        router.post("/echo") { request, context in
            let echo = try await request.decodeJSON(Echo.self, context: context)
            return "\(echo.name):\(echo.count)"
        }
        router.get("/boom") { _, _ -> String in
            struct Secret: Error { let password = "hunter2" }
            throw Secret()
        }
        foundation.addOperationsRoutes(to: router, title: "t", description: "d", operations: [])
        return foundation.makeApplication(router: router)
    }

    @Test func everyResponseCarriesSecurityHeadersAndARequestID() async throws {
        let app = try await makeApp(renderer: FastAPIErrorRenderer())
        try await app.test(.router) { client in
            for uri in ["/health", "/does-not-exist"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.headers[.init("X-Content-Type-Options")!] == "nosniff")
                    #expect(response.headers[.init("X-Frame-Options")!] == "DENY")
                    #expect(response.headers[.init("Referrer-Policy")!] != nil)
                    #expect((response.headers[.requestID] ?? "").count == 32)
                }
            }
            try await client.execute(uri: "/health", method: .get, headers: [.requestID: "gateway-abc.123"]) { response in
                #expect(response.headers[.requestID] == "gateway-abc.123")
            }
            // An id that could inject into logs or headers is replaced.
            try await client.execute(uri: "/health", method: .get, headers: [.requestID: "bad id\twith spaces"]) { response in
                #expect(response.headers[.requestID] != "bad id\twith spaces")
            }
        }
    }

    @Test func healthAnswersOK() async throws {
        let app = try await makeApp(renderer: EnvelopeErrorRenderer())
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.json["status"] == "ok")
                #expect(response.json["timestamp"]?.stringValue?.isEmpty == false)
            }
        }
    }

    @Test func unknownRoutesUseEachContractsShape() async throws {
        try await makeApp(renderer: FastAPIErrorRenderer()).test(.router) { client in
            try await client.execute(uri: "/nope", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.json == ["detail": "Not Found"])
            }
        }
        try await makeApp(renderer: EnvelopeErrorRenderer()).test(.router) { client in
            try await client.execute(uri: "/api/v1/nope", method: .delete) { response in
                #expect(response.status == .notFound)
                #expect(response.json["success"] == false)
                #expect(response.json["error"]?["code"] == "NOT_FOUND")
            }
        }
    }

    @Test func malformedJSONIsA422InFastAPIShapeAndA400InTheEnvelope() async throws {
        try await makeApp(renderer: FastAPIErrorRenderer()).test(.router) { client in
            try await client.execute(
                uri: "/echo", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{\"name\": ")
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.json["detail"]?.arrayFirst?["type"] == "json_invalid")
            }
            try await client.execute(uri: "/echo", method: .post, headers: [.contentType: "application/json"], body: .json(["name": "a"])) {
                response in
                #expect(response.status == .unprocessableContent)
                let issue = response.json["detail"]?.arrayFirst
                #expect(issue?["type"] == "missing")
                #expect(issue?["loc"] == ["body", "count"])
                #expect(issue?["msg"] == "Field required")
                #expect(issue?["input"] == ["name": "a"])
            }
            try await client.execute(
                uri: "/echo", method: .post, headers: [.contentType: "application/json"], body: .json(["name": "a", "count": "many"])
            ) { response in
                #expect(response.status == .unprocessableContent)
                let issue = response.json["detail"]?.arrayFirst
                #expect(issue?["type"] == "int_type")
                #expect(issue?["loc"] == ["body", "count"])
                #expect(issue?["input"] == "many")
            }
            try await client.execute(
                uri: "/echo", method: .post, headers: [.contentType: "application/json"], body: .json(["name": "a", "count": 1, "tags": ["x", 2]])
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.json["detail"]?.arrayFirst?["loc"] == ["body", "tags", 1])
            }
            try await client.execute(
                uri: "/echo", method: .post, headers: [.contentType: "application/json"], body: .json(["name": "a", "count": 2])
            ) { response in
                #expect(response.status == .ok)
                #expect(response.text == "a:2")
            }
        }
        try await makeApp(renderer: EnvelopeErrorRenderer()).test(.router) { client in
            try await client.execute(uri: "/echo", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "[1,")) {
                response in
                #expect(response.status == .badRequest)
                #expect(response.json["error"]?["code"] == "VALIDATION_ERROR")
            }
            try await client.execute(uri: "/echo", method: .post, headers: [.contentType: "application/json"], body: .json(["name": 5, "count": 1])) {
                response in
                #expect(response.status == .badRequest)
                #expect(response.json["error"]?["details"] == [["field": "name", "message": "Input should be a valid string"]])
            }
        }
    }

    @Test func wrongContentTypeIsRefused() async throws {
        try await makeApp(renderer: EnvelopeErrorRenderer()).test(.router) { client in
            try await client.execute(
                uri: "/echo", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "{\"name\":\"a\",\"count\":1}")
            ) { response in
                #expect(response.status == .unsupportedMediaType)
                #expect(response.json["error"]?["code"] == "UNSUPPORTED_MEDIA_TYPE")
            }
        }
        try await makeApp(renderer: FastAPIErrorRenderer()).test(.router) { client in
            try await client.execute(
                uri: "/echo", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: "name=a")
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.json["detail"]?.arrayFirst?["type"] == "model_attributes_type")
            }
        }
    }

    @Test func oversizedBodiesAre413WhetherDeclaredOrChunked() async throws {
        let big = ByteBuffer(repeating: UInt8(ascii: "a"), count: 4096)
        try await makeApp(renderer: EnvelopeErrorRenderer(), overrides: ["MAX_BODY_BYTES": "2048"]).test(.live) { client in
            try await client.execute(uri: "/echo", method: .post, headers: [.contentType: "application/json"], body: big) { response in
                #expect(response.status == .contentTooLarge)
                #expect(response.json["error"]?["code"] == "PAYLOAD_TOO_LARGE")
            }
        }
        // Without Content-Length (router test framework streams the body).
        try await makeApp(renderer: FastAPIErrorRenderer(), overrides: ["MAX_BODY_BYTES": "2048"]).test(.router) { client in
            try await client.execute(
                uri: "/echo", method: .post, headers: [.contentType: "application/json", .transferEncoding: "chunked"], body: big
            ) { response in
                #expect(response.status == .contentTooLarge)
                #expect(response.json["detail"] != nil)
            }
        }
    }

    @Test func corsAllowsOnlyConfiguredOriginsWithCredentials() async throws {
        try await makeApp(renderer: FastAPIErrorRenderer()).test(.router) { client in
            try await client.execute(uri: "/health", method: .get, headers: [.origin: "http://localhost:3000"]) { response in
                #expect(response.headers[.accessControlAllowOrigin] == "http://localhost:3000")
                #expect(response.headers[.accessControlAllowCredentials] == "true")
            }
            try await client.execute(uri: "/health", method: .get, headers: [.origin: "https://evil.example"]) { response in
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
            try await client.execute(
                uri: "/echo", method: .options,
                headers: [
                    .origin: "http://localhost:3000", .accessControlRequestMethod: "POST",
                    .accessControlRequestHeaders: "content-type, authorization",
                ]
            ) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == "http://localhost:3000")
                #expect(response.headers[.accessControlAllowCredentials] == "true")
                #expect(response.headers[.accessControlAllowMethods]?.contains("POST") == true)
                #expect(response.headers[.accessControlAllowHeaders] == "content-type, authorization")
            }
            try await client.execute(
                uri: "/echo", method: .options, headers: [.origin: "https://evil.example", .accessControlRequestMethod: "POST"]
            ) { response in
                #expect(response.status == .badRequest)
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
        }
    }

    @Test func unexpectedErrorsAre500WithoutInternals() async throws {
        try await makeApp(renderer: EnvelopeErrorRenderer()).test(.router) { client in
            try await client.execute(uri: "/boom", method: .get) { response in
                #expect(response.status == .internalServerError)
                #expect(response.json["error"]?["code"] == "INTERNAL_ERROR")
                #expect(!response.text.contains("hunter2"))
                #expect(!response.text.contains("Secret"))
            }
        }
    }

    @Test func readyIs503WhileTheDatabaseIsUnreachable() async throws {
        // Port 1 on loopback: nothing listens there.
        try await makeApp(renderer: EnvelopeErrorRenderer()).test(.router) { client in
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.json["checks"]?["database"] == "unavailable")
            }
        }
    }

    @Test func readyIs200WithTheDatabase() async throws {
        let url = try await TestDatabase.migratedURL()
        try await makeApp(renderer: EnvelopeErrorRenderer(), databaseURL: url).test(.router) { client in
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.json["checks"]?["database"] == "ok")
            }
        }
    }

    @Test func metricsAndOpenAPIAreServed() async throws {
        try await makeApp(renderer: EnvelopeErrorRenderer()).test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { _ in }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                #expect(response.text.contains("http_requests_total{method=\"GET\",route=\"/health\",status=\"200\"}"))
                #expect(response.text.contains("http_request_duration_seconds_bucket"))
            }
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.json["openapi"] == "3.1.0")
                #expect(response.json["paths"]?["/health"]?["get"] != nil)
                #expect(response.json["paths"]?["/ready"]?["get"] != nil)
            }
        }
    }
}

extension JSONValue {
    var arrayFirst: JSONValue? {
        if case .array(let items) = self { return items.first }
        return nil
    }
}
