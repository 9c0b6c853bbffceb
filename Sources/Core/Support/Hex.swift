import Crypto
import Foundation

/// Lower-case hexadecimal, for digests stored or compared as text (token hashes, content
/// keys, checksums), and for the ids drawn on every request: written straight into the
/// string's storage, since the `String(radix:)`-and-pad route allocated per piece (a
/// visible share of a `/users/me` profile; issue #15).
public enum Hex {
    static let digits = Array("0123456789abcdef".utf8)

    public static func string<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var characters: [UInt8] = []
        characters.reserveCapacity(64)
        for byte in bytes {
            characters.append(digits[Int(byte >> 4)])
            characters.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: characters, as: UTF8.self)
    }

    /// `words` as 16 hex digits each, most significant first.
    public static func string(words: UInt64...) -> String {
        String(unsafeUninitializedCapacity: words.count * 16) { buffer in
            var offset = 0
            for word in words {
                for shift in stride(from: 60, through: 0, by: -4) {
                    buffer[offset] = digits[Int((word >> UInt64(shift)) & 0xF)]
                    offset += 1
                }
            }
            return offset
        }
    }

    /// The value of one ASCII hex digit, either case.
    @inline(__always)
    static func value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte &- UInt8(ascii: "A") &+ 10
        default: nil
        }
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
