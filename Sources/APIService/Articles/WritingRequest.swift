import Core
import Foundation

/// The fields the writer routes share (API.md "Writing (AI)"), read and bounded once.
/// Free-text settings (`articleType`, `tone`…) are passed to the model as given, but
/// bounded so a request cannot smuggle a novel into the prompt.
struct WritingRequest: Sendable, Equatable {
    var topic = ""
    var keywords: [String] = []
    var articleType: String?
    var language: String?
    var articleSize: String?
    var pov: String?
    var manualFocusKeyphrase: String?
    var imageStyle: String?
    var aspectRatio: String?
    var sourceContext: String?
    var category: String?
    var tone: String?
    var sectionTitle: String?
    var imageQuantity = 0
    var focusKeyphrase: String?

    static let maxTopic = 500
    static let maxSetting = 200
    static let maxKeywords = 20
    static let maxSourceContext = 20_000

    /// Reads the body; `topic` is required unless `requireTopic` is false, `sectionTitle`
    /// when `requireSection`.
    static func read(_ body: inout BodyFields, requireTopic: Bool = true, requireSection: Bool = false) -> WritingRequest {
        var request = WritingRequest()
        request.topic = body.string("topic", required: requireTopic, maxLength: maxTopic) ?? ""
        request.keywords = keywords(&body)
        request.articleType = body.string("articleType", maxLength: maxSetting, allowEmpty: true).flatMap(nonEmpty)
        request.language = body.string("language", maxLength: maxSetting, allowEmpty: true).flatMap(nonEmpty)
        request.articleSize = body.string("articleSize", maxLength: maxSetting, allowEmpty: true).flatMap(nonEmpty)
        request.pov = body.string("pov", maxLength: maxSetting, allowEmpty: true).flatMap(nonEmpty)
        request.manualFocusKeyphrase = body.string("manualFocusKeyphrase", maxLength: maxSetting, allowEmpty: true).flatMap(nonEmpty)
        request.imageStyle = body.string("imageStyle", maxLength: maxSetting, allowEmpty: true).flatMap(nonEmpty)
        request.aspectRatio = body.string("aspectRatio", maxLength: 20, allowEmpty: true).flatMap(nonEmpty)
        request.sourceContext = body.string("sourceContext", maxLength: maxSourceContext, allowEmpty: true).flatMap(nonEmpty)
        request.category = body.string("category", maxLength: maxSetting, allowEmpty: true).flatMap(nonEmpty)
        request.tone = body.string("tone", maxLength: maxSetting, allowEmpty: true).flatMap(nonEmpty)
        request.sectionTitle = body.string("sectionTitle", required: requireSection, maxLength: maxSetting)
        request.focusKeyphrase = body.string("focusKeyphrase", maxLength: maxSetting, allowEmpty: true).flatMap(nonEmpty)
        // services/geminiArticleService.js sends it as a string ("2").
        request.imageQuantity = body.int("imageQuantity", range: 0...10, numericString: true) ?? 0
        return request
    }

    private static func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }

    /// `keywords`: an array of strings, or (as some clients send) one comma-separated string.
    static func keywords(_ body: inout BodyFields) -> [String] {
        guard let value = body.value("keywords") else { return [] }
        var items: [String] = []
        switch value {
        case .array(let values):
            for value in values {
                guard case .string(let text) = value else {
                    body.fail("keywords", "list_type", "keywords must be an array of strings")
                    return []
                }
                items.append(text)
            }
        case .string(let text):
            items = text.split(separator: ",").map(String.init)
        default:
            body.fail("keywords", "list_type", "keywords must be an array of strings")
            return []
        }
        let cleaned = items.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        guard cleaned.count <= maxKeywords, cleaned.allSatisfy({ $0.count <= 100 && !$0.contains("\u{0}") }) else {
            body.fail("keywords", "too_long", "keywords must hold at most \(maxKeywords) keywords of at most 100 characters")
            return []
        }
        return cleaned
    }

    /// The focus keyphrase the writer should aim for.
    var keyphrase: String { manualFocusKeyphrase ?? focusKeyphrase ?? keywords.first ?? topic }

    /// How many sections an outline should have for `articleSize`.
    var sectionCount: Int {
        switch articleSize?.lowercased() ?? "" {
        case let size where size.contains("small") || size.contains("short"): 3
        case let size where size.contains("large") || size.contains("long"): 7
        default: 5
        }
    }

    /// The settings block every prompt carries.
    var brief: String {
        var lines = ["Topic: \(topic)"]
        if !keywords.isEmpty { lines.append("Keywords: \(keywords.joined(separator: ", "))") }
        lines.append("Focus keyphrase: \(keyphrase)")
        if let articleType { lines.append("Article type: \(articleType)") }
        lines.append("Language: \(language ?? "English")")
        if let articleSize { lines.append("Article size: \(articleSize)") }
        if let pov { lines.append("Point of view: \(pov)") }
        if let tone { lines.append("Tone: \(tone)") }
        if let category { lines.append("Category: \(category)") }
        if let sourceContext { lines.append("Source material (use facts only from here when relevant):\n\(sourceContext)") }
        return lines.joined(separator: "\n")
    }
}
