import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import AuthService

/// Refresh tokens, CSRF, lockout and the audit trail (AUTH.md "Beyond fastapi-users").
@Suite struct SessionSecurityTests {
    struct Session {
        var access: String
        var refresh: String
        var csrf: String?
    }

    func login(_ client: some TestClientProtocol, _ email: String, _ password: String = AuthHarness.password) async throws -> Session {
        let body =
            "username=\(email.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? email)&password=\(password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? password)"
        let response = try await client.execute(
            uri: "/auth/jwt/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: body))
        #expect(response.status == .ok)
        let cookies = response.headers[values: .setCookie]
        let refreshCookie = try #require(cookies.first { $0.hasPrefix("refresh_token=") })
        #expect(refreshCookie.contains("HttpOnly"))
        // Secure follows AUTH_PUBLIC_URL (plain http here; see RollingSessionTests).
        #expect(!refreshCookie.contains("Secure"))
        #expect(refreshCookie.contains("SameSite=Strict"))
        #expect(refreshCookie.contains("Path=/auth/jwt"))
        let csrf = cookies.first { $0.hasPrefix("csrf_token=") }.map { String($0.dropFirst("csrf_token=".count).prefix { $0 != ";" }) }
        #expect(response.json["expires_in"] == 900)
        return Session(
            access: try #require(response.json["access_token"]?.stringValue), refresh: try #require(response.json["refresh_token"]?.stringValue),
            csrf: csrf)
    }

    func refresh(_ client: some TestClientProtocol, body token: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/auth/jwt/refresh", method: .post, headers: [.contentType: "application/json"], body: .json(["refresh_token": .string(token)]))
    }

    @Test func refreshRotatesAndDetectsReuseAfterTheGraceWindow() async throws {
        // A window long enough for the three calls inside it on a loaded 2-core machine
        // (one second was not, in a full parallel run).
        let harness = try await AuthHarness(["REFRESH_TOKEN_REUSE_GRACE_SECONDS": "5"])
        let user = try await harness.createUser()
        try await harness.app().test(.router) { client in
            let session = try await login(client, user.email)
            let first = try await refresh(client, body: session.refresh)
            #expect(first.status == .ok)
            let next = try #require(first.json["refresh_token"]?.stringValue)
            #expect(next != session.refresh)
            // The new access token works.
            let access = try #require(first.json["access_token"]?.stringValue)
            try await client.execute(uri: "/users/me", method: .get, headers: bearer(access)) { #expect($0.status == .ok) }
            // Within the grace window the same old token yields the same successor.
            let again = try await refresh(client, body: session.refresh)
            #expect(again.status == .ok)
            #expect(again.json["refresh_token"]?.stringValue == next)
            // After it, the old token is theft: 401, and the whole family is revoked.
            try await Task.sleep(for: .milliseconds(5300))
            let stolen = try await refresh(client, body: session.refresh)
            #expect(stolen.status == .unauthorized)
            let successorAfterTheft = try await refresh(client, body: next)
            #expect(successorAfterTheft.status == .unauthorized)
        }
        let events = try await auditEvents(harness, user.id)
        #expect(events.contains("refresh_token_reuse"))
        #expect(events.contains("login_success"))
    }

    @Test func concurrentRefreshesOfOneTokenAllSucceedWithOneSuccessor() async throws {
        let harness = try await AuthHarness()
        let user = try await harness.createUser()
        try await harness.app().test(.live) { client in
            let session = try await login(client, user.email)
            let successors = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await refresh(client, body: session.refresh).json["refresh_token"]?.stringValue }
                }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(successors.allSatisfy { $0 != nil })
            #expect(Set(successors.compactMap { $0 }).count == 1)
        }
    }

    @Test func cookieRefreshNeedsTheCSRFHeader() async throws {
        let harness = try await AuthHarness()
        let user = try await harness.createUser()
        try await harness.app().test(.router) { client in
            let session = try await login(client, user.email)
            let csrf = try #require(session.csrf)
            try await client.execute(
                uri: "/auth/jwt/refresh", method: .post, headers: [.cookie: "refresh_token=\(session.refresh); csrf_token=\(csrf)"]
            ) { response in
                #expect(response.status == .forbidden)
                #expect(response.json == ["detail": "CSRF_TOKEN_INVALID"])
            }
            try await client.execute(
                uri: "/auth/jwt/refresh", method: .post,
                headers: [.cookie: "refresh_token=\(session.refresh); csrf_token=\(csrf)", .csrfToken: "wrong"]
            ) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(
                uri: "/auth/jwt/refresh", method: .post, headers: [.cookie: "refresh_token=\(session.refresh); csrf_token=\(csrf)", .csrfToken: csrf]
            ) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/auth/jwt/refresh", method: .post) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test func logoutRevokesThePresentedRefreshToken() async throws {
        let harness = try await AuthHarness()
        let user = try await harness.createUser()
        try await harness.app().test(.router) { client in
            let session = try await login(client, user.email)
            try await client.execute(
                uri: "/auth/jwt/logout", method: .post, headers: bearer(session.access).merging([.cookie: "refresh_token=\(session.refresh)"])
            ) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[values: .setCookie].contains { $0.hasPrefix("refresh_token=;") })
            }
            #expect(try await refresh(client, body: session.refresh).status == .unauthorized)
            // Logging out by cookie alone is a cookie-authenticated change: CSRF applies.
            let second = try await login(client, user.email)
            try await client.execute(uri: "/auth/jwt/logout", method: .post, headers: [.cookie: "refresh_token=\(second.refresh)"]) { response in
                #expect(response.status == .forbidden)
            }
        }
    }

    @Test func aPasswordResetOrChangeEndsEverySession() async throws {
        let harness = try await AuthHarness()
        let user = try await harness.createUser()
        try await harness.app().test(.router) { client in
            let one = try await login(client, user.email)
            let two = try await login(client, user.email)
            let resetToken = try await harness.dependencies.tokens.resetToken(for: user.id, passwordHash: user.hashedPassword)
            try await client.postJSON("/auth/reset-password", ["token": .string(resetToken), "password": "brand new password 1"]) {
                #expect($0.status == .ok)
            }
            #expect(try await refresh(client, body: one.refresh).status == .unauthorized)
            #expect(try await refresh(client, body: two.refresh).status == .unauthorized)

            let three = try await login(client, user.email, "brand new password 1")
            try await client.execute(
                uri: "/users/me", method: .patch, headers: bearer(three.access).merging([.contentType: "application/json"]),
                body: .json(["password": "another new password 2"])
            ) { #expect($0.status == .ok) }
            #expect(try await refresh(client, body: three.refresh).status == .unauthorized)
        }
        let events = try await auditEvents(harness, user.id)
        #expect(events.contains("password_reset"))
        #expect(events.contains("password_change"))
    }

    @Test func fiveFailuresLockTheAccountUntilAReset() async throws {
        let harness = try await AuthHarness()
        let user = try await harness.createUser()
        try await harness.app().test(.router) { client in
            for _ in 0..<5 {
                try await client.login(user.email, "wrong password") { response in
                    #expect(response.json == ["detail": "LOGIN_BAD_CREDENTIALS"])
                }
            }
            // Locked: the right password gets the same answer as a wrong one.
            try await client.login(user.email, AuthHarness.password) { response in
                #expect(response.status == .badRequest)
                #expect(response.json == ["detail": "LOGIN_BAD_CREDENTIALS"])
            }
            let resetToken = try await harness.dependencies.tokens.resetToken(for: user.id, passwordHash: user.hashedPassword)
            try await client.postJSON("/auth/reset-password", ["token": .string(resetToken), "password": "unlocked password 3"]) {
                #expect($0.status == .ok)
            }
            try await client.login(user.email, "unlocked password 3") { response in #expect(response.status == .ok) }
        }
        let events = try await auditEvents(harness, user.id)
        #expect(events.contains("lockout"))
        #expect(events.filter { $0 == "login_failure" }.count == 6)
    }

    @Test func aSuccessfulLoginResetsTheFailureCount() async throws {
        let harness = try await AuthHarness()
        let user = try await harness.createUser()
        try await harness.app().test(.router) { client in
            for round in 0..<2 {
                for _ in 0..<4 { try await client.login(user.email, "wrong password") { _ in } }
                try await client.login(user.email, AuthHarness.password) { response in
                    #expect(response.status == .ok, "round \(round)")
                }
            }
        }
    }

    @Test func registrationAndRoleChangesAreAudited() async throws {
        let harness = try await AuthHarness()
        let admin = try await harness.createUser(superuser: true)
        let adminToken = try await harness.token(for: admin)
        let email = AuthHarness.uniqueEmail("audited")
        try await harness.app().test(.router) { client in
            try await client.postJSON(
                "/auth/register", ["email": .string(email), "password": "a sound password"],
                headers: [.forwardedFor: "203.0.113.9", .userAgent: "tests"]
            ) { response in
                #expect(response.status == .created)
                let id = try #require(UUID(uuidString: response.json["id"]?.stringValue ?? ""))
                try await client.execute(
                    uri: "/users/\(id)", method: .patch, headers: bearer(adminToken).merging([.contentType: "application/json"]),
                    body: .json(["role": "admin"])
                ) { #expect($0.status == .ok) }
                let rows = try await TestDatabase.with(url: harness.config.core.database.urlString) { database in
                    try await database.client.query(
                        "SELECT event, coalesce(actor_id::text, ''), coalesce(user_agent, '') FROM audit_log WHERE user_id = \(id) ORDER BY id"
                    ).collect()
                        .map { try $0.decode((String, String, String).self) }
                }
                #expect(rows.map(\.0) == ["register", "role_change"])
                #expect(rows.last?.1 == admin.id.uuidString.lowercased())
                #expect(rows.first?.2 == "tests")
            }
        }
    }

    func auditEvents(_ harness: AuthHarness, _ userID: UUID) async throws -> [String] {
        try await TestDatabase.with(url: harness.config.core.database.urlString) { database in
            try await database.client.query("SELECT event FROM audit_log WHERE user_id = \(userID) ORDER BY id").collect().map {
                try $0.decode(String.self)
            }
        }
    }
}

@Suite struct TrustedProxiesTests {
    @Test func forwardedForCountsOnlyFromTrustedPeers() throws {
        let proxies = try TrustedProxies(["10.0.0.0/8", "127.0.0.1", "::1"])
        #expect(proxies.clientIP(peer: "203.0.113.5", forwardedFor: "1.2.3.4") == "203.0.113.5")
        #expect(proxies.clientIP(peer: "10.1.2.3", forwardedFor: "1.2.3.4") == "1.2.3.4")
        #expect(proxies.clientIP(peer: "127.0.0.1", forwardedFor: "6.6.6.6, 1.2.3.4, 10.0.0.7") == "1.2.3.4")
        #expect(proxies.clientIP(peer: "::1", forwardedFor: "2001:db8::1") == "2001:db8::1")
        #expect(proxies.clientIP(peer: "10.0.0.1", forwardedFor: "not-an-ip") == "10.0.0.1")
        #expect(throws: ConfigError.self) { try TrustedProxies(["10.0.0.0/33"]) }
        #expect(throws: ConfigError.self) { try TrustedProxies(["proxy.local"]) }
    }
}

@Suite(.serialized) struct CreateAdminTests {
    @Test func createsThenPromotesIdempotently() async throws {
        let url = try await TestDatabase.migratedURL()
        let email = AuthHarness.uniqueEmail("admin")
        let env = ["DATABASE_URL": url, "ENV": "development", "LOG_LEVEL": "error", "BCRYPT_COST": "4"]
        for expected in ["created admin", "is an admin"] {
            let process = try ServiceProcess(
                executable: "AuthService", port: try freePort(), environment: env,
                arguments: ["create-admin", "--email", email, "--password", "admin password 1"])
            // A generous wait: on a loaded 2-core machine a debug binary's start, migration
            // check and bcrypt have once taken more than the default 30 s.
            #expect(try await process.waitForExit(timeout: .seconds(120)) == 0)
            #expect(process.capturedOutput().contains(expected))
        }
        let harness = try await AuthHarness()
        try await harness.app().test(.router) { client in
            try await client.login(email, "admin password 1") { response in
                #expect(response.status == .ok)
                let token = try #require(response.json["access_token"]?.stringValue)
                try await client.execute(uri: "/users/me", method: .get, headers: bearer(token)) { me in
                    #expect(me.json["is_superuser"] == true)
                    #expect(me.json["role"] == "admin")
                    #expect(me.json["is_verified"] == true)
                }
            }
        }
        let weak = try ServiceProcess(
            executable: "AuthService", port: try freePort(), environment: env, arguments: ["create-admin", "--email", email, "--password", "short"])
        #expect(try await weak.waitForExit(timeout: .seconds(120)) != 0)
    }
}
