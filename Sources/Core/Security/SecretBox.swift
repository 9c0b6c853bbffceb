import Crypto
import Foundation

/// AES-256-GCM for secrets stored in the database (users' own provider keys). Each value
/// is sealed with a fresh nonce and bound to its owner through the associated data, so a
/// ciphertext copied to another user's row does not open.
public struct SecretBox: Sendable {
    let key: SymmetricKey

    public init(key: SymmetricKey) {
        self.key = key
    }

    public struct OpenError: Error, Equatable {}

    /// `ENCRYPTION_KEY`: 32 bytes as base64 (44 characters) or hex (64 characters).
    public static func parseKey(_ text: String) -> SymmetricKey? {
        if text.count == 64, let bytes = hexBytes(text) { return SymmetricKey(data: bytes) }
        if let data = Data(base64Encoded: text), data.count == 32 { return SymmetricKey(data: data) }
        return nil
    }

    /// The development fallback when no key is configured: derived from `SECRET`, so
    /// values survive restarts on one machine. Production refuses to start without a key.
    public static func derivedKey(fromSecret secret: String) -> SymmetricKey {
        SymmetricKey(data: SHA256.hash(data: Data(("nova-encryption-key:" + secret).utf8)))
    }

    /// nonce ‖ ciphertext ‖ tag.
    public func seal(_ plaintext: String, context: String) throws -> [UInt8] {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: key, authenticating: Data(context.utf8))
        guard let combined = box.combined else { throw OpenError() }
        return Array(combined)
    }

    public func open(_ sealed: [UInt8], context: String) throws -> String {
        do {
            let box = try AES.GCM.SealedBox(combined: Data(sealed))
            return String(decoding: try AES.GCM.open(box, using: key, authenticating: Data(context.utf8)), as: UTF8.self)
        } catch {
            throw OpenError()
        }
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let h = Hex.value(high), let l = Hex.value(low) else { return nil }
            bytes.append(h << 4 | l)
        }
        return bytes
    }
}
