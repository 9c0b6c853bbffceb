import Foundation
import Testing

@testable import APIService

/// Stored article HTML is rendered with `dangerouslySetInnerHTML`: the sanitizer has to remove
/// everything that can run script, keep honest article markup, be stable when applied twice,
/// and stay linear on hostile input.
@Suite struct HTMLSanitizerTests {
    /// Sanitised once, checked to be stable (a second pass changes nothing) and well-formed.
    static func clean(_ html: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        let once = HTMLSanitizer.sanitize(html)
        #expect(HTMLSanitizer.sanitize(once) == once, "not idempotent: \(html.prefix(120))", sourceLocation: sourceLocation)
        #expect(wellFormed(once), "not well-formed: \(html.prefix(120)) → \(once.prefix(120))", sourceLocation: sourceLocation)
        return once
    }

    static let forbiddenElements: Set<String> = [
        "script", "style", "iframe", "svg", "math", "object", "embed", "textarea", "noscript", "template", "form", "meta", "link", "base",
    ]

    /// Independent of the sanitizer's own reading: every `<` in the output opens an
    /// `IMAGE_PROMPT` comment or a tag of lowercase name, with lowercase attribute names that
    /// are not event handlers and double-quoted values holding no `"`, `<` or `>`.
    static func wellFormed(_ html: String) -> Bool {
        let bytes = Array(html.utf8)
        func isLetter(_ byte: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) }
        func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        var index = 0
        func at(_ offset: Int) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }
        while index < bytes.count {
            if bytes[index] == 0 { return false }
            guard bytes[index] == UInt8(ascii: "<") else {
                index += 1
                continue
            }
            if bytes[index...].starts(with: Array("<!--".utf8)) {
                guard let close = findSequence(Array("-->".utf8), in: bytes, from: index + 4) else { return false }
                let body = String(decoding: bytes[(index + 4)..<close], as: UTF8.self)
                guard body.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("IMAGE_PROMPT:"), !body.contains("--"), !body.contains("<"),
                    !body.contains(">")
                else { return false }
                index = close + 3
                continue
            }
            index += 1
            if at(0) == UInt8(ascii: "/") { index += 1 }
            let nameStart = index
            while let byte = at(0), isLetter(byte) || isDigit(byte) { index += 1 }
            guard index > nameStart else { return false }
            if forbiddenElements.contains(String(decoding: bytes[nameStart..<index], as: UTF8.self)) { return false }
            while at(0) != UInt8(ascii: ">") {
                guard at(0) == UInt8(ascii: " ") else { return false }
                index += 1
                let attributeStart = index
                while let byte = at(0), isLetter(byte) { index += 1 }
                guard index > attributeStart, !bytes[attributeStart...].starts(with: Array("on".utf8)) else { return false }
                if at(0) == UInt8(ascii: "=") {
                    guard at(1) == UInt8(ascii: "\"") else { return false }
                    index += 2
                    while let byte = at(0), byte != UInt8(ascii: "\"") {
                        if byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") { return false }
                        index += 1
                    }
                    guard at(0) == UInt8(ascii: "\"") else { return false }
                    index += 1
                }
            }
            index += 1
        }
        return true
    }

    static func findSequence(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + needle.count <= bytes.count {
            if bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    // MARK: - Honest markup

    @Test func offlineGeneratorOutputIsUnchanged() {
        let html = """
            <h2>Brewing at home</h2><p>Start with fresh beans.</p>\
            <!-- IMAGE_PROMPT: {"prompt": "x", "alt": "y", "aspect": "16:9", "style": "photographic"} -->\
            <p><em>Offline draft.</em> <strong>Ready to explore coffee?</strong></p>
            """
        #expect(Self.clean(html) == html)
        let section = """
            <p><em>[Offline draft]</em> No AI provider is configured, so this section is a placeholder.</p>
            <p>This section, “Grind size &amp; you”, would cover home coffee with a focus on &quot;pour over&quot;.</p>
            <!-- IMAGE_PROMPT: {"alt":"Grind size & you","aspect":"16:9","prompt":"An illustration of home coffee","style":"photographic"} -->
            """
        #expect(Self.clean(section) == section)
    }

    static let unchanged: [String] = [
        "<p>Plain <strong>bold</strong>, <b>b</b>, <em>em</em>, <i>i</i>, <u>u</u>, <s>s</s>, <del>d</del>, <ins>n</ins>, <mark>m</mark>.</p>",
        "<p>H<sub>2</sub>O and x<sup>2</sup> <small>fine print</small> <kbd>Ctrl</kbd> <samp>out</samp> <code>let x = 1</code></p>",
        "<h1>1</h1><h2>2</h2><h3>3</h3><h4>4</h4><h5>5</h5><h6>6</h6><hr><p>a<br>b</p>",
        "<ul><li>one</li></ul><ol start=\"3\" type=\"a\" reversed><li>two</li></ol><dl><dt>t</dt><dd>d</dd></dl>",
        "<blockquote cite=\"https://example.com/q\"><p>Quote</p></blockquote><q cite=\"/src\">q</q> <cite>Source</cite>",
        "<pre><code>if a &lt; b { print(\"&amp;\") }</code></pre>",
        "<figure><img src=\"/images/a.jpg\" alt=\"A loaf\" title=\"Crumb\" width=\"640\" height=\"480\" loading=\"lazy\"><figcaption>Crumb</figcaption></figure>",
        "<img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"generated\"><img src=\"data:image/webp;base64,UklGR\" alt=\"\">",
        "<img src=\"https://cdn.example.com/x.png\" alt=\"\"><img src=\"//cdn.example.com/y.gif\" alt=\"\">",
        """
        <table><caption>Costs</caption><colgroup span="2"><col span="1"></colgroup><thead><tr><th scope="col">Item</th><th>€</th></tr></thead>\
        <tbody><tr><td colspan="2" rowspan="1">Paint</td></tr></tbody><tfoot><tr><td>Total</td></tr></tfoot></table>
        """,
        "<a href=\"https://example.com/?a=1&amp;b=2#top\" title=\"Example\">link</a> <a href=\"/about\">about</a> <a href=\"#notes\">notes</a>",
        "<a href=\"mailto:me@example.com\">mail</a> <a href=\"tel:+15550100\">call</a> <a href=\"../up\">up</a> <a href=\"?q=1\">q</a> <a href=\"\">self</a>",
        "<a href=\"https://x.example\" target=\"_blank\" rel=\"noopener noreferrer\">new tab</a>",
        "<section><header><h2>T</h2></header><article class=\"post-body\"><aside>side</aside><div class=\"callout tip\">c</div></article><footer>f</footer></section>",
        "<p lang=\"fr\" dir=\"ltr\" title=\"café\">Caf&eacute; &amp; cr&egrave;me &nbsp;&mdash; &#8217; &#x2014; &copy;</p>",
        "<p><abbr title=\"HyperText Markup Language\">HTML</abbr> on <time datetime=\"2024-05-01\">May 1</time></p>",
        "<details><summary>More</summary><p>Hidden</p></details><span class=\"x\">s</span>",
        "<p>Text with > and a bare & and &foo; and [IMAGE_PLACEHOLDER] kept as written.</p>\n\n<p>Second\tparagraph</p>",
        "<p>Unicode: résumé, 東京, emoji 🍞, RTL \u{202E}x\u{202C}, combining e\u{301}.</p>",
    ]

    @Test func honestMarkupIsUnchanged() {
        for html in Self.unchanged {
            #expect(Self.clean(html) == html)
        }
    }

    static let normalised: [(String, String)] = [
        // Lowercase tags, double quotes, no self-closing slash, boolean attributes bare.
        ("<P CLASS='lead'>A<BR/>b</P>", "<p class=\"lead\">A<br>b</p>"),
        ("<img src=/a.png alt='It&#39;s'/>", "<img src=\"/a.png\" alt=\"It's\">"),
        ("<ol reversed=\"reversed\" START=2><li>x</li></ol>", "<ol reversed start=\"2\"><li>x</li></ol>"),
        ("<p title>t</p><td colspan>c</td>", "<p title=\"\">t</p><td colspan=\"\">c</td>"),
        ("<p\ttitle = \"a\"\n class=b>t</p >", "<p title=\"a\" class=\"b\">t</p>"),
        // The first of duplicate attributes wins, as in browsers.
        ("<p title=\"one\" title=\"two\">t</p>", "<p title=\"one\">t</p>"),
        // Values are decoded then re-escaped; an `&` that is no reference becomes `&amp;`.
        ("<a href=\"?a=1&b=2&copy=3\">x</a>", "<a href=\"?a=1&amp;b=2&amp;copy=3\">x</a>"),
        (
            "<p title=\"&lt;b&gt; &quot;q&quot; &amp; &#60; &#x3e; &copy &hellip; &nosuch;\">t</p>",
            "<p title=\"&lt;b&gt; &quot;q&quot; &amp; &lt; &gt; © … &amp;nosuch;\">t</p>"
        ),
        ("<p title=\"&#0; &#x110000; &#150; &#xD800;\">t</p>", "<p title=\"\u{FFFD} \u{FFFD} – \u{FFFD}\">t</p>"),
        ("<p title=\"&nbsp;&eacute;&yuml;&AElig;&Tab;&euro;&eacute\">t</p>", "<p title=\"\u{A0}éÿÆ\t€é\">t</p>"),
        // Unknown elements lose their tags, not their text; void end tags mean nothing.
        ("<nav><a href=\"/\">Home</a></nav><font color=red>red</font><center>c</center>", "<a href=\"/\">Home</a>redc"),
        ("<html><body><p>x</p></body></html>", "<p>x</p>"),
        ("a</br>b</img></hr>", "ab"),
        ("<p>a <x-widget data-id=1>b</x-widget> c</p>", "<p>a b c</p>"),
        // A `<` that is no tag is escaped; `>` and references in text stay as written.
        ("a < b, 3<4, <3, <é, x<", "a &lt; b, 3&lt;4, &lt;3, &lt;é, x&lt;"),
        ("if (a < b && c > d) &amp;", "if (a &lt; b && c > d) &amp;"),
        // …while `<b` does start one, to a browser as well.
        ("if (a<b && c>d)", "if (a<b>d)"),
        ("trailing </", "trailing &lt;/"),
        ("nul\u{0}led <p\u{0}>x</p> <p title=\"a\u{0}b\">y</p>", "nulled x</p> <p title=\"ab\">y</p>"),
        // Comments, doctypes, CDATA and processing instructions go.
        ("<!DOCTYPE html><!-- note --><![CDATA[x]]><?xml version=\"1.0\"?>text", "text"),
        ("a<!---->b<!-->c<!--->d<!-- x --!>e</>f</ 3>g", "abcdefg"),
        ("<!-- never closed <p>gone</p>", ""),
        // A target forces noopener and noreferrer, keeping other rel values.
        ("<a target=_blank href=https://x>t</a>", "<a target=\"_blank\" href=\"https://x\" rel=\"noopener noreferrer\">t</a>"),
        ("<a href=\"/x\" rel=\"nofollow  NOOPENER\" target=\"w\">t</a>", "<a href=\"/x\" rel=\"nofollow NOOPENER noreferrer\" target=\"w\">t</a>"),
        ("<a href=\"/x\" rel=\"nofollow\">t</a>", "<a href=\"/x\" rel=\"nofollow\">t</a>"),
        // Image markers: kept only when their body cannot end them early.
        ("<!--IMAGE_PROMPT: {\"prompt\": \"x\"}-->", "<!--IMAGE_PROMPT: {\"prompt\": \"x\"}-->"),
        ("<!-- IMAGE_PROMPT: {\"prompt\": \"a > b\"} -->ok", "ok"),
        ("<!-- IMAGE_PROMPT: {\"prompt\": \"a -- b\"} -->ok", "ok"),
        ("<!-- IMAGE_PROMPT: x --->ok", "ok"),
        ("<!-- image_prompt: x -->ok", "ok"),
    ]

    @Test func markupIsNormalised() {
        for (input, expected) in Self.normalised {
            #expect(Self.clean(input) == expected, "\(input)")
        }
    }

    // MARK: - Attacks

    static let attacks: [(String, String)] = [
        ("<img src=x onerror=alert(1)>", "<img src=\"x\">"),
        ("<IMG SRC=JaVaScRiPt:alert(1) ONLOAD=alert(1)>", "<img>"),
        ("<img src=\"x\"/onerror=alert(1)>", "<img src=\"x\">"),
        ("<img/src/onerror=alert(1)>", "<img src=\"\">"),
        ("<img src=\"x\" srcset=\"javascript:alert(1)\" style=\"x:expression(alert(1))\" data-x=\"1\" onload=alert(1)>", "<img src=\"x\">"),
        ("<a href=\"javascript:alert(1)\">x</a>", "<a>x</a>"),
        ("<a href=\"jav&#x61;script:alert(1)\">x</a>", "<a>x</a>"),
        ("<a href=\"  JaVaScRiPt:alert(1)\">x</a>", "<a>x</a>"),
        ("<a href=\"java\tscript:alert(1)\">x</a>", "<a>x</a>"),
        ("<a href=\"java\nscript:alert(1)\">x</a>", "<a>x</a>"),
        ("<a href=\"jav&#x09;ascript:alert(1)\">x</a>", "<a>x</a>"),
        ("<a href=\"jav&Tab;ascript:alert(1)\">x</a>", "<a>x</a>"),
        ("<a href=\"jav&NewLine;ascript:alert(1)\">x</a>", "<a>x</a>"),
        ("<a href=\"javascript&colon;alert(1)\">x</a>", "<a>x</a>"),
        ("<a href=\"javascript&#58;alert(1)\">x</a>", "<a>x</a>"),
        ("<a href=\"&#106;avascript:alert(1)\">x</a>", "<a>x</a>"),
        ("<a href=\"&#106avascript:alert(1)\">x</a>", "<a>x</a>"),
        ("<a href=\"&#0000106&#0000097vascript:alert(1)\">x</a>", "<a>x</a>"),
        ("<a href=\"&#x6A;&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)\">x</a>", "<a>x</a>"),
        ("<a href=\"\u{1}javascript:alert(1)\">x</a>", "<a>x</a>"),
        ("<a href=\"jav ascript:alert(1)\">x</a>", "<a>x</a>"),
        ("<a href=javascript:alert(1)>x</a>", "<a>x</a>"),
        ("<a href='javascript:alert(1)'>x</a>", "<a>x</a>"),
        ("<a href=\"vbscript:msgbox(1)\">x</a>", "<a>x</a>"),
        ("<a href=\"data:text/html,<script>alert(1)</script>\">x</a>", "<a>x</a>"),
        ("<a href=\"data:image/png;base64,AAAA\">x</a>", "<a>x</a>"),
        (
            "<a href=\"https://ok\" onmouseover=\"alert(1)\" xlink:href=\"javascript:alert(1)\" formaction=\"javascript:alert(1)\">x</a>",
            "<a href=\"https://ok\">x</a>"
        ),
        ("<a href=\"https://ok\"<img src=x onerror=alert(1)>x</a>", "<a href=\"https://ok\">x</a>"),
        ("<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">", "<img>"),
        ("<img src=\" data:text/html;base64,AAAA\"><img src=\"mailto:a@b.c\">", "<img><img>"),
        ("<blockquote cite=\"javascript:alert(1)\">q</blockquote>", "<blockquote>q</blockquote>"),
        ("<svg><script>alert(1)</script></svg>ok", "ok"),
        ("<svg onload=alert(1)>never closed", ""),
        ("<math><mtext></mtext></math>ok", "ok"),
        ("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", ""),
        ("<scr<script>ipt>alert(1)</script>", "ipt>alert(1)"),
        ("<SCRIPT>alert(1)</SCRIPT>ok", "ok"),
        ("<script>alert(1)</script >ok", "ok"),
        ("<script>a</script foo=\">\">ok", "ok"),
        ("<script src=\"https://evil.example/x.js\"></script>ok", "ok"),
        ("</script><img src=x onerror=alert(1)>", "<img src=\"x\">"),
        ("<iframe src=\"https://evil.example\"></iframe>ok", "ok"),
        ("<iframe srcdoc=\"<script>alert(1)</script>\">ok", ""),
        ("<style>body{background:url(javascript:alert(1))}</style>ok", "ok"),
        ("<div style=\"background:url(javascript:alert(1))\">ok</div>", "<div>ok</div>"),
        ("<textarea><img src=x onerror=1></textarea>ok", "ok"),
        ("<title><img src=x onerror=1></title>ok", "ok"),
        ("<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">", "<img src=\"x\">\">"),
        ("<template><img src=x onerror=1></template>ok", "ok"),
        ("<select><option><img src=x onerror=1></option></select>ok", "ok"),
        ("<form action=\"javascript:alert(1)\"><button formaction=javascript:alert(1)>b</button></form>ok", "ok"),
        ("<object data=\"javascript:alert(1)\"></object><embed src=\"javascript:alert(1)\">ok", "ok"),
        ("<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\"><base href=\"javascript:/\"><link rel=import href=x>ok", "ok"),
        ("<input autofocus onfocus=alert(1)>ok", "ok"),
        ("<image src=x onerror=alert(1)>ok", "ok"),
        ("<details open ontoggle=alert(1)><summary>s</summary></details>", "<details><summary>s</summary></details>"),
        ("<x onclick=alert(1)>t</x>", "t"),
        ("<!--><img src=x onerror=alert(1)>-->", "<img src=\"x\">-->"),
        ("<!--x--!><img src=x onerror=alert(1)>-->", "<img src=\"x\">-->"),
        ("<!-- IMAGE_PROMPT: x --><img src=x onerror=alert(1)> -->", "<!-- IMAGE_PROMPT: x --><img src=\"x\"> -->"),
        ("<!-- IMAGE_PROMPT: {\"a\": \"--!><img src=x onerror=alert(1)>\"} -->", "<img src=\"x\">\"} -->"),
        ("<![CDATA[<img src=x onerror=alert(1)>]]>", "]]>"),
        ("<p title=\"a&quot; onclick=&quot;x\">t</p>", "<p title=\"a&quot; onclick=&quot;x\">t</p>"),
        ("<p title='a\" onclick=\"x'>t</p>", "<p title=\"a&quot; onclick=&quot;x\">t</p>"),
        ("<p title=\"</p><script>alert(1)</script>\">t</p>", "<p title=\"&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;\">t</p>"),
        ("<p title=\"unclosed><img src=x onerror=alert(1)>", ""),
        ("<img \"\"\"><script>alert(1)</script>\">", "<img>\">"),
        ("<<script>alert(1)</script>script>alert(1)", "&lt;script>alert(1)"),
        ("<a href=\"https://x\">a</a <img src=x onerror=alert(1)>", "<a href=\"https://x\">a</a>"),
    ]

    @Test func attacksAreDisarmed() {
        for (input, expected) in Self.attacks {
            let output = Self.clean(input)
            #expect(output == expected, "\(input)")
            let lowered = output.lowercased()
            for dangerous in ["javascript:", "vbscript:", "onerror", "onload", "<script", "<svg", "<iframe", "<style", "data:text"] {
                #expect(!lowered.contains(dangerous), "\(input) → \(output)")
            }
        }
    }

    // MARK: - Hostile input

    /// About a mebibyte of something a careless parser chokes on (quadratic rescans, deep
    /// recursion, unbounded lookahead), with what must come out of it. Built lazily, and named
    /// so that the test report does not print the input.
    struct Hostile: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let input: @Sendable () -> String
        let isExpected: @Sendable (String) -> Bool
    }

    static let mebibyte = 1 << 20

    static let hostile: [Hostile] = [
        .init(
            testDescription: "<", input: { String(repeating: "<", count: mebibyte) }, isExpected: { $0 == String(repeating: "&lt;", count: mebibyte) }
        ),
        .init(testDescription: "<a ", input: { String(repeating: "<a ", count: mebibyte / 3) }, isExpected: { $0.isEmpty }),
        .init(testDescription: "<!--", input: { String(repeating: "<!--", count: mebibyte / 4) }, isExpected: { $0.isEmpty }),
        .init(testDescription: "</", input: { String(repeating: "</", count: mebibyte / 2) }, isExpected: { $0.isEmpty }),
        .init(
            testDescription: "unclosed double quote", input: { "<p title=\"" + String(repeating: "x<img src=x onerror=1>", count: mebibyte / 22) },
            isExpected: { $0.isEmpty }),
        .init(
            testDescription: "unclosed single quote", input: { "<a title='" + String(repeating: "\"", count: mebibyte) }, isExpected: { $0.isEmpty }),
        .init(testDescription: "mismatched quotes", input: { String(repeating: "<p title=\"a' ", count: mebibyte / 13) }, isExpected: { $0.isEmpty }),
        .init(
            testDescription: "nested <div>", input: { String(repeating: "<div>", count: mebibyte / 5) },
            isExpected: { $0 == String(repeating: "<div>", count: mebibyte / 5) }),
        .init(testDescription: "<script> never closed", input: { String(repeating: "<script>", count: mebibyte / 8) }, isExpected: { $0.isEmpty }),
        .init(testDescription: "<svg><math>", input: { String(repeating: "<svg><math>", count: mebibyte / 11) }, isExpected: { $0.isEmpty }),
        .init(testDescription: "NUL", input: { String(repeating: "\u{0}", count: mebibyte) }, isExpected: { $0.isEmpty }),
        .init(
            testDescription: "NUL in tags", input: { String(repeating: "<\u{0}p>\u{0}", count: mebibyte / 5) },
            isExpected: { $0 == String(repeating: "&lt;p>", count: mebibyte / 5) }),
        .init(
            testDescription: "&# in text", input: { String(repeating: "&#", count: mebibyte / 2) },
            isExpected: { $0 == String(repeating: "&#", count: mebibyte / 2) }),
        .init(
            testDescription: "a million digits", input: { "<p title=\"&#" + String(repeating: "9", count: mebibyte) + ";\">x</p>" },
            isExpected: { $0 == "<p title=\"\u{FFFD}\">x</p>" }),
        .init(
            testDescription: "a very long reference name", input: { "<p title=\"&" + String(repeating: "a", count: mebibyte) + ";\">x</p>" },
            isExpected: { $0.hasPrefix("<p title=\"&amp;aaaa") && $0.hasSuffix("a;\">x</p>") }),
        .init(
            testDescription: "many attributes", input: { "<a " + String(repeating: "title=x ", count: mebibyte / 8) + ">x</a>" },
            isExpected: { $0 == "<a title=\"x\">x</a>" }),
        .init(testDescription: "a very long tag name", input: { "<" + String(repeating: "a", count: mebibyte) + ">x" }, isExpected: { $0 == "x" }),
        .init(
            testDescription: "invalid UTF-8",
            input: {
                String(
                    decoding: Array(
                        Array(repeating: [0xFF, 0xC0, 0x80, 0xED, 0xA0, 0x80, 0x3C, 0xF4, 0x90, 0x3E] as [UInt8], count: mebibyte / 10).joined()),
                    as: UTF8.self)
            }, isExpected: { !$0.contains("<") }),
        .init(
            testDescription: "odd scalars",
            input: { String(repeating: "\u{FEFF}\u{202E}\u{FFFE}\u{10FFFF}e\u{301}<\u{200B}p>", count: mebibyte / 24) },
            isExpected: { !$0.contains("<") && $0.contains("\u{10FFFF}") }),
    ]

    @Test(arguments: hostile) func hostileInputStaysSafe(_ hostile: Hostile) {
        let output = Self.clean(hostile.input())
        #expect(hostile.isExpected(output), "\(output.prefix(200))")
    }

    /// Random soup of tag fragments: whatever the sanitizer makes of it is stable and well-formed.
    @Test func randomMarkupSoupIsStableAndWellFormed() {
        let fragments = [
            "<", ">", "</", "/>", "<!--", "-->", "--!>", "<!", "<?", "\"", "'", "=", " ", "\t", "\n", "/", "&", "&#", "&#x", "6A", "106", ";",
            "&quot;", "&amp;", "&lt;", "&colon;", "a", "p", "img", "script", "svg", "style", "textarea", "title", "href", "src", "onerror",
            "javascript:", "data:image/png;base64,", "https://x", "IMAGE_PROMPT:", " IMAGE_PROMPT: {\"a\": 1} ", "target", "rel", "reversed",
            "\u{0}", "é", "🍞", "\u{202E}", "x", "<a ", "<p title=", "<img src=", "</script>", "</svg", "<!-- IMAGE_PROMPT: y -->",
        ]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for _ in 0..<2_000 {
            let html = (0..<(1 + next() % 40)).map { _ in fragments[next() % fragments.count] }.joined()
            _ = Self.clean(html)
        }
    }

    // MARK: - Real articles

    static let corpusFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/seo-corpus")

    /// Text as a reader sees it: comments and tags removed, and optionally the parts the
    /// sanitizer drops on purpose (`<head>`, `<script>`, `<style>`).
    static func text(_ html: String, withoutDroppedElements: Bool) -> String {
        var text = html
        if withoutDroppedElements {
            text = text.replacingOccurrences(
                of: "<(head|script|style)\\b[\\s\\S]*?</\\1\\s*>", with: "", options: [.regularExpression, .caseInsensitive])
        }
        return text.replacingOccurrences(of: "<!--[\\s\\S]*?-->", with: "", options: .regularExpression)
            .replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)
    }

    @Test func realArticlesKeepTheirText() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpusFolder.path).filter { $0.hasSuffix(".html") }.sorted()
        try #require(names.count >= 8)
        for name in names {
            let html = try String(contentsOf: Self.corpusFolder.appendingPathComponent(name), encoding: .utf8)
            let output = Self.clean(html)
            #expect(output.range(of: "<[^>]*\\son[a-z]*\\s*=", options: [.regularExpression, .caseInsensitive]) == nil, "\(name)")
            #expect(!output.lowercased().contains("javascript:"), "\(name)")
            #expect(Self.text(output, withoutDroppedElements: false) == Self.text(html, withoutDroppedElements: true), "\(name)")
        }
    }
}
