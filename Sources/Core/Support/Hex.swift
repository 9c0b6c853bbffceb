import Crypto
import Foundation

/// Lower-case hexadecimal, for digests stored or compared as text (token hashes, content
/// keys, checksums).
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func string<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var characters: [UInt8] = []
        characters.reserveCapacity(64)
        for byte in bytes {
            characters.append(digits[Int(byte >> 4)])
            characters.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: characters, as: UTF8.self)
    }

    /// SHA-256 of the text's UTF-8, in hex.
    public static func sha256(_ text: String) -> String {
        string(SHA256.hash(data: Data(text.utf8)))
    }
}

/// Comparison whose time does not depend on where two secrets first differ.
public enum ConstantTime {
    public static func equal<Left: Sequence, Right: Sequence>(_ left: Left, _ right: Right) -> Bool
    where Left.Element == UInt8, Right.Element == UInt8 {
        let left = Array(left), right = Array(right)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
