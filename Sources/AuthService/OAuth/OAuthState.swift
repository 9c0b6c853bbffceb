import Core
import Crypto
import Foundation

/// The `state` parameter: a random nonce signed together with the provider, so a value
/// that was not issued here, or was issued for another provider, is rejected before any
/// database work. Single use and expiry are enforced by `OAuthStateStore`, which also
/// keeps the PKCE verifier and the hash of the browser-binding cookie.
struct OAuthStateSigner: Sendable {
    private let key: SymmetricKey

    init(secret: String) {
        key = SymmetricKey(data: SHA256.hash(data: Data(("oauth-state:" + secret).utf8)))
    }

    func sign(nonce: String, provider: OAuthProviderID) -> String {
        nonce + "." + signature(nonce: nonce, provider: provider)
    }

    /// The nonce when `state` carries a valid signature for `provider`.
    func nonce(from state: String, provider: OAuthProviderID) -> String? {
        let parts = state.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count >= 32, parts[0].count <= 128 else { return nil }
        let nonce = String(parts[0])
        let expected = signature(nonce: nonce, provider: provider)
        guard ConstantTime.equal(expected.utf8, parts[1].utf8) else { return nil }
        return nonce
    }

    private func signature(nonce: String, provider: OAuthProviderID) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data("\(provider.rawValue)|\(nonce)".utf8), using: key)).base64URLEncodedString()
    }
}

/// RFC 7636 PKCE with the S256 method.
enum PKCE {
    static func verifier() -> String { RefreshTokenStore.newToken() }

    static func challenge(for verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64URLEncodedString()
    }
}

/// Pending authorizations, one row per `state`, consumed by the first callback that
/// presents it: a replayed state finds nothing.
struct OAuthStateStore: Sendable {
    let database: Database
    let lifetime: Duration

    struct Pending: Sendable {
        var provider: String
        var codeVerifier: String
        var bindingHash: String
        var expired: Bool
    }

    func save(nonce: String, provider: OAuthProviderID, codeVerifier: String, binding: String) async throws {
        let seconds = Double(lifetime.components.seconds)
        _ = try await database.client.run(
            """
            WITH expired AS (DELETE FROM oauth_states WHERE expires_at < now() - interval '1 hour')
            INSERT INTO oauth_states (nonce, provider, code_verifier, binding_hash, expires_at)
            VALUES (\(nonce), \(provider.rawValue), \(codeVerifier), \(RefreshTokenStore.hash(binding)),
                    now() + make_interval(secs => \(seconds)))
            """, logger: database.logger)
    }

    /// Deletes and returns the pending authorization: whatever happens next, it cannot be
    /// used again.
    func consume(nonce: String) async throws -> Pending? {
        let rows = try await database.client.run(
            "DELETE FROM oauth_states WHERE nonce = \(nonce) RETURNING provider, code_verifier, binding_hash, expires_at < now()",
            logger: database.logger)
        for try await (provider, verifier, bindingHash, expired) in rows.decode((String, String, String, Bool).self) {
            return Pending(provider: provider, codeVerifier: verifier, bindingHash: bindingHash, expired: expired)
        }
        return nil
    }
}
