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

/// The writer settings every writer body carries besides its required field; decoded
/// from the same object as that field (flattened), so each body lists them once.
struct WritingSettings: Decodable, Sendable {
    var keywords: KeywordList?
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
    var focusKeyphrase: String?
    /// services/geminiArticleService.js sends it as a string ("2"); the decoder takes both.
    var imageQuantity: Int?

    static let rules: [String: FieldRule] = {
        var rules: [String: FieldRule] = [:]
        for name in ["articleType", "language", "articleSize", "pov", "manualFocusKeyphrase", "imageStyle", "category", "tone", "focusKeyphrase"] {
            rules[name] = .text(max: WritingRequest.maxSetting, allowEmpty: true)
        }
        rules["aspectRatio"] = .text(max: 20, allowEmpty: true)
        rules["sourceContext"] = .text(max: WritingRequest.maxSourceContext, allowEmpty: true)
        rules["imageQuantity"] = .integer(0...10, fromString: true)
        return rules
    }()

    /// The request these settings and `topic` (and `sectionTitle`) make.
    func request(topic: String, sectionTitle: String? = nil) -> WritingRequest {
        func nonEmpty(_ text: String?) -> String? { text.flatMap { $0.isEmpty ? nil : $0 } }
        var request = WritingRequest()
        request.topic = topic
        request.keywords = keywords?.items ?? []
        request.articleType = nonEmpty(articleType)
        request.language = nonEmpty(language)
        request.articleSize = nonEmpty(articleSize)
        request.pov = nonEmpty(pov)
        request.manualFocusKeyphrase = nonEmpty(manualFocusKeyphrase)
        request.imageStyle = nonEmpty(imageStyle)
        request.aspectRatio = nonEmpty(aspectRatio)
        request.sourceContext = nonEmpty(sourceContext)
        request.category = nonEmpty(category)
        request.tone = nonEmpty(tone)
        request.sectionTitle = sectionTitle
        request.focusKeyphrase = nonEmpty(focusKeyphrase)
        request.imageQuantity = imageQuantity ?? 0
        return request
    }
}

/// `keywords`: an array of strings, or (as some clients send) one comma-separated string;
/// at most 20 keywords of at most 100 characters, blanks dropped.
struct KeywordList: Decodable, Sendable, WireSchemaProviding {
    var items: [String]

    init(items: [String]) {
        self.items = items
    }

    init(from decoder: any Decoder) throws {
        try self.init(json: try decoder.singleValueContainer().decode(JSONValue.self))
    }

    init(json: JSONValue) throws {
        let problem = FieldValidationError(
            type: "list_type", message: "keywords must hold at most \(WritingRequest.maxKeywords) keywords of at most 100 characters")
        let raw: [String]
        switch json {
        case .array(let values):
            raw = try values.map { value in
                guard case .string(let text) = value else {
                    throw FieldValidationError(type: "list_type", message: "keywords must be an array of strings")
                }
                return text
            }
        case .string(let text):
            raw = text.split(separator: ",").map(String.init)
        default:
            throw FieldValidationError(type: "list_type", message: "keywords must be an array of strings")
        }
        let cleaned = raw.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        guard cleaned.count <= WritingRequest.maxKeywords, cleaned.allSatisfy({ $0.count <= 100 && !$0.contains("\u{0}") }) else { throw problem }
        items = cleaned
    }

    static func wireSchema(components: inout WireSchema.Components) -> JSONValue {
        [
            "anyOf": [
                [
                    "type": "array", "maxItems": .int(WritingRequest.maxKeywords),
                    "items": ["type": "string", "maxLength": 100, "pattern": #"^[^\u0000]*$"#],
                ],
                // At most 20 comma-separated keywords of at most 100 characters.
                ["type": "string", "maxLength": 2_019, "pattern": #"^[^,\u0000]{0,100}(,[^,\u0000]{0,100}){0,19}$"#],
            ],
            "description": "An array of keywords, or one comma-separated string",
        ]
    }

    static var wirePlaceholder: KeywordList { KeywordList(items: []) }
}
