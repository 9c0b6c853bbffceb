/// Article HTML made safe to store: the frontend renders stored `htmlContent` with
/// `dangerouslySetInnerHTML`, so anything that can run script has to be gone before it is
/// written, whether it came from a model or from a user.
///
/// It is an allow-list because a block-list always misses something (a new event handler, an
/// odd URL scheme, a parser quirk). Only the elements and attributes an article needs survive,
/// and the output is re-serialised by this code rather than copied from the input, so what a
/// browser parses is what was checked here:
///
/// - Elements: text formatting, headings, lists, tables, figures, links, images and plain
///   sectioning (`allowedElements`), written back in lowercase; void ones (`br hr img col`)
///   have no end tag.
/// - Elements whose content is code, styling, a nested document, a form or foreign markup
///   (`script style iframe svg math textarea form head …`) are dropped together with their
///   content. Any other element loses its tags but keeps its text.
/// - Attributes: `title lang dir class` everywhere plus a few per element (`href` on `a`,
///   `src alt width height loading` on `img`, …). Everything else — every `on…` handler,
///   `style`, `srcset`, `formaction`, `xlink:href`, `data-*` — is dropped. Values are decoded
///   and written back double-quoted with `& " < >` escaped, so a value can never end early.
/// - URLs (`href src cite`): relative, `http(s)`, and for links `mailto`/`tel`; images may also
///   be raster `data:` URLs (generated images are stored that way). The scheme is read the way
///   browsers read it — after character references and the tabs, newlines and spaces they
///   ignore — so `jav&#x09;ascript:` is recognised. A refused URL loses the attribute only.
///   A link with a `target` always gets `rel="noopener noreferrer"`.
/// - Comments: only the `<!-- IMAGE_PROMPT: {…} -->` markers the frontend turns into image
///   blocks are kept, and only when their body cannot end the comment early.
/// - Text is copied as written (character references included), except that a `<` which does
///   not start a tag becomes `&lt;` and NUL bytes are removed.
///
/// Tags are recognised the way the HTML tokenizer recognises them (what starts a tag, where
/// its attributes and quotes end, what an unterminated tag does), so honest markup keeps its
/// meaning. Safety does not depend on that match, though: whatever this code reads, it only
/// ever writes allowed elements, checked attributes and escaped text.
///
/// One forward pass over the UTF-8 bytes, no regular expressions, no recursion and no element
/// stack (the browser balances tags inside the container anyway), so time is linear and the
/// output is at most six times the input (a `"` inside a value becomes `&quot;`). The result
/// is stable: sanitising it again returns it unchanged.
enum HTMLSanitizer {
    static func sanitize(_ html: String) -> String {
        var pass = SanitizerPass(Array(html.utf8))
        pass.run()
        return String(decoding: pass.output, as: UTF8.self)
    }

    // MARK: - Policy

    fileprivate static let allowedElements: Set<String> = [
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
        "strong", "b", "em", "i", "u", "s", "del", "ins", "mark", "sub", "sup", "small",
        "blockquote", "q", "cite", "code", "pre", "kbd", "samp",
        "ul", "ol", "li", "dl", "dt", "dd", "a", "img", "figure", "figcaption",
        "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col",
        "span", "div", "section", "article", "header", "footer", "aside", "abbr", "time", "details", "summary",
    ]

    fileprivate static let voidElements: Set<String> = ["br", "hr", "img", "col"]

    /// Elements whose content is no article text: script, styling, nested documents and
    /// plug-ins, raw-text and form elements, foreign (SVG/MathML) markup and document
    /// metadata. The void ones of that kind (`input link meta base embed frame`) have no
    /// content, so they are not listed: dropping "up to the end tag" would drop the rest of
    /// the article. As unknown elements they lose their tag like any other.
    fileprivate static let elementsDroppedWithContent: Set<String> = [
        "script", "style", "iframe", "frameset", "object", "applet", "template",
        "noscript", "noembed", "noframes", "textarea", "title", "xmp", "plaintext",
        "svg", "math", "select", "option", "button", "form", "head",
    ]

    fileprivate static let globalAttributes: Set<String> = ["title", "lang", "dir", "class"]

    fileprivate static let elementAttributes: [String: Set<String>] = [
        "a": ["href", "rel", "target"],
        "img": ["src", "alt", "width", "height", "loading"],
        "td": ["colspan", "rowspan", "scope"], "th": ["colspan", "rowspan", "scope"],
        "ol": ["start", "type", "reversed"],
        "time": ["datetime"],
        "col": ["span"], "colgroup": ["span"],
        "blockquote": ["cite"], "q": ["cite"],
    ]

    /// The attributes kept on each allowed element (unknown elements keep none).
    fileprivate static let attributesByElement: [String: Set<String>] = Dictionary(
        uniqueKeysWithValues: allowedElements.map { ($0, globalAttributes.union(elementAttributes[$0] ?? [])) })

    fileprivate static let booleanAttributes: Set<String> = ["reversed"]

    /// Generated images are stored as data URLs; SVG is not among these because an SVG
    /// document can carry script.
    fileprivate static let imageDataURLPrefixes: [[UInt8]] = ["png", "jpeg", "jpg", "gif", "webp"].map { Array("data:image/\($0);base64,".utf8) }

    /// Whether a decoded `href`/`src`/`cite` value may stay.
    fileprivate static func allowsURL(_ value: [UInt8], in attribute: String) -> Bool {
        // Browsers skip tabs and newlines anywhere in a URL and controls and spaces around it,
        // so they are removed before looking for the scheme. Removing more than a browser
        // does (a space inside, say) can only make a relative URL look like it has a scheme,
        // which is then refused: the mistake is always on the safe side.
        let url = value.filter { $0 > 0x20 && $0 != 0x7F }.map { $0.asciiLowercased }
        // A scheme ends at a `:` that comes before any `/`, `?` or `#`; without one the URL is
        // relative (`/a`, `#b`, `../c`, `//host/d` — the last one stays on http(s)).
        guard let end = url.firstIndex(where: { $0 == .colon || $0 == .slash || $0 == .question || $0 == .hash }),
            url[end] == .colon
        else { return true }
        switch String(decoding: url[..<end], as: UTF8.self) {
        case "http", "https": return true
        case "mailto", "tel": return attribute == "href"
        case "data": return attribute == "src" && imageDataURLPrefixes.contains { url.starts(with: $0) }
        default: return false
        }
    }
}

// MARK: - The pass

/// One forward scan: `position` only ever moves forward, and each construct (tag, comment,
/// dropped element) is consumed in a single sweep, so no byte is looked at more than a
/// bounded number of times.
private struct SanitizerPass {
    let input: [UInt8]
    var position = 0
    var output: [UInt8] = []

    init(_ input: [UInt8]) {
        self.input = input
        output.reserveCapacity(input.count)
    }

    func byte(at index: Int) -> UInt8? { index < input.count ? input[index] : nil }

    mutating func run() {
        while position < input.count {
            let byte = input[position]
            if byte == .lessThan {
                markup()
            } else {
                // A NUL is never article text, and browsers drop or replace it anyway.
                if byte != 0 { output.append(byte) }
                position += 1
            }
        }
    }

    /// At a `<`: the tokenizer's "tag open" state.
    mutating func markup() {
        let next = byte(at: position + 1)
        if let next, next.isASCIILetter { return startTag() }
        switch next {
        case .slash:
            guard let afterSlash = byte(at: position + 2) else {
                // `</` at the very end is text to a browser.
                output.append(contentsOf: "&lt;/".utf8)
                position = input.count
                return
            }
            if afterSlash.isASCIILetter {
                endTag()
            } else if afterSlash == .greaterThan {
                position += 3  // `</>` is nothing
            } else {
                skipBogusComment()  // `</3>`, `</ a>`
            }
        case .bang:
            if byte(at: position + 2) == .hyphen, byte(at: position + 3) == .hyphen {
                comment()
            } else {
                skipBogusComment()  // `<!DOCTYPE …>`, `<![CDATA[…]]>` (a bogus comment in HTML content)
            }
        case .question:
            skipBogusComment()  // `<?xml …?>`
        default:
            // Not a tag to a browser either (`a < b`, `<3`, `<` at the end): escaped so that
            // joining it with what follows can never form one.
            output.append(contentsOf: "&lt;".utf8)
            position += 1
        }
    }

    mutating func startTag() {
        guard let tag = readTag(nameStart: position + 1, keepingAttributes: true), let name = tag.name else { return }
        if HTMLSanitizer.elementsDroppedWithContent.contains(name) {
            skipPastEndTag(of: name)
        } else if HTMLSanitizer.allowedElements.contains(name) {
            write(startTag: name, attributes: tag.attributes)
        }
    }

    mutating func endTag() {
        guard let tag = readTag(nameStart: position + 2, keepingAttributes: false), let name = tag.name else { return }
        if HTMLSanitizer.allowedElements.contains(name), !HTMLSanitizer.voidElements.contains(name) {
            output.append(contentsOf: "</\(name)>".utf8)
        }
    }

    struct Attribute {
        let name: String
        var value: [UInt8]?  // nil when written without `=`
    }

    /// Reads a tag from its name to its `>`, following the tokenizer's tag and attribute states
    /// (quotes, `/`, missing values, a `=` or `"` inside a name), and keeps only the allowed
    /// attributes, decoded. Returns nil when the input ends inside the tag: a browser drops
    /// such a tag, and so does this, together with the rest of the input it swallowed.
    mutating func readTag(nameStart: Int, keepingAttributes: Bool) -> (name: String?, attributes: [Attribute])? {
        position = nameStart
        while position < input.count, !input[position].endsTagName { position += 1 }
        let name = Self.lowercasedName(input[nameStart..<position])
        let allowed = keepingAttributes ? name.flatMap { HTMLSanitizer.attributesByElement[$0] } ?? [] : []
        var attributes: [Attribute] = []
        while true {
            // `/` outside a value only marks the tag self-closing, which HTML elements ignore.
            while position < input.count, input[position].isHTMLSpace || input[position] == .slash { position += 1 }
            guard position < input.count else { position = input.count; return nil }
            if input[position] == .greaterThan {
                position += 1
                return (name, attributes)
            }
            let attributeStart = position
            position += 1  // the first character belongs to the name even if it is `=`
            while position < input.count, !input[position].endsAttributeName { position += 1 }
            let attributeName = Self.lowercasedName(input[attributeStart..<position])
            skipSpaces()
            var value: Range<Int>?
            if byte(at: position) == .equals {
                position += 1
                skipSpaces()
                guard let first = byte(at: position) else { return nil }
                if first == .doubleQuote || first == .singleQuote {
                    guard let close = input[(position + 1)...].firstIndex(of: first) else {
                        position = input.count
                        return nil
                    }
                    value = (position + 1)..<close
                    position = close + 1
                } else {
                    let start = position
                    while position < input.count, !input[position].isHTMLSpace, input[position] != .greaterThan { position += 1 }
                    value = start..<position
                }
            }
            // The first of duplicate attributes wins, as in browsers.
            if let attributeName, allowed.contains(attributeName), !attributes.contains(where: { $0.name == attributeName }) {
                attributes.append(Attribute(name: attributeName, value: value.map { Self.decode(input[$0]) }))
            }
        }
    }

    mutating func skipSpaces() {
        while position < input.count, input[position].isHTMLSpace { position += 1 }
    }

    /// After the start tag of a dropped element: everything up to and including its end tag
    /// goes, or the rest of the input when it is never closed. The first `</name` counts, as
    /// in raw-text elements; were a browser to end the element later, the part in between is
    /// still sanitised as ordinary markup, so an early end is only ever less content.
    mutating func skipPastEndTag(of name: String) {
        let closing = Array("</\(name)".utf8)
        var index = position
        while let open = input[index...].firstIndex(of: .lessThan) {
            let end = open + closing.count
            if end <= input.count, zip(input[open..<end], closing).allSatisfy({ $0.asciiLowercased == $1 }),
                byte(at: end)?.endsTagName ?? true
            {
                _ = readTag(nameStart: open + 2, keepingAttributes: false)  // through its `>`, whatever the attributes
                return
            }
            index = open + 1
        }
        position = input.count
    }

    /// At `<!--`: finds where a browser ends the comment (`<!-->`, `<!--->`, the first `-->`
    /// or `--!>`, or the end of the input) and keeps it only when it is an image marker.
    mutating func comment() {
        let bodyStart = position + 4
        var bodyEnd = bodyStart
        var end = input.count
        var endsNormally = false
        if byte(at: bodyStart) == .greaterThan {
            end = bodyStart + 1
        } else if byte(at: bodyStart) == .hyphen, byte(at: bodyStart + 1) == .greaterThan {
            end = bodyStart + 2
        } else {
            bodyEnd = input.count
            var index = bodyStart
            while index < input.count {
                if input[index] == .hyphen, byte(at: index + 1) == .hyphen {
                    if byte(at: index + 2) == .greaterThan {
                        (bodyEnd, end, endsNormally) = (index, index + 3, true)
                        break
                    }
                    if byte(at: index + 2) == .bang, byte(at: index + 3) == .greaterThan {
                        (bodyEnd, end) = (index, index + 4)
                        break
                    }
                }
                index += 1
            }
        }
        if endsNormally, Self.isImagePrompt(input[bodyStart..<bodyEnd]) {
            output.append(contentsOf: input[position..<end])
        }
        position = end
    }

    /// `<!-- IMAGE_PROMPT: {json} -->`, the marker ImageBlock reads. The body may not hold `--`
    /// (which could end it, or make `--->`), `<` or `>` (which other parsers and regexes may
    /// misread as markup) or NUL, so the comment means the same to every reader.
    static func isImagePrompt(_ body: ArraySlice<UInt8>) -> Bool {
        let marker = Array("IMAGE_PROMPT:".utf8)
        guard let first = body.firstIndex(where: { !$0.isHTMLSpace }), body[first...].starts(with: marker), body.last != .hyphen
        else { return false }
        var previous: UInt8 = 0
        for byte in body {
            if byte == .lessThan || byte == .greaterThan || byte == 0 || (byte == .hyphen && previous == .hyphen) { return false }
            previous = byte
        }
        return true
    }

    /// `<!…>`, `<?…>`, `</…>` with no name: a bogus comment that ends at the first `>`.
    mutating func skipBogusComment() {
        position = input[position...].firstIndex(of: .greaterThan).map { $0 + 1 } ?? input.count
    }

    mutating func write(startTag name: String, attributes: [Attribute]) {
        var kept = attributes.filter { attribute in
            guard attribute.name == "href" || attribute.name == "src" || attribute.name == "cite" else { return true }
            return HTMLSanitizer.allowsURL(attribute.value ?? [], in: attribute.name)
        }
        if name == "a", kept.contains(where: { $0.name == "target" }) {
            // A page opened with a target could otherwise script its opener (reverse tabnabbing).
            // Other rel values (nofollow, sponsored) are kept.
            var tokens = (kept.first { $0.name == "rel" }?.value ?? []).split { $0.isHTMLSpace }.map(Array.init)
            for required in ["noopener", "noreferrer"] where !tokens.contains(where: { $0.map { $0.asciiLowercased } == Array(required.utf8) }) {
                tokens.append(Array(required.utf8))
            }
            let rel = Array(tokens.joined(separator: [UInt8.space]))
            if let index = kept.firstIndex(where: { $0.name == "rel" }) {
                kept[index].value = rel
            } else {
                kept.append(Attribute(name: "rel", value: rel))
            }
        }
        output.append(.lessThan)
        output.append(contentsOf: name.utf8)
        for attribute in kept {
            output.append(.space)
            output.append(contentsOf: attribute.name.utf8)
            if HTMLSanitizer.booleanAttributes.contains(attribute.name) { continue }
            output.append(contentsOf: "=\"".utf8)
            for byte in attribute.value ?? [] {
                switch byte {
                case .ampersand: output.append(contentsOf: "&amp;".utf8)
                case .doubleQuote: output.append(contentsOf: "&quot;".utf8)
                case .lessThan: output.append(contentsOf: "&lt;".utf8)
                case .greaterThan: output.append(contentsOf: "&gt;".utf8)
                default: output.append(byte)
                }
            }
            output.append(.doubleQuote)
        }
        output.append(.greaterThan)
    }

    /// ASCII-lowercased; nil for names no policy can match (long, or not ASCII), which are
    /// then simply unknown.
    static func lowercasedName(_ bytes: ArraySlice<UInt8>) -> String? {
        guard bytes.count <= 16, bytes.allSatisfy({ $0 > 0 && $0 < 0x80 }) else { return nil }
        return String(decoding: bytes.map { $0.asciiLowercased }, as: UTF8.self)
    }

    // MARK: Character references

    /// An attribute value as a browser decodes it: numeric references with or without `;`,
    /// named ones from `CharacterReferences`, NUL removed. An unknown name stays literal, and
    /// since the value is re-serialised with `&` escaped, the browser then sees it literally
    /// too: a reference this table lacks can never turn into something unchecked.
    static func decode(_ value: ArraySlice<UInt8>) -> [UInt8] {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(value.count)
        var index = value.startIndex
        while index < value.endIndex {
            let byte = value[index]
            if byte == 0 {
                index += 1
            } else if byte == .ampersand, let (scalar, next) = reference(in: value, at: index) {
                UTF8.encode(scalar) { decoded.append($0) }
                index = next
            } else {
                decoded.append(byte)
                index += 1
            }
        }
        return decoded
    }

    /// The character referenced at `start` (an `&`) and the index after the reference.
    static func reference(in value: ArraySlice<UInt8>, at start: Int) -> (Unicode.Scalar, Int)? {
        func byte(_ index: Int) -> UInt8? { index < value.endIndex ? value[index] : nil }
        if byte(start + 1) == .hash {
            let hex = byte(start + 2).map { $0 | 0x20 } == UInt8(ascii: "x")
            var index = start + (hex ? 3 : 2)
            var code: UInt32 = 0
            var digits = 0
            while let digit = byte(index).flatMap({ hex ? $0.hexDigitValue : $0.decimalDigitValue }) {
                // Clamped rather than overflowing: a million digits is still just "too large".
                code = min(code * (hex ? 16 : 10) + digit, 0x11_0000)
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            if byte(index) == .semicolon { index += 1 }
            return (CharacterReferences.scalar(forCode: code), index)
        }
        // Names are short; looking further than the longest one keeps this bounded.
        var end = start + 1
        while end < value.endIndex, end - start <= 32, value[end].isASCIIAlphanumeric { end += 1 }
        guard end > start + 1, let name = referenceName(value[(start + 1)..<end]) else { return nil }
        if byte(end) == .semicolon, let scalar = CharacterReferences.named[name] {
            return (scalar, end + 1)
        }
        // Without `;` only the legacy names count, and in an attribute not before `=` or an
        // alphanumeric (`?a=1&copy=2` keeps its `&copy`).
        if CharacterReferences.legacy.contains(name), byte(end) != .equals, !(byte(end)?.isASCIIAlphanumeric ?? false),
            let scalar = CharacterReferences.named[name]
        {
            return (scalar, end)
        }
        return nil
    }

    /// The name as written (references are case-sensitive); nil when too long to be one.
    static func referenceName(_ bytes: ArraySlice<UInt8>) -> String? {
        bytes.count <= 32 ? String(decoding: bytes, as: UTF8.self) : nil
    }
}

/// The named character references worth decoding in attribute values: all of Latin-1 (also
/// the names browsers accept without `;`), the ASCII punctuation names that can disguise a
/// URL scheme, and common typography. Text is not decoded at all, so this only matters for
/// `title`/`alt` fidelity and for seeing URLs as browsers do.
private enum CharacterReferences {
    /// U+00A0…U+00FF in order.
    static let latin1 = """
        nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr \
        deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest \
        Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml \
        ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig \
        agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml \
        eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml
        """.split(separator: " ").map(String.init)

    static let others: [String: UInt32] = [
        "amp": 0x26, "AMP": 0x26, "lt": 0x3C, "LT": 0x3C, "gt": 0x3E, "GT": 0x3E, "quot": 0x22, "QUOT": 0x22,
        "apos": 0x27, "COPY": 0xA9, "REG": 0xAE,
        "Tab": 0x09, "NewLine": 0x0A, "excl": 0x21, "num": 0x23, "dollar": 0x24, "percnt": 0x25,
        "lpar": 0x28, "rpar": 0x29, "ast": 0x2A, "plus": 0x2B, "comma": 0x2C, "period": 0x2E, "sol": 0x2F,
        "colon": 0x3A, "semi": 0x3B, "equals": 0x3D, "quest": 0x3F, "commat": 0x40, "lsqb": 0x5B, "lbrack": 0x5B,
        "bsol": 0x5C, "rsqb": 0x5D, "rbrack": 0x5D, "Hat": 0x5E, "lowbar": 0x5F, "grave": 0x60,
        "lcub": 0x7B, "lbrace": 0x7B, "verbar": 0x7C, "vert": 0x7C, "rcub": 0x7D, "rbrace": 0x7D,
        "OElig": 0x152, "oelig": 0x153, "Scaron": 0x160, "scaron": 0x161, "Yuml": 0x178, "fnof": 0x192,
        "circ": 0x2C6, "tilde": 0x2DC, "ensp": 0x2002, "emsp": 0x2003, "thinsp": 0x2009,
        "zwnj": 0x200C, "zwj": 0x200D, "lrm": 0x200E, "rlm": 0x200F, "ndash": 0x2013, "mdash": 0x2014,
        "lsquo": 0x2018, "rsquo": 0x2019, "sbquo": 0x201A, "ldquo": 0x201C, "rdquo": 0x201D, "bdquo": 0x201E,
        "dagger": 0x2020, "Dagger": 0x2021, "bull": 0x2022, "hellip": 0x2026, "permil": 0x2030,
        "prime": 0x2032, "Prime": 0x2033, "lsaquo": 0x2039, "rsaquo": 0x203A, "euro": 0x20AC, "trade": 0x2122,
        "larr": 0x2190, "uarr": 0x2191, "rarr": 0x2192, "darr": 0x2193, "harr": 0x2194,
        "minus": 0x2212, "infin": 0x221E, "ne": 0x2260, "le": 0x2264, "ge": 0x2265, "hearts": 0x2665,
    ]

    static let named: [String: Unicode.Scalar] = {
        var table = others.compactMapValues { Unicode.Scalar($0) }
        for (offset, name) in latin1.enumerated() {
            table[name] = Unicode.Scalar(UInt32(0xA0 + offset))
        }
        return table
    }()

    static let legacy: Set<String> = Set(latin1).union(["amp", "AMP", "lt", "LT", "gt", "GT", "quot", "QUOT", "COPY", "REG"])

    /// What browsers make of `&#…;`: NUL, surrogates and out-of-range codes become U+FFFD,
    /// and 0x80…0x9F are read as Windows-1252, as legacy pages meant them.
    static func scalar(forCode code: UInt32) -> Unicode.Scalar {
        if (0x80...0x9F).contains(code), let mapped = windows1252[Int(code - 0x80)], let scalar = Unicode.Scalar(mapped) {
            return scalar
        }
        guard code != 0, let scalar = Unicode.Scalar(code) else { return "\u{FFFD}" }
        return scalar
    }

    static let windows1252: [UInt32?] = [
        0x20AC, nil, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, nil, 0x017D, nil,
        nil, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, nil, 0x017E, 0x0178,
    ]
}

extension UInt8 {
    fileprivate static let space = UInt8(ascii: " ")
    fileprivate static let lessThan = UInt8(ascii: "<")
    fileprivate static let greaterThan = UInt8(ascii: ">")
    fileprivate static let slash = UInt8(ascii: "/")
    fileprivate static let bang = UInt8(ascii: "!")
    fileprivate static let question = UInt8(ascii: "?")
    fileprivate static let hyphen = UInt8(ascii: "-")
    fileprivate static let equals = UInt8(ascii: "=")
    fileprivate static let doubleQuote = UInt8(ascii: "\"")
    fileprivate static let singleQuote = UInt8(ascii: "'")
    fileprivate static let ampersand = UInt8(ascii: "&")
    fileprivate static let hash = UInt8(ascii: "#")
    fileprivate static let semicolon = UInt8(ascii: ";")
    fileprivate static let colon = UInt8(ascii: ":")

    /// The tokenizer's whitespace: tab, line feed, form feed, carriage return, space.
    fileprivate var isHTMLSpace: Bool { self == 0x09 || self == 0x0A || self == 0x0C || self == 0x0D || self == 0x20 }
    fileprivate var isASCIILetter: Bool { (self | 0x20) >= UInt8(ascii: "a") && (self | 0x20) <= UInt8(ascii: "z") }
    fileprivate var isASCIIAlphanumeric: Bool { isASCIILetter || decimalDigitValue != nil }
    fileprivate var asciiLowercased: UInt8 { self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z") ? self | 0x20 : self }
    fileprivate var endsTagName: Bool { isHTMLSpace || self == .slash || self == .greaterThan }
    fileprivate var endsAttributeName: Bool { endsTagName || self == .equals }

    fileprivate var decimalDigitValue: UInt32? {
        self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") ? UInt32(self - UInt8(ascii: "0")) : nil
    }

    fileprivate var hexDigitValue: UInt32? {
        if let digit = decimalDigitValue { return digit }
        let lower = self | 0x20
        return lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "f") ? UInt32(lower - UInt8(ascii: "a")) + 10 : nil
    }
}
