/// The readable text of an article's HTML: blocks (paragraphs, list items, headings) with
/// tags removed, entities decoded, and `<script>`, `<style>` and comments dropped.
///
/// Every step is one forward walk over the Unicode scalars: the input is whatever a user
/// saved, so no step may rescan what it already passed (an unterminated `<!--` repeated
/// 30,000 times made the former regular expressions quadratic).
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
        let scalars = Self.removeInvisible(Array(html.unicodeScalars))
        var blocks: [Block] = []
        var current: [Unicode.Scalar] = []
        var heading: Int?
        func flush() {
            let text = HTMLText.collapse(HTMLText.decodeEntities(current))
            if !text.isEmpty { blocks.append(Block(headingLevel: heading, text: text)) }
            current.removeAll(keepingCapacity: true)
        }
        var index = 0
        while index < scalars.count {
            guard scalars[index] == "<" else {
                current.append(scalars[index])
                index += 1
                continue
            }
            // An unclosed `<` is text, and so is everything after it.
            guard let close = scalars[(index + 1)...].firstIndex(of: ">") else {
                current.append(contentsOf: scalars[index...])
                break
            }
            let tag = scalars[(index + 1)..<close]
            index = close + 1
            let isClosing = tag.first == "/"
            let name = tag.drop { $0 == "/" }.prefix { EnglishText.isLetterOrNumber($0) }
            guard name.count <= Self.longestBlockTag, name.allSatisfy(\.isASCII) else { continue }
            let lowered = String(String.UnicodeScalarView(name)).lowercased()
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
    static func removeInvisible(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var text = scalars
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
        from text: [Unicode.Scalar], opening: ([Unicode.Scalar], Int) -> Int?, closing: ([Unicode.Scalar], Int) -> Int?
    ) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        var copied = 0
        var index = 0
        while index < text.count {
            guard text[index] == "<", let openLength = opening(text, index) else {
                index += 1
                continue
            }
            var end = index + openLength
            var closeLength: Int?
            while end < text.count {
                if text[end] == "<" || text[end] == "-", let length = closing(text, end) {
                    closeLength = length
                    break
                }
                end += 1
            }
            guard let closeLength else { break }
            if result.isEmpty { result.reserveCapacity(text.count) }
            result.append(contentsOf: text[copied..<index])
            result.append(" ")
            index = end + closeLength
            copied = index
        }
        if copied == 0 { return text }
        result.append(contentsOf: text[copied...])
        return result
    }

    /// `literal` at `offset`, ASCII letters compared without case.
    static func matches(_ literal: String, in text: [Unicode.Scalar], at offset: Int) -> Bool {
        var index = offset
        for expected in literal.unicodeScalars {
            guard index < text.count, lowercasedASCII(text[index]) == expected else { return false }
            index += 1
        }
        return true
    }

    static func lowercasedASCII(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        scalar.value >= 0x41 && scalar.value <= 0x5A ? Unicode.Scalar(UInt8(scalar.value | 0x20)) : scalar
    }

    /// `<script` followed by a word boundary: its length.
    static func openingTag(_ element: String, in text: [Unicode.Scalar], at offset: Int) -> Int? {
        guard matches("<" + element, in: text, at: offset) else { return nil }
        let end = offset + 1 + element.unicodeScalars.count
        if end < text.count, isWordCharacter(text[end]) { return nil }
        return end - offset
    }

    /// `</script`, optional whitespace, `>`: its length.
    static func closingTag(_ element: String, in text: [Unicode.Scalar], at offset: Int) -> Int? {
        guard matches("</" + element, in: text, at: offset) else { return nil }
        var end = offset + 2 + element.unicodeScalars.count
        while end < text.count, EnglishText.isWhitespace(text[end]) { end += 1 }
        guard end < text.count, text[end] == ">" else { return nil }
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
        guard text.contains("&") else { return text }
        return String(String.UnicodeScalarView(decodeEntities(Array(text.unicodeScalars))))
    }

    static func decodeEntities(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains("&") else { return text }
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            let scalar = text[index]
            index += 1
            guard scalar == "&" else {
                result.append(scalar)
                continue
            }
            let window = text[index..<min(text.count, index + Self.longestEntity)]
            if let semicolon = window.firstIndex(of: ";"), let replacement = entity(String(String.UnicodeScalarView(text[index..<semicolon]))) {
                result.append(contentsOf: replacement.unicodeScalars)
                index = semicolon + 1
            } else {
                result.append("&")
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
        collapse(Array(text.unicodeScalars))
    }

    static func collapse(_ text: [Unicode.Scalar]) -> String {
        var result: [UInt8] = []
        result.reserveCapacity(text.count)
        var pendingSpace = false
        for scalar in text {
            if EnglishText.isWhitespace(scalar) {
                pendingSpace = !result.isEmpty
                continue
            }
            if pendingSpace { result.append(0x20) }
            pendingSpace = false
            if scalar.isASCII {
                result.append(UInt8(scalar.value))
            } else {
                result.append(contentsOf: UTF8.encode(scalar).map(Array.init) ?? [])
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

}
