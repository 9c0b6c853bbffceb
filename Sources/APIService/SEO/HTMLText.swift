import Foundation

/// The readable text of an article's HTML: blocks (paragraphs, list items, headings) with
/// tags removed, entities decoded, and `<script>`, `<style>` and comments dropped.
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

    init(html: String) {
        var blocks: [Block] = []
        var current = ""
        var heading: Int?
        func flush() {
            let text = HTMLText.collapse(HTMLText.decodeEntities(current))
            if !text.isEmpty { blocks.append(Block(headingLevel: heading, text: text)) }
            current = ""
        }
        var rest = Substring(Self.removeInvisible(html))
        while let open = rest.firstIndex(of: "<") {
            current += rest[..<open]
            guard let close = rest[open...].firstIndex(of: ">") else {
                current += rest[open...]
                rest = ""
                break
            }
            let tag = rest[rest.index(after: open)..<close]
            rest = rest[rest.index(after: close)...]
            let isClosing = tag.hasPrefix("/")
            let name = tag.drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber }.lowercased()
            guard Self.blockTags.contains(name) else { continue }
            flush()
            if name.count == 2, name.first == "h", let level = Int(name.dropFirst()) {
                heading = isClosing ? nil : level
            }
        }
        current += rest
        flush()
        self.blocks = blocks
    }

    /// Drops elements whose content is never read (scripts, styles) and comments.
    static func removeInvisible(_ html: String) -> String {
        var text = html
        for pattern in ["<!--[\\s\\S]*?-->", "<script\\b[\\s\\S]*?</script\\s*>", "<style\\b[\\s\\S]*?</style\\s*>"] {
            text = text.replacingOccurrences(of: pattern, with: " ", options: [.regularExpression, .caseInsensitive])
        }
        return text
    }

    static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "ndash": "–", "mdash": "—", "hellip": "…",
        "rsquo": "’", "lsquo": "‘", "rdquo": "”", "ldquo": "“", "copy": "©", "reg": "®", "eacute": "é", "euro": "€",
    ]

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            result += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            if let semicolon = after.prefix(10).firstIndex(of: ";") {
                let name = after[..<semicolon]
                var replacement: String?
                if name.hasPrefix("#x") || name.hasPrefix("#X"), let code = UInt32(name.dropFirst(2), radix: 16) {
                    replacement = Unicode.Scalar(code).map { String(Character($0)) }
                } else if name.hasPrefix("#"), let code = UInt32(name.dropFirst()) {
                    replacement = Unicode.Scalar(code).map { String(Character($0)) }
                } else {
                    replacement = namedEntities[String(name)]
                }
                if let replacement {
                    result += replacement
                    rest = after[after.index(after: semicolon)...]
                    continue
                }
            }
            result += "&"
            rest = after
        }
        return result + rest
    }

    static func collapse(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
