import Foundation
import NIOCore

/// A response type on a hot path that writes its JSON itself, without the `Encoder`
/// machinery (whose generic dispatch was a tenth of a cached `/me`'s CPU). It must write
/// exactly the bytes `WireEncoder` writes for the same value: each conforming type has a
/// golden test comparing the two, so the `Encodable` conformance stays the definition.
public protocol WireWritable {
    func write(to object: inout JSONObjectWriter)
}

/// Writes one JSON object's fields in order, straight into a `ByteBuffer`, with
/// `WireEncoder`'s rules (see there): the API's hot reads and the auth service's UserRead.
public struct JSONObjectWriter {
    public var buffer: ByteBuffer
    @usableFromInline var hasFields = false

    // The members the payloads call are inlinable: called across the module boundary
    // unspecialised, each nested object went through generic dispatch and runtime
    // metadata lookups (issue #15: a third of GET /subscription/usage's writing).
    @inlinable
    public init(buffer: ByteBuffer) {
        self.buffer = buffer
        self.buffer.writeInteger(UInt8(ascii: "{"))
    }

    /// Closes the object and gives the buffer back.
    @inlinable
    public consuming func finish() -> ByteBuffer {
        buffer.writeInteger(UInt8(ascii: "}"))
        return buffer
    }

    @inlinable
    mutating func key(_ name: StaticString) {
        if hasFields { buffer.writeInteger(UInt8(ascii: ",")) }
        hasFields = true
        buffer.writeInteger(UInt8(ascii: "\""))
        buffer.writeStaticString(name)
        buffer.writeStaticString("\":")
    }

    @inlinable
    public mutating func field(_ name: StaticString, _ value: String?) {
        key(name)
        if let value { JSONText.writeString(value, to: &buffer) } else { buffer.writeStaticString("null") }
    }

    @inlinable
    public mutating func field(_ name: StaticString, _ value: Int) {
        key(name)
        JSONText.writeInteger(Int64(value), to: &buffer)
    }

    @inlinable
    public mutating func field(_ name: StaticString, _ value: Bool) {
        key(name)
        value ? buffer.writeStaticString("true") : buffer.writeStaticString("false")
    }

    public mutating func field(_ name: StaticString, _ value: UUID) {
        key(name)
        buffer.writeInteger(UInt8(ascii: "\""))
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 36) { value.write(to: $0) }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    /// An ISO 8601 timestamp in UTC, with milliseconds or without.
    public mutating func field(_ name: StaticString, _ value: Date, fractionalSeconds: Bool) {
        key(name)
        guard ISO8601.isFixedWidth(value) else {
            JSONText.writeString(ISO8601.string(from: value, fractionalSeconds: fractionalSeconds), to: &buffer)
            return
        }
        buffer.writeInteger(UInt8(ascii: "\""))
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 24) { ISO8601.write(value, fractionalSeconds: fractionalSeconds, to: $0) }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    @inlinable
    public mutating func field(_ name: StaticString, _ value: some WireWritable) {
        key(name)
        buffer.writeInteger(UInt8(ascii: "{"))
        hasFields = false
        value.write(to: &self)
        buffer.writeInteger(UInt8(ascii: "}"))
        hasFields = true
    }
}

/// JSON string escaping (RFC 8259; non-ASCII stays UTF-8, `/` is not escaped), shared by
/// `WireEncoder` and `JSONObjectWriter`.
@usableFromInline
enum JSONText {
    /// Decimal digits of `value`, written in place: `description` allocated a String for
    /// every number of every response.
    @usableFromInline
    static func writeInteger(_ value: Int64, to buffer: inout ByteBuffer) {
        // 19 digits and a sign at most (Int64.min).
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 20) { out in
            var magnitude = value.magnitude
            var digits = 1
            var scan = magnitude
            while scan >= 10 {
                scan /= 10
                digits += 1
            }
            let sign = value < 0 ? 1 : 0
            if sign == 1 { out[0] = UInt8(ascii: "-") }
            var index = sign + digits
            repeat {
                index -= 1
                out[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            return sign + digits
        }
    }

    @usableFromInline
    static func writeString(_ value: String, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var utf8 = value.utf8
        // Most strings need no escaping: write them whole.
        if utf8.withContiguousStorageIfAvailable({ bytes in bytes.allSatisfy { $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C } }) == true {
            buffer.writeString(value)
        } else {
            if utf8.withContiguousStorageIfAvailable({ _ in true }) == nil {
                var copy = value
                copy.makeContiguousUTF8()
                utf8 = copy.utf8
            }
            for byte in utf8 {
                switch byte {
                case 0x22: buffer.writeStaticString("\\\"")
                case 0x5C: buffer.writeStaticString("\\\\")
                case 0x0A: buffer.writeStaticString("\\n")
                case 0x0D: buffer.writeStaticString("\\r")
                case 0x09: buffer.writeStaticString("\\t")
                case 0x00..<0x20:
                    buffer.writeStaticString("\\u00")
                    buffer.writeInteger(Hex.digit(byte >> 4))
                    buffer.writeInteger(Hex.digit(byte & 0xF))
                default: buffer.writeInteger(byte)
                }
            }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }
}
