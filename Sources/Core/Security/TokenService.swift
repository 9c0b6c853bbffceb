import Crypto
import Foundation
import JWTKit

/// Why a token was refused. Callers map every case to the same 401/400 answer; the cases
/// exist for logs and tests.
public enum TokenError: Error, Equatable, Sendable {
    case malformed
    case algorithmNotAllowed(String)
    case badSignature
    case expired
    case wrongAudience
}

/// Issues and verifies the HS256 tokens of the fastapi-users protocol.
///
/// The algorithm is pinned: the header must say HS256 before any key is used, so
/// `alg: none` and algorithm-confusion tokens are refused outright.
public struct TokenService: Sendable {
    let accessKeys: JWTKeyCollection
    let verifyKeys: JWTKeyCollection
    let resetKeys: JWTKeyCollection
    let resetSecret: String
    let accessVerifier: HS256Verifier
    let verifyVerifier: HS256Verifier
    let resetVerifier: HS256Verifier
    /// Tokens already verified, until their expiry (at most a minute): the same bearer
    /// token arrives on every request of a session.
    let verifiedAccessTokens = TTLCache<String, AccessTokenClaims>(ttl: .seconds(60), maxEntries: 100_000)
    public let accessTokenLifetime: Duration
    public let verifyTokenLifetime: Duration
    public let resetTokenLifetime: Duration
    let now: @Sendable () -> Date

    public init(
        secret: String,
        verificationSecret: String? = nil,
        resetSecret: String? = nil,
        accessTokenLifetime: Duration = .seconds(15 * 60),
        verifyTokenLifetime: Duration = .seconds(3600),
        resetTokenLifetime: Duration = .seconds(3600),
        now: @escaping @Sendable () -> Date = { Date() }
    ) async {
        func keys(_ secret: String) async -> JWTKeyCollection {
            await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        }
        self.accessKeys = await keys(secret)
        self.verifyKeys = await keys(verificationSecret ?? secret)
        self.resetKeys = await keys(resetSecret ?? secret)
        self.resetSecret = resetSecret ?? secret
        self.accessVerifier = HS256Verifier(secret: secret)
        self.verifyVerifier = HS256Verifier(secret: verificationSecret ?? secret)
        self.resetVerifier = HS256Verifier(secret: resetSecret ?? secret)
        self.accessTokenLifetime = accessTokenLifetime
        self.verifyTokenLifetime = verifyTokenLifetime
        self.resetTokenLifetime = resetTokenLifetime
        self.now = now
    }

    // MARK: issuing

    /// `session`: the refresh-token family of a login, carried as `sid`.
    public func accessToken(for userID: UUID, session: UUID? = nil) async throws -> String {
        try await accessKeys.sign(
            AccessTokenClaims(
                subject: userID.lowercasedString, expiresAt: expiry(after: accessTokenLifetime), sessionID: session?.lowercasedString))
    }

    /// Seconds until `claims` expire, on this service's clock.
    public func secondsLeft(_ claims: AccessTokenClaims) -> Double {
        Double(claims.expiresAt) - now().timeIntervalSince1970
    }

    public func verifyToken(for userID: UUID, email: String) async throws -> String {
        try await verifyKeys.sign(
            VerifyTokenClaims(subject: userID.lowercasedString, email: email, expiresAt: expiry(after: verifyTokenLifetime)))
    }

    public func resetToken(for userID: UUID, passwordHash: String) async throws -> String {
        try await resetKeys.sign(
            ResetTokenClaims(
                subject: userID.lowercasedString, passwordFingerprint: passwordFingerprint(passwordHash),
                expiresAt: expiry(after: resetTokenLifetime)))
    }

    /// A keyed digest of the stored hash: reveals nothing about it, and changes whenever
    /// the password does.
    public func passwordFingerprint(_ passwordHash: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(passwordHash.utf8), using: SymmetricKey(data: Data(resetSecret.utf8)))
        return Hex.string(mac)
    }

    public func passwordFingerprintMatches(_ fingerprint: String, passwordHash: String) -> Bool {
        let expected = Array(passwordFingerprint(passwordHash).utf8)
        let given = Array(fingerprint.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    // MARK: verifying

    public func verifyAccessToken(_ token: String) async throws(TokenError) -> AccessTokenClaims {
        if let cached = verifiedAccessTokens.value(for: token) {
            guard Double(cached.expiresAt) > now().timeIntervalSince1970 else { throw .expired }
            return cached
        }
        let claims: AccessTokenClaims = try verify(token, with: accessVerifier, audience: TokenAudience.access)
        verifiedAccessTokens.set(claims, for: token)
        return claims
    }

    public func verifyVerificationToken(_ token: String) async throws(TokenError) -> VerifyTokenClaims {
        try verify(token, with: verifyVerifier, audience: TokenAudience.verify)
    }

    public func verifyResetToken(_ token: String) async throws(TokenError) -> ResetTokenClaims {
        try verify(token, with: resetVerifier, audience: TokenAudience.reset)
    }

    /// Signature (algorithm pinned), then audience, then expiry against the injected clock.
    private func verify<Claims: ExpiringAudienceClaims>(
        _ token: String, with verifier: HS256Verifier, audience: String
    ) throws(TokenError) -> Claims {
        let claims: Claims = try verifier.verify(token)
        guard claims.audiences.contains(audience) else { throw .wrongAudience }
        guard Double(claims.expiresAt) > now().timeIntervalSince1970 else { throw .expired }
        return claims
    }

    static func headerAlgorithm(of token: String) throws(TokenError) -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Data(base64URLEncoded: String(parts[0])),
            let object = try? JSONSerialization.jsonObject(with: header) as? [String: Any],
            let algorithm = object["alg"] as? String
        else { throw .malformed }
        return algorithm
    }

    private func expiry(after lifetime: Duration) -> Int64 {
        Int64(now().timeIntervalSince1970) + lifetime.components.seconds
    }
}

extension Data {
    /// Decodes unpadded base64url (RFC 4648 §5), as used in JWTs.
    public init?(base64URLEncoded string: String) {
        var base64 = string.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        let remainder = base64.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { base64 += String(repeating: "=", count: 4 - remainder) }
        self.init(base64Encoded: base64)
    }

    public func base64URLEncodedString() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
