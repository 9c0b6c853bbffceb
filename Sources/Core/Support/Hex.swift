import Crypto
import Foundation

/// Lower-case hexadecimal, for digests stored or compared as text (token hashes, content
/// keys, checksums), and for the ids drawn on every request: written straight into the
/// string's storage, since the `String(radix:)`-and-pad route allocated per piece (a
/// visible share of a `/users/me` profile; issue #15).
public enum Hex {
    /// The lower-case digit of a value 0–15. Computed, not looked up: a table in a
    /// `static let` is a lazy global, checked on every access.
    @inline(__always)
    static func digit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") &+ nibble : UInt8(ascii: "a") &- 10 &+ nibble
    }

    public static func string<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var characters: [UInt8] = []
        characters.reserveCapacity(64)
        for byte in bytes {
            characters.append(digit(byte >> 4))
            characters.append(digit(byte & 0x0F))
        }
        return String(decoding: characters, as: UTF8.self)
    }

    /// `word` as 16 hex digits, most significant first. Two fixed arities rather than a
    /// variadic list, which built an array for every id of every request.
    public static func string(words word: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { buffer in
            write(word, to: buffer, at: 0)
            return 16
        }
    }

    /// `first` then `second`, 16 hex digits each.
    public static func string(words first: UInt64, _ second: UInt64) -> String {
        String(unsafeUninitializedCapacity: 32) { buffer in
            write(first, to: buffer, at: 0)
            write(second, to: buffer, at: 16)
            return 32
        }
    }

    @inline(__always)
    static func write(_ word: UInt64, to buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        for index in 0..<16 {
            buffer[offset + index] = digit(UInt8(truncatingIfNeeded: word >> UInt64(60 - 4 * index)) & 0xF)
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
