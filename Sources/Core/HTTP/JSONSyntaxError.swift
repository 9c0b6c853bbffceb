/// Finds the first syntax error in a JSON text and describes it the way Python's `json`
/// module does (FastAPI's 422 `json_invalid` carries that message and the character
/// offset). Runs only on bodies that already failed to decode.
///
/// Hostile input shapes this code: it walks the UTF-8 bytes once, keeps open arrays and
/// objects on an explicit stack instead of recursing (a megabyte of `[` must not exhaust
/// the thread's stack), refuses nesting deeper than `maximumDepth` (Foundation's own
/// decoder limit, so both agree on what is too deep), and reads at most `maximumBytes`.
public enum JSONSyntaxError {
    public struct Failure: Error, Equatable, Sendable {
        /// In Unicode scalars from the start, as Python counts.
        public var offset: Int
        public var message: String
    }

    /// Foundation's `JSONDecoder` refuses documents nested deeper than this.
    public static let maximumDepth = 512
    /// Bodies are checked up to here; a longer one is judged on this prefix (an error
    /// past it is reported at its end as "Expecting value").
    public static let maximumBytes = 1 << 20

    public static let tooDeep = "Maximum nesting depth exceeded"

    public static func find(in bytes: some Collection<UInt8>) -> Failure? {
        let prefix = Array(bytes.prefix(maximumBytes))
        guard isValidUTF8(prefix) else { return Failure(offset: 0, message: "Expecting value") }
        var scanner = Scanner(bytes: prefix)
        do {
            try scanner.document()
            return nil
        } catch let failure as ScanFailure {
            return Failure(offset: scalarOffset(of: failure.byteOffset, in: prefix), message: failure.message)
        } catch {
            return Failure(offset: scalarOffset(of: scanner.index, in: prefix), message: "Expecting value")
        }
    }

    /// Strict UTF-8 (overlong forms, surrogates and truncated sequences refused), allowing
    /// a sequence cut by the prefix bound at the very end.
    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    static func scalarOffset(of byteOffset: Int, in bytes: [UInt8]) -> Int {
        var count = 0
        for byte in bytes[..<min(byteOffset, bytes.count)] where byte & 0xC0 != 0x80 { count += 1 }
        return count
    }

    struct ScanFailure: Error {
        var byteOffset: Int
        var message: String
    }

    struct Scanner {
        enum Container { case array, object }

        let bytes: [UInt8]
        var index = 0
        var open: [Container] = []

        init(bytes: [UInt8]) {
            self.bytes = bytes
            open.reserveCapacity(16)
        }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let c = current, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { index += 1 }
        }

        func fail(_ message: String, at offset: Int? = nil) -> ScanFailure {
            ScanFailure(byteOffset: offset ?? index, message: message)
        }

        /// One value with whitespace around it, then the end of the text.
        mutating func document() throws {
            skipWhitespace()
            try value()
            skipWhitespace()
            if index < bytes.count { throw fail("Extra data") }
        }

        /// A value; arrays and objects are walked in this loop, never by recursion.
        mutating func value() throws {
            expectingValue: while true {
                guard let c = current else { throw fail("Expecting value") }
                switch c {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    let isArray = c == UInt8(ascii: "[")
                    // An empty container counts too, as Foundation counts it.
                    guard open.count < JSONSyntaxError.maximumDepth else { throw fail(JSONSyntaxError.tooDeep) }
                    index += 1
                    skipWhitespace()
                    if current == (isArray ? UInt8(ascii: "]") : UInt8(ascii: "}")) {
                        index += 1
                        break
                    }
                    open.append(isArray ? .array : .object)
                    if isArray {
                        skipWhitespace()
                    } else {
                        try key()
                    }
                    continue expectingValue
                case UInt8(ascii: "\""): try string()
                case UInt8(ascii: "t"): try literal("true")
                case UInt8(ascii: "f"): try literal("false")
                case UInt8(ascii: "n"): try literal("null")
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
                case UInt8(ascii: "N"): try literal("NaN")
                case UInt8(ascii: "I"): try literal("Infinity")
                default: throw fail("Expecting value")
                }
                // A value ended: close every container it completes, or go on to the next item.
                while let container = open.last {
                    skipWhitespace()
                    let closing = container == .array ? UInt8(ascii: "]") : UInt8(ascii: "}")
                    guard let c = current else { throw fail("Expecting ',' delimiter") }
                    if c == closing {
                        index += 1
                        open.removeLast()
                        continue
                    }
                    guard c == UInt8(ascii: ",") else { throw fail("Expecting ',' delimiter") }
                    index += 1
                    skipWhitespace()
                    if current == closing {
                        throw fail(container == .array ? "Illegal trailing comma before end of array" : "Illegal trailing comma before end of object")
                    }
                    if container == .array {
                        skipWhitespace()
                    } else {
                        try key()
                    }
                    continue expectingValue
                }
                return
            }
        }

        /// An object's member name and its colon, leaving the scanner at the value.
        mutating func key() throws {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw fail("Expecting property name enclosed in double quotes") }
            try string()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw fail("Expecting ':' delimiter") }
            index += 1
            skipWhitespace()
        }

        mutating func literal(_ word: StaticString) throws {
            let start = index
            for byte in UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount) {
                guard current == byte else { throw fail("Expecting value", at: start) }
                index += 1
            }
        }

        static func isDigit(_ byte: UInt8?) -> Bool {
            guard let byte else { return false }
            return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        }

        func byte(at offset: Int) -> UInt8? { offset < bytes.count ? bytes[offset] : nil }

        mutating func number() throws {
            let start = index
            if current == UInt8(ascii: "-") { index += 1 }
            guard Self.isDigit(current) else {
                if current == UInt8(ascii: "I") {
                    try literal("Infinity")
                    return
                }
                throw fail("Expecting value", at: start)
            }
            while Self.isDigit(current) { index += 1 }
            if current == UInt8(ascii: "."), Self.isDigit(byte(at: index + 1)) {
                index += 1
                while Self.isDigit(current) { index += 1 }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                var lookahead = index + 1
                if byte(at: lookahead) == UInt8(ascii: "+") || byte(at: lookahead) == UInt8(ascii: "-") { lookahead += 1 }
                if Self.isDigit(byte(at: lookahead)) {
                    index = lookahead
                    while Self.isDigit(current) { index += 1 }
                }
            }
        }

        static func isHexDigit(_ byte: UInt8) -> Bool {
            isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
        }

        mutating func string() throws {
            let start = index
            index += 1
            while true {
                guard let c = current else { throw fail("Unterminated string starting at", at: start) }
                switch c {
                case UInt8(ascii: "\""):
                    index += 1
                    return
                case UInt8(ascii: "\\"):
                    index += 1
                    guard let escape = current else { throw fail("Unterminated string starting at", at: start) }
                    if escape == UInt8(ascii: "u") {
                        let hex = bytes[(index + 1)..<min(index + 5, bytes.count)]
                        guard hex.count == 4, hex.allSatisfy(Self.isHexDigit) else { throw fail("Invalid \\uXXXX escape", at: index - 1) }
                        index += 5
                        continue
                    }
                    guard "\"\\/bfnrt".utf8.contains(escape) else { throw fail("Invalid \\escape", at: index - 1) }
                    index += 1
                case 0..<0x20:
                    throw fail("Invalid control character at")
                default:
                    index += 1
                }
            }
        }
    }
}
