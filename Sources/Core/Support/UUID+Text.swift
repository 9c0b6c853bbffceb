import Foundation

/// UUIDs as text on the request path: Foundation's `uuidString` goes through `sprintf`
/// and `UUID(uuidString:)` through `sscanf`, each a visible share of a `/users/me`
/// profile (issue #15).
extension UUID {
    /// The canonical lower-case form (`8-4-4-4-12`), as PostgreSQL and the wire write it.
    public var lowercasedString: String {
        String(unsafeUninitializedCapacity: 36) { write(to: UnsafeMutableRawBufferPointer($0)) }
    }

    /// Writes the lower-case form into `buffer` (36 bytes at least) and returns 36.
    func write(to buffer: UnsafeMutableRawBufferPointer) -> Int {
        withUnsafeBytes(of: uuid) { bytes in
            var offset = 0
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    buffer[offset] = UInt8(ascii: "-")
                    offset += 1
                }
                buffer[offset] = Hex.digit(byte >> 4)
                buffer[offset + 1] = Hex.digit(byte & 0xF)
                offset += 2
            }
            return offset
        }
    }

    /// The canonical form only: 36 characters, hyphens at 8, 13, 18 and 23, hex digits of
    /// either case elsewhere (what PostgreSQL writes). Foundation's `UUID(uuidString:)`
    /// reads the digits with `sscanf`, which also takes a sign or a space in place of a
    /// digit; that leniency is not kept.
    public init?(parsing text: some StringProtocol) {
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed =
            text.utf8.withContiguousStorageIfAvailable { Self.parse(UnsafeRawBufferPointer($0), into: &bytes) }
            ?? Array(text.utf8).withUnsafeBytes { Self.parse($0, into: &bytes) }
        guard parsed else { return nil }
        self.init(uuid: bytes)
    }

    private static func parse(_ utf8: UnsafeRawBufferPointer, into bytes: inout uuid_t) -> Bool {
        guard utf8.count == 36 else { return false }
        return withUnsafeMutableBytes(of: &bytes) { output in
            var position = 0
            for index in 0..<16 {
                if position == 8 || position == 13 || position == 18 || position == 23 {
                    guard utf8[position] == UInt8(ascii: "-") else { return false }
                    position += 1
                }
                guard let high = Hex.value(utf8[position]), let low = Hex.value(utf8[position + 1]) else { return false }
                output[index] = high << 4 | low
                position += 2
            }
            return true
        }
    }
}
