import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import AuthService

/// The frontend keeps the access token in its own `access_token` cookie and never calls
/// the refresh endpoint (FE/services/api.js L86-118, FE/context/AuthContext.js L131-138),
/// so a live session is renewed by the server near the token's expiry (AUTH.md, "The real
/// frontend's session").
@Suite struct RollingSessionTests {
    /// Set-Cookie values for `name`.
    static func cookies(_ response: TestResponse, _ name: String) -> [String] {
        response.headers[values: .setCookie].filter { $0.hasPrefix(name + "=") }
    }

    static func value(_ setCookie: String) -> String {
        String(setCookie.prefix { $0 != ";" }.drop { $0 != "=" }.dropFirst())
    }

    static func login(_ client: any TestClientProtocol, _ email: String) async throws -> (String, String) {
        let body =
            "username=\(email.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? email)&password=\(AuthHarness.password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        return try await client.execute(
            uri: "/auth/jwt/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: body)
        ) { response in
            (try #require(response.json["access_token"]?.stringValue), try #require(response.json["refresh_token"]?.stringValue))
        }
    }

    @Test func aLiveSessionNearExpiryGetsARenewedCookieAndARevokedOneDoesNot() async throws {
        // Four-minute tokens: every token is inside the five-minute renewal window.
        let harness = try await AuthHarness(["JWT_ACCESS_TOKEN_EXPIRE_MINUTES": "4"])
        let user = try await harness.createUser()
        try await harness.app().test(.router) { client in
            let (token, refresh) = try await Self.login(client, user.email)
            let session = try #require(try await harness.dependencies.tokens.verifyAccessToken(token).sessionID)
            // The frontend's request: Bearer from the cookie, and the cookie.
            let renewed = try await client.execute(
                uri: "/users/me", method: .get, headers: [.authorization: "Bearer \(token)", .cookie: "access_token=\(token)"]
            ) { response in
                #expect(response.status == .ok)
                let cookie = try #require(Self.cookies(response, "access_token").first, "no renewal")
                #expect(cookie.contains("Path=/"))
                #expect(cookie.lowercased().contains("samesite=lax"))
                #expect(!cookie.lowercased().contains("httponly"), "the frontend's JavaScript reads it")
                #expect(!cookie.lowercased().contains("secure"), "plain-http development origin")
                return Self.value(cookie)
            }
            let claims = try await harness.dependencies.tokens.verifyAccessToken(renewed)
            #expect(claims.sessionID == session)
            #expect(claims.subject == user.id.uuidString.lowercased())

            // A token outside any session is never renewed.
            let loose = try await harness.token(for: user)
            try await client.execute(uri: "/users/me", method: .get, headers: bearer(loose)) { response in
                #expect(response.status == .ok)
                #expect(Self.cookies(response, "access_token").isEmpty)
            }
            // Logged out: the session is revoked, and its tokens are not renewed any more.
            try await client.postJSON("/auth/jwt/logout", [:], headers: [.authorization: "Bearer \(renewed)", .cookie: "refresh_token=\(refresh)"]) {
                response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/users/me", method: .get, headers: bearer(renewed)) { response in
                #expect(Self.cookies(response, "access_token").isEmpty)
            }
        }
    }

    @Test func aTokenFarFromExpiryIsLeftAlone() async throws {
        let harness = try await AuthHarness()
        let user = try await harness.createUser()
        try await harness.app().test(.router) { client in
            let (token, _) = try await Self.login(client, user.email)
            try await client.execute(uri: "/users/me", method: .get, headers: bearer(token)) { response in
                #expect(Self.cookies(response, "access_token").isEmpty)
            }
        }
    }

    @Test func cookiesAreSecureOnlyOnHTTPSPublicURLsUnlessOverridden() async throws {
        for (environment, secure) in [
            (["AUTH_PUBLIC_URL": "http://localhost:8000"], false), (["AUTH_PUBLIC_URL": "https://auth.example.com"], true),
            (["AUTH_PUBLIC_URL": "http://localhost:8000", "COOKIE_SECURE": "true"], true),
        ] {
            let harness = try await AuthHarness(environment)
            let user = try await harness.createUser()
            try await harness.app().test(.router) { client in
                try await client.login(user.email, AuthHarness.password) { response in
                    let refresh = try #require(Self.cookies(response, "refresh_token").first)
                    #expect(refresh.lowercased().contains("; secure") == secure, "\(environment): \(refresh)")
                    #expect(refresh.lowercased().contains("httponly"))
                }
            }
        }
        let shared = try await AuthHarness(["COOKIE_DOMAIN": ".example.com"])
        let user = try await shared.createUser()
        try await shared.app().test(.router) { client in
            try await client.login(user.email, AuthHarness.password) { response in
                #expect(Self.cookies(response, "refresh_token").first?.contains("Domain=.example.com") == true)
            }
        }
    }
}
