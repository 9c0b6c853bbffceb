import Foundation
import NIOCore

/// Encodes an `Encodable` response straight into a `ByteBuffer`: no intermediate tree, no
/// Foundation coder. The wire rules every response of ours follows:
/// - keys in declaration order; an absent optional is written as `null`, not left out
///   (the frontend tells "no value" from "no field" in a few places, and the document
///   declares every field);
/// - `Date` as ISO 8601 UTC with milliseconds, `UUID` in lowercase;
/// - `JSONValue` objects with sorted keys, so free-form data is stable byte for byte;
/// - strings escaped per RFC 8259, non-ASCII left as UTF-8, `/` not escaped.
public enum WireEncoder {
    public static func encode<T: Encodable>(_ value: T, capacity: Int = 512) throws -> ByteBuffer {
        let writer = WireWriter(capacity: capacity)
        try writer.write(value, codingPath: [])
        return writer.buffer
    }

    public static func string<T: Encodable>(_ value: T) throws -> String {
        String(buffer: try encode(value))
    }
}

/// The byte sink and the stack of open containers. A container is closed lazily: when
/// something is next written at a shallower depth, or when the value that opened it is
/// done. `Encoder` has no "end of container" call, so this is how nested and flattened
/// containers (an envelope that writes extra top-level fields) come out right.
final class WireWriter {
    var buffer: ByteBuffer
    /// Each open container's closing byte and whether it already has an element.
    private var open: [(closer: UInt8, hasElements: Bool)] = []

    init(capacity: Int) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    var depth: Int { open.count }

    func close(to depth: Int) {
        while open.count > depth {
            buffer.writeInteger(open.removeLast().closer)
        }
    }

    func openContainer(_ opener: UInt8, _ closer: UInt8) {
        buffer.writeInteger(opener)
        open.append((closer, false))
    }

    /// Writes the separator before an element of the container at `depth - 1`.
    func beginElement(inContainerAt depth: Int) {
        close(to: depth)
        if open[depth - 1].hasElements {
            buffer.writeInteger(UInt8(ascii: ","))
        } else {
            open[depth - 1].hasElements = true
        }
    }

    func writeKey(_ key: String, inContainerAt depth: Int) {
        beginElement(inContainerAt: depth)
        writeString(key)
        buffer.writeInteger(UInt8(ascii: ":"))
    }

    func writeNull() { buffer.writeStaticString("null") }
    func writeBool(_ value: Bool) { value ? buffer.writeStaticString("true") : buffer.writeStaticString("false") }
    func writeInteger<I: BinaryInteger & CustomStringConvertible>(_ value: I) {
        if let value = Int64(exactly: value) { JSONText.writeInteger(value, to: &buffer) } else { buffer.writeString(value.description) }
    }

    func writeDouble(_ value: Double, codingPath: [any CodingKey]) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "JSON has no NaN or infinity"))
        }
        if value == value.rounded(), abs(value) < 1e15 {
            JSONText.writeInteger(Int64(value), to: &buffer)
        } else {
            buffer.writeString(value.description)
        }
    }

    func writeString(_ value: String) {
        JSONText.writeString(value, to: &buffer)
    }

    func writeJSON(_ value: JSONValue, codingPath: [any CodingKey]) throws {
        switch value {
        case .null: writeNull()
        case .bool(let flag): writeBool(flag)
        case .int(let number): writeInteger(number)
        case .double(let number): try writeDouble(number, codingPath: codingPath)
        case .string(let text): writeString(text)
        case .array(let items):
            buffer.writeInteger(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                try writeJSON(item, codingPath: codingPath)
            }
            buffer.writeInteger(UInt8(ascii: "]"))
        case .object(let object):
            buffer.writeInteger(UInt8(ascii: "{"))
            for (index, key) in object.keys.sorted().enumerated() {
                if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                writeString(key)
                buffer.writeInteger(UInt8(ascii: ":"))
                try writeJSON(object[key] ?? .null, codingPath: codingPath)
            }
            buffer.writeInteger(UInt8(ascii: "}"))
        }
    }

    /// Writes one value at the current position, closing whatever it opened.
    func write<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws {
        switch value {
        case let text as String: writeString(text)
        case let flag as Bool: writeBool(flag)
        case let number as Int: writeInteger(number)
        case let number as Double: try writeDouble(number, codingPath: codingPath)
        case let date as Date: writeString(ISO8601.string(from: date, fractionalSeconds: true))
        case let id as UUID: writeString(id.lowercasedString)
        case let url as URL: writeString(url.absoluteString)
        case let json as JSONValue: try writeJSON(json, codingPath: codingPath)
        default:
            let slot = depth
            let before = buffer.writerIndex
            try value.encode(to: WireValueEncoder(writer: self, slotDepth: slot, codingPath: codingPath))
            close(to: slot)
            // A value that wrote nothing at all (an empty custom `encode`) is `{}`.
            if buffer.writerIndex == before { buffer.writeStaticString("{}") }
        }
    }
}

/// The encoder for one value slot.
struct WireValueEncoder: Encoder {
    let writer: WireWriter
    /// The writer's depth when the slot began: a container this value opens sits there.
    let slotDepth: Int
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        // A second keyed container for the same value continues the first object (how
        // an envelope flattens extra fields into itself).
        if writer.depth > slotDepth {
            writer.close(to: slotDepth + 1)
        } else {
            writer.openContainer(UInt8(ascii: "{"), UInt8(ascii: "}"))
        }
        return KeyedEncodingContainer(WireKeyedContainer<Key>(writer: writer, depth: slotDepth + 1, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if writer.depth > slotDepth {
            writer.close(to: slotDepth + 1)
        } else {
            writer.openContainer(UInt8(ascii: "["), UInt8(ascii: "]"))
        }
        return WireUnkeyedContainer(writer: writer, depth: slotDepth + 1, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        WireSingleValueContainer(writer: writer, codingPath: codingPath)
    }
}

struct WireKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: WireWriter
    /// Depth inside this container (its elements are written at this depth).
    let depth: Int
    let codingPath: [any CodingKey]

    private func key(_ key: Key) { writer.writeKey(key.stringValue, inContainerAt: depth) }

    mutating func encodeNil(forKey key: Key) throws { self.key(key); writer.writeNull() }
    mutating func encode(_ value: Bool, forKey key: Key) throws { self.key(key); writer.writeBool(value) }
    mutating func encode(_ value: String, forKey key: Key) throws { self.key(key); writer.writeString(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { self.key(key); try writer.writeDouble(value, codingPath: codingPath + [key]) }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        self.key(key); try writer.writeDouble(Double(value), codingPath: codingPath + [key])
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { self.key(key); writer.writeInteger(value) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { self.key(key); writer.writeInteger(value) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { self.key(key); writer.writeInteger(value) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { self.key(key); writer.writeInteger(value) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { self.key(key); writer.writeInteger(value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { self.key(key); writer.writeInteger(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { self.key(key); writer.writeInteger(value) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { self.key(key); writer.writeInteger(value) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { self.key(key); writer.writeInteger(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { self.key(key); writer.writeInteger(value) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        self.key(key)
        try writer.write(value, codingPath: codingPath + [key])
    }

    // An absent optional is written as `null` (the synthesized default would skip it).
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try value.map { try encode($0, forKey: key) } ?? encodeNil(forKey: key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws {
        try value.map { try encode($0, forKey: key) } ?? encodeNil(forKey: key)
    }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws {
        try value.map { try encode($0, forKey: key) } ?? encodeNil(forKey: key)
    }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try value.map { try encode($0, forKey: key) } ?? encodeNil(forKey: key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try value.map { try encode($0, forKey: key) } ?? encodeNil(forKey: key) }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try value.map { try encode($0, forKey: key) } ?? encodeNil(forKey: key) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try value.map { try encode($0, forKey: key) } ?? encodeNil(forKey: key) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try value.map { try encode($0, forKey: key) } ?? encodeNil(forKey: key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try value.map { try encode($0, forKey: key) } ?? encodeNil(forKey: key) }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try value.map { try encode($0, forKey: key) } ?? encodeNil(forKey: key) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try value.map { try encode($0, forKey: key) } ?? encodeNil(forKey: key) }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws {
        try value.map { try encode($0, forKey: key) } ?? encodeNil(forKey: key)
    }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws {
        try value.map { try encode($0, forKey: key) } ?? encodeNil(forKey: key)
    }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws {
        try value.map { try encode($0, forKey: key) } ?? encodeNil(forKey: key)
    }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        try value.map { try encode($0, forKey: key) } ?? encodeNil(forKey: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        self.key(key)
        writer.openContainer(UInt8(ascii: "{"), UInt8(ascii: "}"))
        return KeyedEncodingContainer(WireKeyedContainer<NestedKey>(writer: writer, depth: depth + 1, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        self.key(key)
        writer.openContainer(UInt8(ascii: "["), UInt8(ascii: "]"))
        return WireUnkeyedContainer(writer: writer, depth: depth + 1, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        self.key(key)
        return WireValueEncoder(writer: writer, slotDepth: depth, codingPath: codingPath + [key])
    }
}

struct WireUnkeyedContainer: UnkeyedEncodingContainer {
    let writer: WireWriter
    let depth: Int
    let codingPath: [any CodingKey]
    var count = 0

    private mutating func element() {
        writer.beginElement(inContainerAt: depth)
        count += 1
    }

    mutating func encodeNil() throws { element(); writer.writeNull() }
    mutating func encode(_ value: Bool) throws { element(); writer.writeBool(value) }
    mutating func encode(_ value: String) throws { element(); writer.writeString(value) }
    mutating func encode(_ value: Double) throws { element(); try writer.writeDouble(value, codingPath: codingPath) }
    mutating func encode(_ value: Int) throws { element(); writer.writeInteger(value) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        element()
        try writer.write(value, codingPath: codingPath)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        element()
        writer.openContainer(UInt8(ascii: "{"), UInt8(ascii: "}"))
        return KeyedEncodingContainer(WireKeyedContainer<NestedKey>(writer: writer, depth: depth + 1, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        element()
        writer.openContainer(UInt8(ascii: "["), UInt8(ascii: "]"))
        return WireUnkeyedContainer(writer: writer, depth: depth + 1, codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder {
        element()
        return WireValueEncoder(writer: writer, slotDepth: depth, codingPath: codingPath)
    }
}

struct WireSingleValueContainer: SingleValueEncodingContainer {
    let writer: WireWriter
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { writer.writeNull() }
    mutating func encode(_ value: Bool) throws { writer.writeBool(value) }
    mutating func encode(_ value: String) throws { writer.writeString(value) }
    mutating func encode(_ value: Double) throws { try writer.writeDouble(value, codingPath: codingPath) }
    mutating func encode(_ value: Float) throws { try writer.writeDouble(Double(value), codingPath: codingPath) }
    mutating func encode(_ value: Int) throws { writer.writeInteger(value) }
    mutating func encode(_ value: Int8) throws { writer.writeInteger(value) }
    mutating func encode(_ value: Int16) throws { writer.writeInteger(value) }
    mutating func encode(_ value: Int32) throws { writer.writeInteger(value) }
    mutating func encode(_ value: Int64) throws { writer.writeInteger(value) }
    mutating func encode(_ value: UInt) throws { writer.writeInteger(value) }
    mutating func encode(_ value: UInt8) throws { writer.writeInteger(value) }
    mutating func encode(_ value: UInt16) throws { writer.writeInteger(value) }
    mutating func encode(_ value: UInt32) throws { writer.writeInteger(value) }
    mutating func encode(_ value: UInt64) throws { writer.writeInteger(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try writer.write(value, codingPath: codingPath) }
}
