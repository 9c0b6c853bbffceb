import Core
import Crypto
import Foundation
import Testing

@Suite struct TokenServiceTests {
    let secret = "test-secret-0123456789abcdef0123456789abcdef"

    /// Signs arbitrary header/claims with HMAC-SHA256 directly, as any other JWT library
    /// (PyJWT in fastapi-users) would, independent of the code under test.
    func mint(header: [String: Any] = ["alg": "HS256", "typ": "JWT"], claims: [String: Any], secret: String? = nil) throws -> String {
        let headerPart = try JSONSerialization.data(withJSONObject: header).base64URLEncodedString()
        let claimsPart = try JSONSerialization.data(withJSONObject: claims).base64URLEncodedString()
        let input = "\(headerPart).\(claimsPart)"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data((secret ?? self.secret).utf8)))
        return "\(input).\(Data(mac).base64URLEncodedString())"
    }

    var future: Int { Int(Date().timeIntervalSince1970) + 600 }

    @Test func issuesFastAPIUsersShapedAccessTokens() async throws {
        let service = await TokenService(secret: secret)
        let id = UUID()
        let token = try await service.accessToken(for: id)
        let parts = token.split(separator: ".")
        #expect(parts.count == 3)
        let header = try #require(Data(base64URLEncoded: String(parts[0])))
        let claimsData = try #require(Data(base64URLEncoded: String(parts[1])))
        let headerJSON = try #require(try JSONSerialization.jsonObject(with: header) as? [String: Any])
        let claims = try #require(try JSONSerialization.jsonObject(with: claimsData) as? [String: Any])
        #expect(headerJSON["alg"] as? String == "HS256")
        #expect(Set(claims.keys) == ["sub", "aud", "exp"])
        #expect(claims["sub"] as? String == id.uuidString.lowercased())
        #expect(claims["aud"] as? [String] == ["fastapi-users:auth"])
        let exp = try #require(claims["exp"] as? Int)
        #expect(abs(exp - Int(Date().timeIntervalSince1970) - 900) <= 2)
        let verified = try await service.verifyAccessToken(token)
        #expect(verified.subject == id.uuidString.lowercased())
    }

    @Test func acceptsATokenMintedByAnotherHS256Library() async throws {
        let service = await TokenService(secret: secret)
        let token = try mint(claims: ["sub": "7b5c1c9e-3f39-4a4e-9df0-9a0f1b3e5c11", "aud": ["fastapi-users:auth"], "exp": future])
        #expect(try await service.verifyAccessToken(token).subject == "7b5c1c9e-3f39-4a4e-9df0-9a0f1b3e5c11")
        // A plain-string audience is valid JWT too.
        let single = try mint(claims: ["sub": "x", "aud": "fastapi-users:auth", "exp": future])
        #expect(try await service.verifyAccessToken(single).subject == "x")
    }

    @Test func rejectsExpiredTokens() async throws {
        let service = await TokenService(secret: secret)
        let token = try mint(claims: ["sub": "x", "aud": ["fastapi-users:auth"], "exp": Int(Date().timeIntervalSince1970) - 1])
        await #expect(throws: TokenError.expired) { try await service.verifyAccessToken(token) }
    }

    @Test func rejectsAWrongSecret() async throws {
        let service = await TokenService(secret: secret)
        let token = try mint(claims: ["sub": "x", "aud": ["fastapi-users:auth"], "exp": future], secret: "another-secret-entirely-0123456789")
        await #expect(throws: TokenError.badSignature) { try await service.verifyAccessToken(token) }
    }

    @Test func rejectsAWrongAudience() async throws {
        let service = await TokenService(secret: secret)
        let verifyAudience = try mint(claims: ["sub": "x", "aud": "fastapi-users:verify", "exp": future])
        await #expect(throws: TokenError.wrongAudience) { try await service.verifyAccessToken(verifyAudience) }
        let none = try mint(claims: ["sub": "x", "exp": future])
        await #expect(throws: TokenError.self) { try await service.verifyAccessToken(none) }
    }

    @Test func rejectsAlgNoneAndOtherAlgorithms() async throws {
        let service = await TokenService(secret: secret)
        let claims = try JSONSerialization.data(withJSONObject: ["sub": "x", "aud": ["fastapi-users:auth"], "exp": future])
            .base64URLEncodedString()
        for alg in ["none", "None", "HS512", "RS256"] {
            let header = try JSONSerialization.data(withJSONObject: ["alg": alg, "typ": "JWT"]).base64URLEncodedString()
            await #expect(throws: TokenError.algorithmNotAllowed(alg)) { try await service.verifyAccessToken("\(header).\(claims).") }
        }
    }

    @Test func rejectsMalformedAndTamperedTokens() async throws {
        let service = await TokenService(secret: secret)
        for garbage in ["", "abc", "a.b", "a.b.c.d", "!!!.???.###"] {
            await #expect(throws: TokenError.self) { try await service.verifyAccessToken(garbage) }
        }
        let token = try await service.accessToken(for: UUID())
        var parts = token.split(separator: ".").map(String.init)
        let forged = try JSONSerialization.data(withJSONObject: ["sub": UUID().uuidString, "aud": ["fastapi-users:auth"], "exp": future])
        parts[1] = forged.base64URLEncodedString()
        await #expect(throws: TokenError.badSignature) { try await service.verifyAccessToken(parts.joined(separator: ".")) }
    }

    @Test func verifyAndResetTokensUseTheirOwnSecretsAndAudiences() async throws {
        let service = await TokenService(
            secret: secret, verificationSecret: "verify-secret-0123456789abcdef0123", resetSecret: "reset-secret-0123456789abcdef01234")
        let id = UUID()
        let verify = try await service.verifyToken(for: id, email: "a@example.com")
        let claims = try await service.verifyVerificationToken(verify)
        #expect(claims.email == "a@example.com")
        #expect(claims.subject == id.uuidString.lowercased())
        await #expect(throws: TokenError.self) { try await service.verifyAccessToken(verify) }
        await #expect(throws: TokenError.self) { try await service.verifyResetToken(verify) }

        let reset = try await service.resetToken(for: id, passwordHash: "$2b$10$abc")
        let resetClaims = try await service.verifyResetToken(reset)
        #expect(service.passwordFingerprintMatches(resetClaims.passwordFingerprint, passwordHash: "$2b$10$abc"))
        #expect(!service.passwordFingerprintMatches(resetClaims.passwordFingerprint, passwordHash: "$2b$10$changed"))
    }

    @Test func expiryFollowsTheInjectedClock() async throws {
        let issuedAt = Date(timeIntervalSince1970: 1_700_000_000)
        let issuer = await TokenService(secret: secret, accessTokenLifetime: .seconds(60), now: { issuedAt })
        let token = try await issuer.accessToken(for: UUID())
        let justBefore = await TokenService(secret: secret, now: { issuedAt.addingTimeInterval(59) })
        let justAfter = await TokenService(secret: secret, now: { issuedAt.addingTimeInterval(60) })
        _ = try await justBefore.verifyAccessToken(token)
        await #expect(throws: TokenError.expired) { try await justAfter.verifyAccessToken(token) }
    }
}
