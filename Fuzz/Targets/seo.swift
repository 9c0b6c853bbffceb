// The SEO analyzer on any text (as HTML, and the same bytes as keyphrase): it must finish
// within libFuzzer's per-input time budget, and every figure must stay in its range.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSEO(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let split = text.firstIndex(of: "\u{0}") ?? text.endIndex
    let result = SEOAnalyzer().analyze(.init(html: String(text[split...]), focusKeyphrase: String(text[..<split]), title: nil))
    for percentage in [result.passiveVoicePercentage, result.longSentencePercentage] where !(0...100).contains(percentage) {
        fatalError("percentage out of range: \(percentage)")
    }
    if result.wordCount < 0 || !(0...100).contains(result.overallScore) { fatalError("figure out of range") }
    return 0
}
