/// Writes small JSON objects directly into bytes, for hot responses where Foundation's
/// `JSONEncoder` costs more than the rest of the request. Keys are written in call order.
public struct JSONObjectWriter {
    public private(set) var bytes: [UInt8]
    var isFirst = true

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    public mutating func add(_ key: String, _ value: String?) {
        writeKey(key)
        if let value { Self.writeString(value, into: &bytes) } else { bytes += "null".utf8 }
    }

    public mutating func add(_ key: String, _ value: Bool) {
        writeKey(key)
        bytes += (value ? "true" : "false").utf8
    }

    public mutating func add(_ key: String, _ value: Int) {
        writeKey(key)
        bytes += String(value).utf8
    }

    public mutating func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    mutating func writeKey(_ key: String) {
        if !isFirst { bytes.append(UInt8(ascii: ",")) }
        isFirst = false
        Self.writeString(key, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    /// RFC 8259 string escaping; non-ASCII stays raw UTF-8, as FastAPI writes it.
    static func writeString(_ value: String, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
