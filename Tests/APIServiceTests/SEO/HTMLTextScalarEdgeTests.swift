import Testing

@testable import APIService

/// Each place where the byte walk of `HTMLText` decodes a scalar, alone in a paragraph,
/// against the former expressions (#15 moved the walk from scalars to UTF-8).
@Suite struct HTMLTextScalarEdgeTests {
    @Test func everyEdgeAloneGivesTheFormerBlocks() {
        let pieces = [
            "<pé>x</pé>", "<h2é>", "<p٣>", "<div\u{301}>", "<p\u{301}>", "<h2\u{308}>x</h2>", "</p\u{A0}>", "<script\u{A0}>s</script\u{2003}>",
            "<scriptа>v</scriptа>",
            "<style\u{200D}>t</style>", "a\u{A0}b", "\u{2003}", "\u{3000}x", "&é;", "&#xe9;", "&#233;", "&amp\u{301};", "&nbsp\u{A0}",
            "&#x1F600;", "&#xD800;", "&éééééé;", "<!-- é -->", "<!-- -\u{2014}->",
        ]
        for piece in pieces {
            let html = "<p>a " + piece + " b</p><p>c</p>"
            let mine = HTMLText(html: html).blocks.map { "\($0.headingLevel ?? 0):\($0.text)" }
            let reference = ReferenceHTMLText(html: html).blocks.map { "\($0.headingLevel ?? 0):\($0.text)" }
            #expect(mine == reference, "\(piece.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }
}
