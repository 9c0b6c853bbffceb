import Crypto
import Foundation

/// Verifies an HS256 JWT with swift-crypto directly. The access token is checked on
/// every authenticated request, so verification avoids JWTKit's key-collection actor hop;
/// JWTKit issues the tokens. The algorithm is pinned before the key is used.
struct HS256Verifier: Sendable {
    let key: SymmetricKey
    static let decoder = JSONDecoder()

    init(secret: String) {
        key = SymmetricKey(data: Data(secret.utf8))
    }

    func verify<Claims: Decodable>(_ token: String) throws(TokenError) -> Claims {
        let algorithm = try TokenService.headerAlgorithm(of: token)
        guard algorithm == "HS256" else { throw .algorithmNotAllowed(algorithm) }
        let utf8 = Array(token.utf8)
        guard let lastDot = utf8.lastIndex(of: UInt8(ascii: ".")),
            let firstDot = utf8.firstIndex(of: UInt8(ascii: ".")), firstDot < lastDot
        else { throw .malformed }
        let signingInput = utf8[..<lastDot]
        guard let signature = Data(base64URLEncoded: String(decoding: utf8[(lastDot + 1)...], as: UTF8.self)),
            let payload = Data(base64URLEncoded: String(decoding: utf8[(firstDot + 1)..<lastDot], as: UTF8.self))
        else { throw .malformed }
        // Constant-time comparison.
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: key) else {
            throw .badSignature
        }
        do {
            return try Self.decoder.decode(Claims.self, from: payload)
        } catch {
            throw .malformed
        }
    }
}
