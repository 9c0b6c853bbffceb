import Core
import Foundation
import Testing
import TestSupport

/// Each request here once crashed a service, pinned a core or stalled it. Run against the
/// built executables over real HTTP, each must get a clean 4xx (or a prompt answer), and
/// both services must answer `/health` right after it.
@Suite(.serialized) struct HostileInputTests {
    struct System {
        let api: ServiceProcess
        let auth: ServiceProcess
        let bearer: String

        func healthy() async throws {
            for service in [api, auth] {
                #expect(service.isRunning, "\(service.name) died: \(service.capturedOutput().suffix(2_000))")
                let health = try await HTTP.get("\(service.baseURL)/health", timeout: .seconds(5))
                #expect(health.status == 200, "\(service.name) /health")
            }
        }

        func post(_ service: ServiceProcess, _ path: String, _ body: String, type: String = "application/json", authorized: Bool = true) async throws -> HTTP.Reply {
            var headers = [("Content-Type", type)]
            if authorized { headers.append(("Authorization", "Bearer \(bearer)")) }
            return try await HTTP.send("POST", service.baseURL + path, headers: headers, body: body, timeout: .seconds(120))
        }
    }

    func withSystem(_ body: (System) async throws -> Void) async throws {
        let url = try await TestDatabase.migratedURL()
        let userID = try await TestUsers.withDatabase(url: url) { try await TestUsers.create(on: $0, verified: true) }
        let bearer = try await TokenService(secret: testSecret).accessToken(for: userID)
        let shared = ["DATABASE_URL": url, "ENV": "development", "SECRET": testSecret, "LOG_LEVEL": "error", "DATABASE_POOL_SIZE": "4",
                      "RATE_LIMIT_ENABLED": "false", "AUTO_MIGRATE": "false"]
        let api = try ServiceProcess(executable: "APIService", port: try freePort(), environment: shared)
        let auth = try ServiceProcess(
            executable: "AuthService", port: try freePort(), environment: shared.merging(["API_UPSTREAM_URL": api.baseURL]) { $1 })
        try await api.waitUntilReady()
        try await auth.waitUntilReady()
        try await body(System(api: api, auth: auth, bearer: bearer))
        _ = try await auth.terminate()
        _ = try await api.terminate()
    }

    @Test func deeplyNestedJSONIsRefusedByBothServices() async throws {
        try await withSystem { system in
            let brackets = try await system.post(system.auth, "/auth/jwt/refresh", String(repeating: "[", count: 1_000_000), authorized: false)
            #expect(brackets.status == 422)
            #expect(brackets.json["detail"]?.first?["type"] == "json_invalid")
            try await system.healthy()
            let objects = try await system.post(system.api, "/api/v1/drafts", String(repeating: #"{"a":"#, count: 200_000))
            #expect(objects.status == 400 || objects.status == 422, "\(objects.status) \(objects.body.prefix(300))")
            try await system.healthy()
            // The same through the gateway.
            let forwarded = try await system.post(system.auth, "/api/v1/drafts", String(repeating: "[", count: 500_000))
            #expect((400..<500).contains(forwarded.status))
            try await system.healthy()
        }
    }

    @Test func anOversizedBodyThroughTheGatewayGetsA413AndTheGatewaySurvives() async throws {
        try await withSystem { system in
            let big = #"{"title":""# + String(repeating: "x", count: 2 << 20) + #""}"#
            for slowly in [false, true, true, true] {
                let url = system.auth.baseURL + "/api/v1/drafts"
                let headers = [("Content-Type", "application/json"), ("Authorization", "Bearer \(system.bearer)")]
                // The upstream answers 413 while the rest of the body is still arriving.
                let reply = slowly
                    ? try await HTTP.sendSlowly("POST", url, headers: headers, body: Array(big.utf8))
                    : try await system.post(system.auth, "/api/v1/drafts", big)
                #expect(reply.status == 413)
                try await Task.sleep(for: .milliseconds(300))
                try await system.healthy()
            }
            // The connection pool still works for ordinary requests afterwards.
            let me = try await HTTP.get(system.auth.baseURL + "/api/v1/me", headers: [("Authorization", "Bearer \(system.bearer)")])
            #expect(me.status == 200)
        }
    }

    @Test func quadraticSEOInputIsAnalysedPromptly() async throws {
        try await withSystem { system in
            for html in ["<p>" + String(repeating: "Dr. ", count: 32_000), String(repeating: "<!--", count: 32_000)] {
                let started = ContinuousClock.now
                let reply = try await system.post(system.api, "/api/v1/seo/analyze", JSONValue.object(["content": .string(html)]).encodedString)
                #expect(reply.status == 200, "\(reply.body.prefix(300))")
                // Minutes before; a generous bound for a debug build on a loaded machine.
                #expect(ContinuousClock.now - started < .seconds(20))
                try await system.healthy()
            }
        }
    }

    @Test func hostileMultipartAndEmailInputAreRefusedPromptly() async throws {
        try await withSystem { system in
            // A boundary longer than RFC 2046 allows: refused before the body is parsed.
            let long = String(repeating: "a", count: 60_000)
            let upload = try await system.post(system.api, "/api/v1/media/upload", String(repeating: "a", count: 1 << 20), type: "multipart/form-data; boundary=\(long)")
            #expect(upload.status == 415)
            // A valid boundary built to make a naive search quadratic, over 5 MiB.
            let boundary = String(repeating: "a", count: 69) + "b"
            let started = ContinuousClock.now
            let near = try await system.post(
                system.api, "/api/v1/media/upload", String(repeating: "a", count: 5 << 20), type: "multipart/form-data; boundary=\(boundary)")
            #expect(near.status == 400)
            #expect(ContinuousClock.now - started < .seconds(20))
            // The form login with the same boundary.
            let login = try await system.post(
                system.auth, "/auth/jwt/login", "--\(boundary)\r\n" + String(repeating: "a", count: 512 << 10), type: "multipart/form-data; boundary=\(boundary)",
                authorized: false)
            #expect(login.status == 422)
            // An e-mail address of 200,000 characters, with a display-name shape.
            let email = " " + String(repeating: "a ", count: 100_000) + "<x"
            let register = try await system.post(
                system.auth, "/auth/register", JSONValue.object(["email": .string(email), "password": "a long enough password"]).encodedString, authorized: false)
            #expect(register.status == 422)
            #expect(register.body.contains("Length must not exceed 2048 characters"))
            try await system.healthy()
        }
    }
}
