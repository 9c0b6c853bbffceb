import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import AuthService

/// OAuth against a fake Google/Discord/X over real HTTP: the service's own client code
/// builds the consent URL, exchanges the code with PKCE and reads the profile.
@Suite struct OAuthTests {
    static let frontend = "http://frontend.test"

    /// A browser: starts a flow on the service, lets the fake provider consent, and brings
    /// back the callback (path and query) and the binding cookie.
    struct Flow {
        var callback: String
        var state: String
        var binding: String
        var authorizationURL: URLComponents
    }

    func withProvider(
        _ providers: [String] = ["google", "discord", "twitter"], extra: [String: String] = [:],
        _ body: @Sendable (FakeOAuthProvider, AuthHarness, any TestClientProtocol) async throws -> Void
    ) async throws {
        let fake = try FakeOAuthProvider()
        try await fake.start()
        defer { fake.stop() }
        let harness = try await AuthHarness(fake.environment(for: providers).merging(["FRONTEND_URL": Self.frontend]) { $1 }.merging(extra) { $1 })
        try await harness.app().test(.router) { client in try await body(fake, harness, client) }
    }

    func start(_ client: any TestClientProtocol, _ provider: String, binding: String? = nil) async throws -> Flow {
        let headers: HTTPFields = binding.map { [.cookie: "\(OAuthBindingCookie.name)=\($0)"] } ?? [:]
        let (url, cookie) = try await client.execute(uri: "/auth/\(provider)/authorize", method: .get, headers: headers) { response in
            #expect(response.status == .ok)
            let url = try #require(response.json["authorization_url"]?.stringValue)
            let cookie = try #require(response.headers[values: .setCookie].first { $0.hasPrefix(OAuthBindingCookie.name + "=") })
            return (url, cookie)
        }
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/auth"))
        let value = String(cookie.dropFirst(OAuthBindingCookie.name.count + 1).prefix { $0 != ";" })
        let components = try #require(URLComponents(string: url))
        let state = try #require(components.queryItems?.first { $0.name == "state" }?.value)
        // The "browser" follows the consent page's redirect back to the callback.
        let consent = try await HTTP.send("GET", url, followRedirects: false)
        #expect(consent.status == 302)
        let location = try #require(consent.header("Location"))
        let callback = try #require(URLComponents(string: location))
        return Flow(callback: callback.path + "?" + (callback.percentEncodedQuery ?? ""), state: state, binding: value, authorizationURL: components)
    }

    /// Calls the callback; returns the query of the redirect to the frontend and the
    /// cookies set.
    func finish(_ client: any TestClientProtocol, _ callback: String, binding: String?) async throws -> (query: [String: String], cookies: [String]) {
        let headers: HTTPFields = binding.map { [.cookie: "\(OAuthBindingCookie.name)=\($0)"] } ?? [:]
        return try await client.execute(uri: callback, method: .get, headers: headers) { response in
            #expect(response.status == .found)
            let location = try #require(response.headers[.location])
            #expect(location.hasPrefix(Self.frontend + "/login?"))
            let items = URLComponents(string: location)?.queryItems ?? []
            return (Dictionary(items.map { ($0.name, $0.value ?? "") }) { $1 }, response.headers[values: .setCookie])
        }
    }

    static func google(_ email: String, sub: String = UUID().uuidString, verified: Bool = true) -> JSONValue {
        [
            "sub": .string(sub), "email": .string(email), "email_verified": .bool(verified), "name": "Ada Lovelace",
            "picture": "https://example.com/a.png",
        ]
    }

    @Test func googleSignInCreatesAVerifiedUserAndSendsOnlyTheAccessTokenInTheURL() async throws {
        try await withProvider { fake, harness, client in
            let email = AuthHarness.uniqueEmail("google")
            fake.signInNext(as: Self.google(email))
            let flow = try await start(client, "google")
            let query = flow.authorizationURL.queryItems ?? []
            func item(_ name: String) -> String? { query.first { $0.name == name }?.value }
            #expect(item("code_challenge_method") == "S256")
            #expect(item("scope") == "openid email profile")
            #expect(item("redirect_uri") == "http://localhost:8000/auth/google/callback")
            #expect(item("client_id") == "google-client")

            let (result, cookies) = try await finish(client, flow.callback, binding: flow.binding)
            let token = try #require(result["token"])
            #expect(result["tokens"] == token)
            #expect(result["error"] == nil)
            #expect(result.count == 2, "nothing but the access token goes into the URL")
            #expect(cookies.contains { $0.hasPrefix("refresh_token=") && $0.contains("HttpOnly") })
            // PKCE: the verifier sent to the token endpoint hashes to the challenge (the
            // fake refuses otherwise), and the secret went in the body.
            #expect(fake.tokenRequests.last?["code_verifier"]?.count == 43)

            try await client.execute(uri: "/users/me", method: .get, headers: bearer(token)) { response in
                #expect(response.status == .ok)
                #expect(response.json["email"]?.stringValue == email)
                #expect(response.json["is_verified"] == true)
                #expect(response.json["name"] == "Ada Lovelace")
            }
            let events = try await auditEvents(harness, email: email)
            #expect(events.contains("oauth_link") && events.contains("register") && events.contains("login_success"))
            // Signup and verification bonuses, as for an e-mail registration followed by the link.
            let bonuses = try await TestDatabase.with(url: harness.config.core.database.urlString) { database in
                var reasons: [String] = []
                for try await reason in try await database.client.query(
                    "SELECT l.reason FROM credit_ledger l JOIN users u ON u.id = l.user_id WHERE lower(u.email) = lower(\(email)) ORDER BY l.id"
                ).decode(String.self) { reasons.append(reason) }
                return reasons
            }
            #expect(bonuses.contains("signup_bonus") && bonuses.contains("verify_bonus"))
        }
    }

    @Test func theRedirectRouteSendsTheBrowserToTheProvider() async throws {
        try await withProvider(["discord"]) { fake, _, client in
            try await client.execute(uri: "/auth/discord", method: .get) { response in
                #expect(response.status == .found)
                let location = try #require(response.headers[.location])
                #expect(location.hasPrefix(fake.base + "/discord/authorize?"))
                #expect(location.contains("code_challenge_method=S256") && location.contains("scope=identify%20email"))
                #expect(response.headers[values: .setCookie].contains { $0.hasPrefix(OAuthBindingCookie.name + "=") })
            }
        }
    }

    @Test func aStateIsSingleUse() async throws {
        try await withProvider { fake, _, client in
            fake.signInNext(as: Self.google(AuthHarness.uniqueEmail()))
            let flow = try await start(client, "google")
            #expect(try await finish(client, flow.callback, binding: flow.binding).query["token"] != nil)
            // The same state with a fresh, valid code from the provider.
            let second = try await start(client, "google", binding: flow.binding)
            let replay = second.callback.replacingOccurrences(of: second.state, with: flow.state)
            #expect(try await finish(client, replay, binding: flow.binding).query["error"] == "invalid_state")
        }
    }

    @Test func aTamperedForeignOrUnboundStateIsRefused() async throws {
        try await withProvider { fake, _, client in
            fake.signInNext(as: Self.google(AuthHarness.uniqueEmail()))
            let flow = try await start(client, "google")
            let tampered = flow.callback.replacingOccurrences(
                of: flow.state, with: String(flow.state.dropLast()) + (flow.state.hasSuffix("A") ? "B" : "A"))
            #expect(try await finish(client, tampered, binding: flow.binding).query["error"] == "invalid_state")
            // Signed for Google, presented to Discord.
            let foreign = flow.callback.replacingOccurrences(of: "/auth/google/", with: "/auth/discord/")
            #expect(try await finish(client, foreign, binding: flow.binding).query["error"] == "invalid_state")
            // Another browser (no binding cookie, or a different one).
            #expect(try await finish(client, flow.callback, binding: nil).query["error"] == "invalid_state")
            let other = RefreshTokenStore.newToken()
            let fresh = try await start(client, "google")
            #expect(try await finish(client, fresh.callback, binding: other).query["error"] == "invalid_state")
            // No state at all.
            #expect(try await finish(client, "/auth/google/callback?code=abc", binding: flow.binding).query["error"] == "invalid_state")
        }
    }

    @Test func anExpiredStateIsRefused() async throws {
        try await withProvider { fake, harness, client in
            fake.signInNext(as: Self.google(AuthHarness.uniqueEmail()))
            let flow = try await start(client, "google")
            let nonce = String(flow.state.prefix { $0 != "." })
            _ = try await TestDatabase.with(url: harness.config.core.database.urlString) { database in
                try await database.client.query("UPDATE oauth_states SET expires_at = now() - interval '1 second' WHERE nonce = \(nonce)")
            }
            #expect(try await finish(client, flow.callback, binding: flow.binding).query["error"] == "invalid_state")
        }
    }

    @Test func providerErrorsAndMissingCodesAreReported() async throws {
        try await withProvider { fake, _, client in
            fake.signInNext(as: .null)
            let denied = try await start(client, "google")
            #expect(denied.callback.contains("error=access_denied"))
            #expect(try await finish(client, denied.callback, binding: denied.binding).query["error"] == "user_denied")
            #expect(try await finish(client, "/auth/google/callback?error=invalid_scope&state=x", binding: nil).query["error"] == "invalid_request")
            #expect(try await finish(client, "/auth/google/callback?state=\(denied.state)", binding: denied.binding).query["error"] == "missing_code")
        }
    }

    @Test func aRejectedCodeIsInvalidCodeAndAFailingProviderIsOAuthFailed() async throws {
        try await withProvider { fake, _, client in
            fake.signInNext(as: Self.google(AuthHarness.uniqueEmail()))
            let flow = try await start(client, "google")
            let forged = flow.callback.replacingOccurrences(of: "code=code-", with: "code=forged-")
            #expect(try await finish(client, forged, binding: flow.binding).query["error"] == "invalid_code")

            let outage = try await start(client, "google")
            fake.failTokenEndpoint(with: 503)
            #expect(try await finish(client, outage.callback, binding: outage.binding).query["error"] == "oauth_failed")
        }
    }

    @Test func anUnreachableProviderIsOAuthFailed() async throws {
        let closed = try freePort()
        try await withProvider(["google"], extra: ["OAUTH_GOOGLE_TOKEN_URL": "http://127.0.0.1:\(closed)/token"]) { fake, _, client in
            fake.signInNext(as: Self.google(AuthHarness.uniqueEmail()))
            let flow = try await start(client, "google")
            #expect(try await finish(client, flow.callback, binding: flow.binding).query["error"] == "oauth_failed")
        }
    }

    @Test func xWithoutAConfirmedEmailIsEmailNotAvailableUnlessLinkedBefore() async throws {
        try await withProvider { fake, harness, client in
            let xID = String(UInt64.random(in: 1...UInt64.max))
            fake.signInNext(as: ["data": ["id": .string(xID), "name": "No Mail", "username": "nomail"]])
            let flow = try await start(client, "twitter")
            #expect(try await finish(client, flow.callback, binding: flow.binding).query["error"] == "email_not_available")
            // X authenticates the client with HTTP Basic (the fake insists).
            #expect(fake.tokenAuthorizations.last??.hasPrefix("Basic ") == true)

            let email = AuthHarness.uniqueEmail("x")
            fake.signInNext(as: ["data": ["id": .string(xID), "name": "Has Mail", "username": "hasmail", "confirmed_email": .string(email)]])
            let linked = try await start(client, "twitter")
            let first = try await finish(client, linked.callback, binding: linked.binding).query["token"]
            #expect(first != nil)
            // Later the e-mail is gone at X; the identity is linked, so sign-in works.
            fake.signInNext(as: ["data": ["id": .string(xID), "name": "Has Mail", "username": "hasmail"]])
            let again = try await start(client, "twitter")
            let token = try #require(try await finish(client, again.callback, binding: again.binding).query["token"])
            try await client.execute(uri: "/users/me", method: .get, headers: bearer(token)) { response in
                #expect(response.json["email"]?.stringValue == email)
            }
            _ = harness
        }
    }

    @Test func anUnverifiedProviderEmailIsNotTrusted() async throws {
        try await withProvider { fake, harness, client in
            let victim = try await harness.createUser(verified: true)
            fake.signInNext(as: ["id": "4242", "username": "mallory", "email": .string(victim.email), "verified": false])
            let flow = try await start(client, "discord")
            #expect(try await finish(client, flow.callback, binding: flow.binding).query["error"] == "email_not_available")
        }
    }

    @Test func aVerifiedEmailLinksTheExistingAccount() async throws {
        try await withProvider { fake, harness, client in
            let user = try await harness.createUser(verified: true)
            fake.signInNext(as: [
                "id": .string(String(UInt64.random(in: 1...UInt64.max))), "username": "ada", "global_name": "Ada",
                "email": .string(user.email.uppercased()), "verified": true, "avatar": "abc",
            ])
            let flow = try await start(client, "discord")
            let token = try #require(try await finish(client, flow.callback, binding: flow.binding).query["token"])
            try await client.execute(uri: "/users/me", method: .get, headers: bearer(token)) { response in
                #expect(response.json["id"]?.stringValue == user.id.uuidString.lowercased())
            }
            // The password still works: linking did not touch a verified account.
            try await client.login(user.email, AuthHarness.password) { response in #expect(response.status == .ok) }
            #expect(try await auditEvents(harness, email: user.email).contains("oauth_link"))
            let links = try await TestDatabase.with(url: harness.config.core.database.urlString) { database in
                var count = 0
                for try await _ in try await database.client.query("SELECT 1 FROM oauth_accounts WHERE user_id = \(user.id) AND provider = 'discord'")
                { count += 1 }
                return count
            }
            #expect(links == 1)
        }
    }

    @Test func linkingAnUnverifiedAccountVoidsThePasswordSomeoneElseMayHaveSet() async throws {
        try await withProvider { fake, harness, client in
            let squatted = try await harness.createUser(verified: false)
            fake.signInNext(as: Self.google(squatted.email))
            let flow = try await start(client, "google")
            #expect(try await finish(client, flow.callback, binding: flow.binding).query["token"] != nil)
            try await client.login(squatted.email, AuthHarness.password) { response in
                #expect(response.status == .badRequest)
            }
            #expect(try await harness.user(id: squatted.id)?.isVerified == true)
        }
    }

    /// Account pre-takeover: the attacker's account, reached by Discord, an API key and a
    /// session, is moved to the victim's address with PATCH /users/me (which leaves it
    /// unverified). When the victim then signs in with Google, the account becomes the
    /// victim's alone: none of the attacker's ways in still opens it.
    @Test func aClaimedUnverifiedAccountKeepsNoOtherWayIn() async throws {
        try await withProvider { fake, harness, client in
            let attacker = try await harness.createUser(email: AuthHarness.uniqueEmail("mallory"), verified: true)
            let discordID = String(UInt64.random(in: 1...UInt64.max))
            fake.signInNext(as: ["id": .string(discordID), "username": "mallory", "email": .string(attacker.email), "verified": true])
            let linked = try await start(client, "discord")
            #expect(try await finish(client, linked.callback, binding: linked.binding).query["token"] != nil)
            let refresh = try await client.login(attacker.email, AuthHarness.password) { response in
                try #require(response.json["refresh_token"]?.stringValue)
            }
            let keyHash = Hex.sha256("nxf_" + UUID().uuidString)
            try await TestDatabase.with(url: harness.config.core.database.urlString) { database in
                try await database.client.query(
                    "INSERT INTO platform_api_keys (user_id, name, key_hash, last4) VALUES (\(attacker.id), 'backdoor', \(keyHash), 'abcd')")
                try await database.client.query(
                    "INSERT INTO user_provider_keys (user_id, provider, sealed_key, last4) VALUES (\(attacker.id), 'OPENAI', '\\x00'::bytea, 'wxyz')")
            }
            let victimEmail = AuthHarness.uniqueEmail("victim")
            try await client.execute(
                uri: "/users/me", method: .patch, headers: bearer(try await harness.token(for: attacker)).merging([.contentType: "application/json"]),
                body: .json(["email": .string(victimEmail)])
            ) { response in
                #expect(response.status == .ok)
                #expect(response.json["is_verified"] == false)
            }

            fake.signInNext(as: Self.google(victimEmail))
            let claim = try await start(client, "google")
            let victimToken = try #require(try await finish(client, claim.callback, binding: claim.binding).query["token"])
            try await client.execute(uri: "/users/me", method: .get, headers: bearer(victimToken)) { response in
                #expect(response.json["id"]?.stringValue == attacker.id.uuidString.lowercased())
                #expect(response.json["is_verified"] == true)
            }

            // Discord no longer opens it: the attacker's Discord identity is unlinked (a new
            // sign-in there makes an account of its own for the attacker's own address).
            fake.signInNext(as: ["id": .string(discordID), "username": "mallory", "email": .string(attacker.email), "verified": true])
            let again = try await start(client, "discord")
            let attackerToken = try #require(try await finish(client, again.callback, binding: again.binding).query["token"])
            try await client.execute(uri: "/users/me", method: .get, headers: bearer(attackerToken)) { response in
                #expect(response.json["id"]?.stringValue != attacker.id.uuidString.lowercased())
            }
            // Nor the session, the password or the API key.
            try await client.execute(
                uri: "/auth/jwt/refresh", method: .post, headers: [.contentType: "application/json"], body: .json(["refresh_token": .string(refresh)])
            ) { response in #expect(response.status == .unauthorized) }
            try await client.login(victimEmail, AuthHarness.password) { response in #expect(response.status == .badRequest) }
            try await TestDatabase.with(url: harness.config.core.database.urlString) { database in
                let rows = try await database.client.query(
                    "SELECT count(*)::int FROM platform_api_keys WHERE user_id = \(attacker.id) AND revoked_at IS NULL")
                for try await live in rows.decode(Int.self) { #expect(live == 0) }
                let keys = try await database.client.query("SELECT count(*)::int FROM user_provider_keys WHERE user_id = \(attacker.id)")
                for try await count in keys.decode(Int.self) { #expect(count == 0) }
                let links = try await database.client.query("SELECT provider FROM oauth_accounts WHERE user_id = \(attacker.id)")
                var providers: [String] = []
                for try await provider in links.decode(String.self) { providers.append(provider) }
                #expect(providers == ["google"])
            }
            #expect(try await auditEvents(harness, email: victimEmail).contains("account_claimed"))
        }
    }

    @Test func anInactiveAccountCannotSignIn() async throws {
        try await withProvider { fake, harness, client in
            let user = try await harness.createUser(active: false, verified: true)
            fake.signInNext(as: Self.google(user.email))
            let flow = try await start(client, "google")
            #expect(try await finish(client, flow.callback, binding: flow.binding).query["error"] == "oauth_failed")
        }
    }

    @Test func unknownAndUnconfiguredProviders() async throws {
        try await withProvider(["google"]) { _, _, client in
            for uri in ["/auth/twitter", "/auth/twitter/authorize", "/auth/myspace", "/auth/myspace/authorize", "/auth/myspace/callback?code=x"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .notFound, "\(uri)")
                    #expect(response.json["detail"] == "Not Found")
                }
            }
            #expect(try await finish(client, "/auth/twitter/callback?code=x&state=y", binding: nil).query["error"] == "provider_not_configured")
        }
    }

    @Test func providersNeedBothIdAndSecret() throws {
        let env = EnvironmentReader([
            "SECRET": testSecret, "GOOGLE_CLIENT_ID": "id", "GOOGLE_CLIENT_SECRET": " ", "DISCORD_CLIENT_ID": "d",
            "DISCORD_CLIENT_SECRET": "s", "DISCORD_REDIRECT_URI": "https://app.example.com/oauth/discord",
            "AUTH_PUBLIC_URL": "https://auth.example.com/",
        ])
        let config = try AuthConfig(env: env)
        #expect(config.oauth.providers[.google] == nil)
        #expect(config.oauth.providers[.discord]?.redirectURI == "https://app.example.com/oauth/discord")
        #expect(config.oauth.publicURL == "https://auth.example.com")
        #expect(config.oauth.providers[.discord]?.tokenURL.absoluteString == "https://discord.com/api/oauth2/token")
        #expect(throws: ConfigError.self) {
            try AuthConfig(
                env: EnvironmentReader([
                    "SECRET": testSecret, "GOOGLE_CLIENT_ID": "id", "GOOGLE_CLIENT_SECRET": "s", "OAUTH_GOOGLE_TOKEN_URL": "ftp://x",
                ]))
        }
    }

    func auditEvents(_ harness: AuthHarness, email: String) async throws -> [String] {
        try await TestDatabase.with(url: harness.config.core.database.urlString) { database in
            var events: [String] = []
            let rows = try await database.client.query(
                "SELECT a.event FROM audit_log a JOIN users u ON u.id = a.user_id WHERE lower(u.email) = lower(\(email)) ORDER BY a.id")
            for try await event in rows.decode(String.self) { events.append(event) }
            return events
        }
    }
}
