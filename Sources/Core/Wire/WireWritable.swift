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

    /// Writes `,"name":` (no comma before the first field) and then up to `valueCapacity`
    /// bytes from `value`, which returns how many it wrote: one capacity check for a whole
    /// field. Each `ByteBuffer` write checks capacity and uniqueness out of line; four of
    /// them for every key were a sixth of `/subscription/usage`'s instructions (issue #15).
    @inlinable @inline(__always)
    mutating func writeField(_ name: StaticString, valueCapacity: Int, _ value: (UnsafeMutableRawBufferPointer) -> Int) {
        let comma = hasFields
        hasFields = true
        name.withUTF8Buffer { key in
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: key.count + 4 + valueCapacity) { out in
                var index = 0
                if comma {
                    out[0] = UInt8(ascii: ",")
                    index = 1
                }
                out[index] = UInt8(ascii: "\"")
                UnsafeMutableRawBufferPointer(rebasing: out[(index + 1)...]).copyMemory(from: UnsafeRawBufferPointer(key))
                index += 1 + key.count
                out[index] = UInt8(ascii: "\"")
                out[index + 1] = UInt8(ascii: ":")
                index += 2
                return index + value(UnsafeMutableRawBufferPointer(rebasing: out[index...]))
            }
        }
    }

    @inlinable
    public mutating func field(_ name: StaticString, _ value: String?) {
        guard let value else {
            writeField(name, valueCapacity: 4) { JSONText.copy("null", to: $0) }
            return
        }
        // Most strings need no escaping: then the key and the string are one write.
        let written =
            value.utf8.withContiguousStorageIfAvailable { bytes in
                guard JSONText.needsNoEscaping(bytes) else { return false }
                writeField(name, valueCapacity: bytes.count + 2) { JSONText.quoted(bytes, to: $0) }
                return true
            } ?? false
        if !written {
            writeField(name, valueCapacity: 0) { _ in 0 }
            JSONText.writeString(value, to: &buffer)
        }
    }

    @inlinable
    public mutating func field(_ name: StaticString, _ value: Int) {
        writeField(name, valueCapacity: JSONText.maxIntegerLength) { JSONText.writeInteger(Int64(value), to: $0) }
    }

    @inlinable
    public mutating func field(_ name: StaticString, _ value: Bool) {
        writeField(name, valueCapacity: 5) { value ? JSONText.copy("true", to: $0) : JSONText.copy("false", to: $0) }
    }

    public mutating func field(_ name: StaticString, _ value: UUID) {
        writeField(name, valueCapacity: 38) { out in
            out[0] = UInt8(ascii: "\"")
            _ = value.write(to: UnsafeMutableRawBufferPointer(rebasing: out[1...]))
            out[37] = UInt8(ascii: "\"")
            return 38
        }
    }

    /// An ISO 8601 timestamp in UTC, with milliseconds or without.
    public mutating func field(_ name: StaticString, _ value: Date, fractionalSeconds: Bool) {
        guard ISO8601.isFixedWidth(value) else {
            writeField(name, valueCapacity: 0) { _ in 0 }
            JSONText.writeString(ISO8601.string(from: value, fractionalSeconds: fractionalSeconds), to: &buffer)
            return
        }
        writeField(name, valueCapacity: 26) { out in
            out[0] = UInt8(ascii: "\"")
            let count = 1 + ISO8601.write(value, fractionalSeconds: fractionalSeconds, to: UnsafeMutableRawBufferPointer(rebasing: out[1...]))
            out[count] = UInt8(ascii: "\"")
            return count + 1
        }
    }

    @inlinable
    public mutating func field(_ name: StaticString, _ value: some WireWritable) {
        writeField(name, valueCapacity: 1) { out in
            out[0] = UInt8(ascii: "{")
            return 1
        }
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
    /// 19 digits and a sign at most (Int64.min).
    @usableFromInline static let maxIntegerLength = 20

    /// Decimal digits of `value`, written in place: `description` allocated a String for
    /// every number of every response.
    @usableFromInline
    static func writeInteger(_ value: Int64, to buffer: inout ByteBuffer) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: maxIntegerLength) { writeInteger(value, to: $0) }
    }

    /// Writes `value`'s digits at the start of `out` (which has room for
    /// `maxIntegerLength`), returning how many.
    @usableFromInline
    static func writeInteger(_ value: Int64, to out: UnsafeMutableRawBufferPointer) -> Int {
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

    /// Copies a literal to the start of `out`, returning its length.
    @inlinable @inline(__always)
    static func copy(_ literal: StaticString, to out: UnsafeMutableRawBufferPointer) -> Int {
        literal.withUTF8Buffer { bytes in
            out.copyMemory(from: UnsafeRawBufferPointer(bytes))
            return bytes.count
        }
    }

    @usableFromInline
    static func needsNoEscaping(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.allSatisfy { $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }
    }

    /// `"bytes"` at the start of `out` (room for `bytes.count + 2`); returns the length.
    @inlinable @inline(__always)
    static func quoted(_ bytes: UnsafeBufferPointer<UInt8>, to out: UnsafeMutableRawBufferPointer) -> Int {
        out[0] = UInt8(ascii: "\"")
        UnsafeMutableRawBufferPointer(rebasing: out[1...]).copyMemory(from: UnsafeRawBufferPointer(bytes))
        out[bytes.count + 1] = UInt8(ascii: "\"")
        return bytes.count + 2
    }

    @usableFromInline
    static func writeString(_ value: String, to buffer: inout ByteBuffer) {
        var value = value
        // A bridged or lazily built string has no contiguous UTF-8: make it so, once.
        if value.utf8.withContiguousStorageIfAvailable({ _ in true }) == nil { value.makeContiguousUTF8() }
        value.utf8.withContiguousStorageIfAvailable { bytes in
            // Most strings need no escaping: written whole, quotes included, in one write.
            if needsNoEscaping(bytes) {
                buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: bytes.count + 2) { quoted(bytes, to: $0) }
                return
            }
            buffer.writeInteger(UInt8(ascii: "\""))
            for byte in bytes {
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
            buffer.writeInteger(UInt8(ascii: "\""))
        }
    }
}
