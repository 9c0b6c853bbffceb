import Core
import Foundation
import TestSupport
import Testing

/// Each request here once crashed a service, pinned a core or stalled it. Run against the
/// built executables over real HTTP, each must get a clean 4xx (or a prompt answer), and
/// both services must answer `/health` right after it.
@Suite(.serialized) struct HostileInputTests {
    typealias System = LiveSystem

    func withSystem(_ body: (LiveSystem) async throws -> Void) async throws {
        try await LiveSystem.run([:], body)
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
                let reply =
                    slowly
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
            let upload = try await system.post(
                system.api, "/api/v1/media/upload", String(repeating: "a", count: 1 << 20), type: "multipart/form-data; boundary=\(long)")
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
                system.auth, "/auth/jwt/login", "--\(boundary)\r\n" + String(repeating: "a", count: 512 << 10),
                type: "multipart/form-data; boundary=\(boundary)",
                authorized: false)
            #expect(login.status == 422)
            // An e-mail address of 200,000 characters, with a display-name shape.
            let email = " " + String(repeating: "a ", count: 100_000) + "<x"
            let register = try await system.post(
                system.auth, "/auth/register", JSONValue.object(["email": .string(email), "password": "a long enough password"]).encodedString,
                authorized: false)
            #expect(register.status == 422)
            #expect(register.body.contains("Length must not exceed 2048 characters"))
            try await system.healthy()
        }
    }
}
