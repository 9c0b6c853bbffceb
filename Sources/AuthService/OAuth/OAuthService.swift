import Core
import Foundation
import PostgresNIO

/// The authorization-code flow with PKCE: start (state + verifier + binding cookie),
/// then finish (check state, exchange code, read profile, link or create the account,
/// open a session).
struct OAuthService: Sendable {
    let dependencies: AuthDependencies
    let config: OAuthConfig
    let client: OAuthProviderClient
    let signer: OAuthStateSigner
    let states: OAuthStateStore

    struct Authorization: Sendable {
        var url: String
        /// The value of the binding cookie the browser must carry back to the callback.
        var binding: String
    }

    struct CallbackParameters: Sendable {
        var code: String?
        var state: String?
        var error: String?
    }

    func provider(named name: String) -> OAuthProviderConfig? {
        OAuthProviderID(rawValue: name).flatMap { config.providers[$0] }
    }

    /// Starts an authorization. An existing binding cookie is reused so that two tabs
    /// signing in at once do not invalidate each other.
    func begin(_ provider: OAuthProviderConfig, existingBinding: String?) async throws -> Authorization {
        let binding = existingBinding.flatMap { OAuthBindingCookie.isWellFormed($0) ? $0 : nil } ?? RefreshTokenStore.newToken()
        let nonce = RefreshTokenStore.newToken()
        let verifier = PKCE.verifier()
        try await states.save(nonce: nonce, provider: provider.id, codeVerifier: verifier, binding: binding)
        let parameters = [
            ("response_type", "code"), ("client_id", provider.clientID), ("redirect_uri", provider.redirectURI),
            ("scope", provider.scopes.joined(separator: " ")), ("state", signer.sign(nonce: nonce, provider: provider.id)),
            ("code_challenge", PKCE.challenge(for: verifier)), ("code_challenge_method", "S256"),
        ]
        let base = provider.authorizeURL.absoluteString
        let separator = provider.authorizeURL.query == nil ? "?" : "&"
        return Authorization(url: base + separator + FormEncoding.encode(parameters), binding: binding)
    }

    /// Finishes the flow. Every failure is one of the `OAuthFailure` codes; nothing else
    /// escapes (a database outage is `oauth_failed`, not a 500 on a browser redirect).
    func complete(
        providerName: String, parameters: CallbackParameters, binding: String?, origin: RequestOrigin
    ) async throws(OAuthFailure) -> LoginService.Session {
        guard let provider = provider(named: providerName) else { throw .providerNotConfigured }
        if let error = parameters.error {
            // Burn the state so it cannot be replayed after the user said no.
            if let state = parameters.state, let nonce = signer.nonce(from: state, provider: provider.id) {
                _ = try? await states.consume(nonce: nonce)
            }
            throw error == "access_denied" ? .userDenied : .invalidRequest
        }
        guard let code = parameters.code, !code.isEmpty else { throw .missingCode }
        let verifier = try await checkState(parameters.state, provider: provider.id, binding: binding)
        let accessToken = try await client.exchange(code: code, codeVerifier: verifier, provider: provider)
        let profile = try await client.profile(accessToken: accessToken, provider: provider)
        do {
            let (user, issued) = try await signIn(profile, provider: provider.id, origin: origin)
            return LoginService.Session(
                user: user, accessToken: try await dependencies.tokens.accessToken(for: user.id, session: issued.familyID), refreshToken: issued.token
            )
        } catch let failure as OAuthFailure {
            throw failure
        } catch {
            dependencies.logger.error(
                "oauth sign-in failed", metadata: ["provider": "\(provider.id.rawValue)", "error": "\(String(reflecting: error))"])
            throw .oauthFailed
        }
    }

    /// The PKCE verifier of the pending authorization that `state` names, consumed.
    private func checkState(_ state: String?, provider: OAuthProviderID, binding: String?) async throws(OAuthFailure) -> String {
        guard let state, let nonce = signer.nonce(from: state, provider: provider), let binding else { throw .invalidState }
        let pending: OAuthStateStore.Pending?
        do {
            pending = try await states.consume(nonce: nonce)
        } catch {
            dependencies.logger.error("oauth state lookup failed", metadata: ["error": "\(String(reflecting: error))"])
            throw .oauthFailed
        }
        guard let pending, pending.provider == provider.rawValue, !pending.expired,
            ConstantTime.equal(pending.bindingHash.utf8, RefreshTokenStore.hash(binding).utf8)
        else { throw .invalidState }
        return pending.codeVerifier
    }

    /// Finds the account (by provider identity, else by verified e-mail) or creates a
    /// verified one, records the link, and issues a refresh token, in one transaction.
    /// Two simultaneous first sign-ins race on unique keys; the loser retries once and
    /// finds the winner's rows.
    private func signIn(_ profile: OAuthProfile, provider: OAuthProviderID, origin: RequestOrigin) async throws -> (
        UserRecord, RefreshTokenStore.Issued
    ) {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await dependencies.transaction { runner in
                    let user = try await linkedUser(profile, provider: provider, origin: origin, on: runner)
                    guard user.isActive else { throw OAuthFailure.oauthFailed }
                    try await dependencies.audit.record(
                        .loginSuccess, userID: user.id, origin: origin, details: ["method": "oauth", "provider": .string(provider.rawValue)],
                        on: runner)
                    return (user, try await dependencies.refreshTokens.issue(userID: user.id, on: runner))
                }
            } catch let error as PSQLError where error.isUniqueViolation && attempt == 1 {
                continue
            } catch AuthError.registerUserAlreadyExists where attempt == 1 {
                continue
            }
        }
    }

    private func linkedUser(_ profile: OAuthProfile, provider: OAuthProviderID, origin: RequestOrigin, on runner: any SQLRunner) async throws
        -> UserRecord
    {
        let users = dependencies.users
        let logger = dependencies.logger
        let linked = try await runner.run(
            """
            UPDATE oauth_accounts SET last_login_at = now(), account_email = coalesce(\(profile.email), account_email)
            WHERE provider = \(provider.rawValue) AND provider_account_id = \(profile.accountID)
            RETURNING user_id
            """, logger: logger)
        for try await userID in linked.decode(UUID.self) {
            guard let user = try await users.user(id: userID, on: runner) else { throw OAuthFailure.oauthFailed }
            return user
        }
        guard let raw = profile.email, profile.emailVerified, case .success(let email) = EmailAddress.normalize(raw) else {
            throw OAuthFailure.emailNotAvailable
        }
        var user: UserRecord
        if let existing = try await users.user(email: email, on: runner) {
            user = existing
            if !existing.isVerified {
                user = try await claim(existing, provider: provider, origin: origin, on: runner)
                // Now verified: the verification bonus and any referral rewards, as after the e-mail link.
                try await AccountLifecycle.userVerified(userID: existing.id, on: runner, logger: logger)
            }
        } else {
            user = try await users.create(
                .init(email: email, hashedPassword: Self.unusablePassword(), name: profile.name, isVerified: true), on: runner)
            if let avatar = profile.avatarURL {
                user = try await users.update(id: user.id, .init(avatarURL: .some(avatar)), on: runner) ?? user
            }
            try await dependencies.audit.record(
                .register, userID: user.id, origin: origin, details: ["provider": .string(provider.rawValue)], on: runner)
            // A new account, verified by its provider: signup and verification bonuses.
            try await AccountLifecycle.userRegistered(userID: user.id, on: runner, logger: logger)
            try await AccountLifecycle.userVerified(userID: user.id, on: runner, logger: logger)
        }
        try await runner.run(
            """
            INSERT INTO oauth_accounts (user_id, provider, provider_account_id, account_email)
            VALUES (\(user.id), \(provider.rawValue), \(profile.accountID), \(email))
            """, logger: logger)
        try await dependencies.audit.record(
            .oauthLink, userID: user.id, origin: origin,
            details: ["provider": .string(provider.rawValue), "provider_account_id": .string(profile.accountID)], on: runner)
        return user
    }

    /// The provider proved that the signing-in person owns the address of an unverified
    /// account. Whoever made the account unverified (registered it, or changed its e-mail
    /// to this address with PATCH /users/me) may not own it, so every way in they could
    /// have set up goes, in the same transaction: the password, the sessions, the other
    /// providers' links, the platform API keys and their own AI provider keys. The access
    /// tokens already issued expire on their own (JWT_ACCESS_TOKEN_EXPIRE_MINUTES, 15 by default).
    private func claim(_ existing: UserRecord, provider: OAuthProviderID, origin: RequestOrigin, on runner: any SQLRunner) async throws -> UserRecord
    {
        let logger = dependencies.logger
        let user =
            try await dependencies.users.update(id: existing.id, .init(hashedPassword: Self.unusablePassword(), isVerified: true), on: runner)
            ?? existing
        try await dependencies.refreshTokens.revokeAll(userID: existing.id, on: runner)
        var unlinked: [JSONValue] = []
        let links = try await runner.run(
            "DELETE FROM oauth_accounts WHERE user_id = \(existing.id) RETURNING provider", logger: logger)
        for try await name in links.decode(String.self) { unlinked.append(.string(name)) }
        var revokedKeys = 0
        let keys = try await runner.run(
            "UPDATE platform_api_keys SET revoked_at = now() WHERE user_id = \(existing.id) AND revoked_at IS NULL RETURNING id", logger: logger)
        for try await _ in keys { revokedKeys += 1 }
        // Their own AI provider keys too: the account's prompts would otherwise go through
        // a provider account whose logs they read.
        var removedProviderKeys = 0
        let providerKeys = try await runner.run("DELETE FROM user_provider_keys WHERE user_id = \(existing.id) RETURNING provider", logger: logger)
        for try await _ in providerKeys { removedProviderKeys += 1 }
        try await dependencies.audit.record(
            .accountClaimed, userID: existing.id, origin: origin,
            details: [
                "provider": .string(provider.rawValue), "unlinked": .array(unlinked), "revoked_api_keys": .int(revokedKeys),
                "removed_provider_keys": .int(removedProviderKeys),
            ], on: runner)
        return user
    }

    /// A stored hash no password verifies against: the account signs in through its
    /// provider until the user sets a password with "forgot password".
    static func unusablePassword() -> String { "!oauth:" + RefreshTokenStore.newToken() }
}

/// The cookie that ties a `state` to the browser that started the flow, so a callback
/// URL planted in someone else's browser is refused (login CSRF).
enum OAuthBindingCookie {
    static let name = "oauth_binding"

    static func isWellFormed(_ value: String) -> Bool {
        value.count == 43 && value.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
    }
}
