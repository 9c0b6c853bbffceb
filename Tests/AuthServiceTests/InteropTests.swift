import Core
import Foundation
import HummingbirdTesting
import TestSupport
import Testing

@testable import AuthService

/// Tokens cross between this service and fastapi-users (PyJWT) in both directions.
@Suite struct InteropTests {
    @Test func aPyJWTTokenOpensUsersMe() async throws {
        let harness = try await AuthHarness()
        let user = try await harness.createUser()
        let token = try PythonFixture.run(
            """
            import jwt, time
            print(jwt.encode({"sub": "\(user.id.uuidString.lowercased())", "aud": ["fastapi-users:auth"], "exp": int(time.time()) + 600}, \(PythonFixture.literal(testSecret)), algorithm="HS256"))
            """)
        try await harness.app().test(.router) { client in
            try await client.execute(uri: "/users/me", method: .get, headers: bearer(token)) { response in
                #expect(response.status == .ok)
                #expect(response.json["email"] == .string(user.email))
            }
        }
    }

    @Test func ourTokensVerifyWithPyJWT() async throws {
        let harness = try await AuthHarness()
        let user = try await harness.createUser()
        let token = try await harness.token(for: user)
        let subject = try PythonFixture.run(
            """
            import jwt
            claims = jwt.decode(\(PythonFixture.literal(token)), \(PythonFixture.literal(testSecret)), algorithms=["HS256"], audience="fastapi-users:auth")
            assert sorted(claims) == ["aud", "exp", "sub"], claims
            assert claims["aud"] == ["fastapi-users:auth"], claims
            print(claims["sub"])
            """)
        #expect(subject == user.id.uuidString.lowercased())
        let verifyToken = try await harness.dependencies.tokens.verifyToken(for: user.id, email: user.email)
        let email = try PythonFixture.run(
            """
            import jwt
            print(jwt.decode(\(PythonFixture.literal(verifyToken)), \(PythonFixture.literal(testSecret)), algorithms=["HS256"], audience="fastapi-users:verify")["email"])
            """)
        #expect(email == user.email)
    }
}

@Suite struct OpenAPITests {
    @Test func describesEveryAuthRoute() async throws {
        let harness = try await AuthHarness()
        try await harness.app().test(.router) { client in
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                let paths = response.json["paths"]
                let expected: [(String, String)] = [
                    ("/auth/register", "post"), ("/auth/jwt/login", "post"), ("/auth/jwt/logout", "post"), ("/auth/forgot-password", "post"),
                    ("/auth/reset-password", "post"), ("/auth/request-verify-token", "post"), ("/auth/verify", "post"),
                    ("/auth/resend-verification", "post"), ("/users/me", "get"), ("/users/me", "patch"), ("/users/{id}", "get"),
                    ("/users/{id}", "patch"), ("/users/{id}", "delete"), ("/health", "get"), ("/ready", "get"),
                ]
                for (path, method) in expected {
                    #expect(paths?[path]?[method] != nil, "missing \(method.uppercased()) \(path)")
                }
            }
        }
    }

    /// Each `{name}` of a path is a path parameter that every operation on it declares (what
    /// openapi-spec-validator checks, scripts/check-openapi.sh), also with the `/api/*`
    /// gateway on: its catch-all, which no OpenAPI path can describe, stays out.
    @Test func declaresEveryPathParameter() async throws {
        let harness = try await AuthHarness(["API_UPSTREAM_URL": "http://127.0.0.1:9"])
        try await harness.app().test(.router) { client in
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                guard case .object(let paths)? = response.json["paths"] else {
                    Issue.record("no paths in \(response.json)")
                    return
                }
                #expect(paths["/api/{path}"] == nil)
                #expect(!paths.keys.contains { $0.hasPrefix("/api") })
                for (path, item) in paths {
                    let names = Set(
                        path.split(separator: "/").filter { $0.hasPrefix("{") && $0.hasSuffix("}") }.map { String($0.dropFirst().dropLast()) })
                    guard case .object(let operations) = item else { continue }
                    for (method, operation) in operations {
                        guard case .array(let parameters)? = operation["parameters"] ?? .array([]) else { continue }
                        let declared = Set(parameters.compactMap { $0["in"] == "path" ? $0["name"]?.stringValue : nil })
                        #expect(declared == names, "\(method.uppercased()) \(path) declares \(declared.sorted()), its path has \(names.sorted())")
                    }
                }
            }
        }
    }
}
