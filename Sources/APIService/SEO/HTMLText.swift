/// The readable text of an article's HTML: blocks (paragraphs, list items, headings) with
/// tags removed, entities decoded, and `<script>`, `<style>` and comments dropped.
///
/// Every step is one forward walk over the UTF-8 bytes: the input is whatever a user
/// saved, so no step may rescan what it already passed (an unterminated `<!--` repeated
/// 30,000 times made the former regular expressions quadratic). Bytes, not scalars: every
/// delimiter is ASCII, which never occurs inside a multi-byte sequence, and a scalar array
/// of the largest article took 2 MB where its bytes take 0.5 (the API's peak RSS; #15).
/// Scalars are decoded only where a Unicode property decides (a tag name's letters,
/// whitespace, a word boundary).
struct HTMLText: Sendable, Equatable {
    struct Block: Sendable, Equatable {
        /// 1–6 for headings, nil for body text.
        var headingLevel: Int?
        var text: String
    }

    var blocks: [Block]

    var paragraphs: [String] { blocks.filter { $0.headingLevel == nil }.map(\.text) }
    var subheadings: [String] { blocks.filter { ($0.headingLevel ?? 0) >= 2 }.map(\.text) }
    var firstHeading: String? { blocks.first { $0.headingLevel == 1 }?.text }
    var bodyText: String { paragraphs.joined(separator: "\n") }

    static let blockTags: Set<String> = [
        "p", "div", "li", "ul", "ol", "br", "blockquote", "section", "article", "header", "footer", "table", "tr", "td", "th",
        "pre", "figure", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "main", "aside", "nav", "dd", "dt",
    ]
    /// The longest name in `blockTags`: a longer tag name is never a block.
    static let longestBlockTag = 10

    init(html: String) {
        var html = html
        let bytes = Self.removeInvisible(html.withUTF8 { Array($0) })
        var blocks: [Block] = []
        // A block is at most the whole text: one allocation, not a doubling series.
        var current: [UInt8] = []
        current.reserveCapacity(bytes.count)
        var heading: Int?
        func flush() {
            let text = HTMLText.collapse(HTMLText.decodeEntities(current))
            if !text.isEmpty { blocks.append(Block(headingLevel: heading, text: text)) }
            current.removeAll(keepingCapacity: true)
        }
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "<") else {
                current.append(bytes[index])
                index += 1
                continue
            }
            // An unclosed `<` is text, and so is everything after it.
            guard let close = bytes[(index + 1)...].firstIndex(of: UInt8(ascii: ">")) else {
                current.append(contentsOf: bytes[index...])
                break
            }
            let tag = bytes[(index + 1)..<close]
            index = close + 1
            let isClosing = tag.first == UInt8(ascii: "/")
            let afterSlashes = tag.drop { $0 == UInt8(ascii: "/") }
            let name = afterSlashes.prefix { $0 < 0x80 && EnglishText.isLetterOrNumber(Unicode.Scalar($0)) }
            // A name goes on through letters and numbers of any script, and a combining mark
            // makes its last letter another character (as the former expressions, which
            // matched characters, saw it); a block tag's name is ASCII.
            if name.endIndex < afterSlashes.endIndex, bytes[name.endIndex] >= 0x80 {
                let next = EnglishText.scalar(in: bytes, at: name.endIndex).0
                if EnglishText.isLetterOrNumber(next) || EnglishText.extendsCharacter(next) { continue }
            }
            guard name.count <= Self.longestBlockTag else { continue }
            let lowered = String(decoding: name, as: UTF8.self).lowercased()
            guard Self.blockTags.contains(lowered) else { continue }
            flush()
            if lowered.count == 2, lowered.first == "h", let level = Int(lowered.dropFirst()) {
                heading = isClosing ? nil : level
            }
        }
        flush()
        self.blocks = blocks
    }

    // MARK: - Invisible content

    /// Drops comments, then scripts, then styles (in that order, each replaced by a space),
    /// as `<!--[\s\S]*?-->`, `<script\b[\s\S]*?</script\s*>` and `<style\b…` did.
    static func removeInvisible(_ bytes: [UInt8]) -> [UInt8] {
        var text = bytes
        text = remove(from: text, opening: { matches("<!--", in: $0, at: $1) ? 4 : nil }, closing: { matches("-->", in: $0, at: $1) ? 3 : nil })
        for element in ["script", "style"] {
            text = remove(
                from: text, opening: { openingTag(element, in: $0, at: $1) }, closing: { closingTag(element, in: $0, at: $1) })
        }
        return text
    }

    /// Replaces each span from an opening match to the first closing match after it with a
    /// space. Once a closing match is missing it is missing for every later opening too,
    /// so the walk stops there: linear however many openings are unterminated.
    static func remove(
        from text: [UInt8], opening: ([UInt8], Int) -> Int?, closing: ([UInt8], Int) -> Int?
    ) -> [UInt8] {
        var result: [UInt8] = []
        var copied = 0
        var index = 0
        while index < text.count {
            guard text[index] == UInt8(ascii: "<"), let openLength = opening(text, index) else {
                index += 1
                continue
            }
            var end = index + openLength
            var closeLength: Int?
            while end < text.count {
                if text[end] == UInt8(ascii: "<") || text[end] == UInt8(ascii: "-"), let length = closing(text, end) {
                    closeLength = length
                    break
                }
                end += 1
            }
            guard let closeLength else { break }
            if result.isEmpty { result.reserveCapacity(text.count) }
            result.append(contentsOf: text[copied..<index])
            result.append(UInt8(ascii: " "))
            index = end + closeLength
            copied = index
        }
        if copied == 0 { return text }
        result.append(contentsOf: text[copied...])
        return result
    }

    /// `literal` (ASCII) at `offset`, ASCII letters compared without case.
    static func matches(_ literal: String, in text: [UInt8], at offset: Int) -> Bool {
        var index = offset
        for expected in literal.utf8 {
            guard index < text.count, lowercasedASCII(text[index]) == expected else { return false }
            index += 1
        }
        return true
    }

    static func lowercasedASCII(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }

    /// `<script` followed by a word boundary: its length.
    static func openingTag(_ element: String, in text: [UInt8], at offset: Int) -> Int? {
        guard matches("<" + element, in: text, at: offset) else { return nil }
        let end = offset + 1 + element.utf8.count
        if end < text.count, isWordCharacter(EnglishText.scalar(in: text, at: end).0) { return nil }
        return end - offset
    }

    /// `</script`, optional whitespace, `>`: its length.
    static func closingTag(_ element: String, in text: [UInt8], at offset: Int) -> Int? {
        guard matches("</" + element, in: text, at: offset) else { return nil }
        var end = offset + 2 + element.utf8.count
        while end < text.count {
            let (scalar, length) = EnglishText.scalar(in: text, at: end)
            guard EnglishText.isWhitespace(scalar) else { break }
            end += length
        }
        guard end < text.count, text[end] == UInt8(ascii: ">") else { return nil }
        return end + 1 - offset
    }

    /// ICU's `\w`: letters, marks, decimal digits, connector punctuation, ZWNJ and ZWJ.
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if EnglishText.isLetterOrNumber(scalar) && scalar.isASCII { return true }
        let properties = scalar.properties
        switch properties.generalCategory {
        case .decimalNumber, .connectorPunctuation, .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return properties.isAlphabetic || scalar.value == 0x200C || scalar.value == 0x200D
        }
    }

    // MARK: - Entities and whitespace

    static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "ndash": "–", "mdash": "—", "hellip": "…",
        "rsquo": "’", "lsquo": "‘", "rdquo": "”", "ldquo": "“", "copy": "©", "reg": "®", "eacute": "é", "euro": "€",
    ]

    /// An entity's name is whatever stands before a `;` within the next ten characters.
    static let longestEntity = 10

    static func decodeEntities(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "&")) else { return text }
        return String(decoding: decodeEntities(Array(text.utf8)), as: UTF8.self)
    }

    /// Entities replaced in UTF-8. The name is found within the next ten bytes where the
    /// scalar walk looked ten scalars ahead: an entity's name is ASCII, so whenever a
    /// non-ASCII scalar stands before the `;` neither finds an entity.
    static func decodeEntities(_ text: [UInt8]) -> [UInt8] {
        guard text.contains(UInt8(ascii: "&")) else { return text }
        var result: [UInt8] = []
        result.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            let byte = text[index]
            index += 1
            guard byte == UInt8(ascii: "&") else {
                result.append(byte)
                continue
            }
            let window = text[index..<min(text.count, index + Self.longestEntity)]
            if let semicolon = window.firstIndex(of: UInt8(ascii: ";")),
                let replacement = entity(String(decoding: text[index..<semicolon], as: UTF8.self))
            {
                result.append(contentsOf: replacement.utf8)
                index = semicolon + 1
            } else {
                result.append(UInt8(ascii: "&"))
            }
        }
        return result
    }

    static func entity(_ name: String) -> String? {
        if name.hasPrefix("#x") || name.hasPrefix("#X"), let code = UInt32(name.dropFirst(2), radix: 16) {
            return Unicode.Scalar(code).map { String(Character($0)) }
        } else if name.hasPrefix("#"), let code = UInt32(name.dropFirst()) {
            return Unicode.Scalar(code).map { String(Character($0)) }
        }
        return namedEntities[name]
    }

    /// Runs of whitespace become one space; none at either end.
    static func collapse(_ text: String) -> String {
        collapse(Array(text.utf8))
    }

    static func collapse(_ text: [UInt8]) -> String {
        var result: [UInt8] = []
        result.reserveCapacity(text.count)
        var pendingSpace = false
        var index = 0
        while index < text.count {
            let (scalar, length) = EnglishText.scalar(in: text, at: index)
            if EnglishText.isWhitespace(scalar) {
                pendingSpace = !result.isEmpty
                index += length
                continue
            }
            if pendingSpace { result.append(0x20) }
            pendingSpace = false
            result.append(contentsOf: text[index..<(index + length)])
            index += length
        }
        return String(decoding: result, as: UTF8.self)
    }
}
