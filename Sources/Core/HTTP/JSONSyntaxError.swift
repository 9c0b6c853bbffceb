/// Finds the first syntax error in a JSON text and describes it the way Python's `json`
/// module does (FastAPI's 422 `json_invalid` carries that message and the character
/// offset). Runs only after a decode has already failed.
enum JSONSyntaxError {
    struct Failure: Error, Equatable {
        var offset: Int
        var message: String
    }

    static func find(in bytes: [UInt8]) -> Failure? {
        guard let text = String(validatingUTF8CString: bytes) else {
            return Failure(offset: 0, message: "Expecting value")
        }
        var parser = Parser(characters: Array(text.unicodeScalars))
        do {
            parser.skipWhitespace()
            try parser.value()
            parser.skipWhitespace()
            if parser.index < parser.characters.count {
                return Failure(offset: parser.index, message: "Extra data")
            }
            return nil
        } catch let failure as Failure {
            return failure
        } catch {
            return Failure(offset: parser.index, message: "Expecting value")
        }
    }

    struct Parser {
        let characters: [Unicode.Scalar]
        var index = 0

        var current: Unicode.Scalar? { index < characters.count ? characters[index] : nil }

        mutating func skipWhitespace() {
            while let c = current, c == " " || c == "\t" || c == "\n" || c == "\r" { index += 1 }
        }

        func fail(_ message: String, at offset: Int? = nil) -> Failure {
            Failure(offset: offset ?? index, message: message)
        }

        mutating func value() throws {
            guard let c = current else { throw fail("Expecting value") }
            switch c {
            case "{": try object()
            case "[": try array()
            case "\"": try string()
            case "t": try literal("true")
            case "f": try literal("false")
            case "n": try literal("null")
            case "-", "0"..."9": try number()
            case "N": try literal("NaN")
            case "I": try literal("Infinity")
            default: throw fail("Expecting value")
            }
        }

        mutating func literal(_ word: String) throws {
            for scalar in word.unicodeScalars {
                guard current == scalar else { throw fail("Expecting value", at: index) }
                index += 1
            }
        }

        mutating func number() throws {
            let start = index
            if current == "-" { index += 1 }
            guard let c = current, ("0"..."9").contains(c) else {
                if characters.count > index, characters[index] == "I" { try literal("Infinity"); return }
                throw fail("Expecting value", at: start)
            }
            while let c = current, ("0"..."9").contains(c) { index += 1 }
            if current == ".", index + 1 < characters.count, ("0"..."9").contains(characters[index + 1]) {
                index += 1
                while let c = current, ("0"..."9").contains(c) { index += 1 }
            }
            if current == "e" || current == "E" {
                var lookahead = index + 1
                if lookahead < characters.count, characters[lookahead] == "+" || characters[lookahead] == "-" { lookahead += 1 }
                if lookahead < characters.count, ("0"..."9").contains(characters[lookahead]) {
                    index = lookahead
                    while let c = current, ("0"..."9").contains(c) { index += 1 }
                }
            }
        }

        mutating func string() throws {
            let start = index
            index += 1
            while true {
                guard let c = current else { throw fail("Unterminated string starting at", at: start) }
                if c == "\"" {
                    index += 1
                    return
                }
                if c == "\\" {
                    index += 1
                    guard let escape = current else { throw fail("Unterminated string starting at", at: start) }
                    if escape == "u" {
                        let hex = characters[(index + 1)..<min(index + 5, characters.count)]
                        guard hex.count == 4, hex.allSatisfy({ $0.properties.isASCIIHexDigit }) else {
                            throw fail("Invalid \\uXXXX escape", at: index - 1)
                        }
                        index += 5
                        continue
                    }
                    guard "\"\\/bfnrt".unicodeScalars.contains(escape) else { throw fail("Invalid \\escape", at: index - 1) }
                    index += 1
                    continue
                }
                if c.value < 0x20 { throw fail("Invalid control character at") }
                index += 1
            }
        }

        mutating func array() throws {
            index += 1
            skipWhitespace()
            if current == "]" {
                index += 1
                return
            }
            while true {
                skipWhitespace()
                try value()
                skipWhitespace()
                guard let c = current else { throw fail("Expecting ',' delimiter") }
                if c == "]" {
                    index += 1
                    return
                }
                guard c == "," else { throw fail("Expecting ',' delimiter") }
                index += 1
                skipWhitespace()
                if current == "]" { throw fail("Illegal trailing comma before end of array") }
            }
        }

        mutating func object() throws {
            index += 1
            skipWhitespace()
            if current == "}" {
                index += 1
                return
            }
            while true {
                skipWhitespace()
                guard current == "\"" else { throw fail("Expecting property name enclosed in double quotes") }
                try string()
                skipWhitespace()
                guard current == ":" else { throw fail("Expecting ':' delimiter") }
                index += 1
                skipWhitespace()
                try value()
                skipWhitespace()
                guard let c = current else { throw fail("Expecting ',' delimiter") }
                if c == "}" {
                    index += 1
                    return
                }
                guard c == "," else { throw fail("Expecting ',' delimiter") }
                index += 1
                skipWhitespace()
                if current == "}" { throw fail("Illegal trailing comma before end of object") }
            }
        }
    }
}

extension String {
    /// Strict UTF-8 decoding (nil on invalid bytes), without requiring a NUL terminator.
    init?(validatingUTF8CString bytes: [UInt8]) {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var scalars = String.UnicodeScalarView()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): scalars.append(scalar)
            case .emptyInput: break loop
            case .error: return nil
            }
        }
        self.init(scalars)
    }
}
