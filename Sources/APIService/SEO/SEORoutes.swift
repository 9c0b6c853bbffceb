import Core
import Foundation
import Hummingbird

/// POST /seo/analyze (also /articles/seo/analyze) and /seo/suggestions (also
/// /articles/seo/suggestions): the free, algorithmic analysis.
struct SEORoutes: TypedRouteCollection {
    let analyzer = SEOAnalyzer()
    let requiresAuth = true

    let tag = "seo"

    /// `title`, `metaDescription` and `focusKeyphrase` may be empty (the analysis then
    /// reports them missing).
    struct AnalysisRequest: RequestContent {
        var content: String
        var keywords: SEOKeywords?
        var focusKeyphrase: String?
        var title: String?
        var metaDescription: String?

        static let rules: [String: FieldRule] = [
            // As much as an article may hold.
            "content": .text(max: ArticleRoutes.maxContent, allowEmpty: true),
            "focusKeyphrase": .text(max: 10_000, allowEmpty: true), "title": .text(max: 10_000, allowEmpty: true),
            "metaDescription": .text(max: 10_000, allowEmpty: true),
        ]

        var input: SEOAnalyzer.Input {
            SEOAnalyzer.Input(
                html: content, keywords: keywords?.items ?? [], focusKeyphrase: focusKeyphrase, title: title, metaDescription: metaDescription)
        }
    }

    struct Suggestions: ResponseContent {
        var suggestions: [String]
        var overallScore: Int
        var readabilityLabel: String
    }

    func routes(_ routes: inout APIRoutes) {
        for path in ["/seo/analyze", "/articles/seo/analyze"] {
            routes.post(path, "Algorithmic SEO and readability analysis (free, deterministic)", body: AnalysisRequest.self) {
                body, _, _ -> Envelope<SEOAnalysis> in
                Envelope(SEOAnalysis(analyzer.analyze(body.input)))
            }
        }
        // geminiSeoService.js L77 (`/seo/suggestions`): the same free analysis, its
        // suggestions first; no AI is charged for what the analyzer already knows.
        for path in ["/seo/suggestions", "/articles/seo/suggestions"] {
            routes.post(path, "The analysis's suggestions with its score (free)", body: AnalysisRequest.self) {
                body, _, _ -> Envelope<Suggestions> in
                let result = analyzer.analyze(body.input)
                return Envelope(
                    Suggestions(suggestions: result.suggestions, overallScore: result.overallScore, readabilityLabel: result.readabilityLabel))
            }
        }
    }
}

/// `keywords` of an analysis: at most 50 strings of at most 200 characters, kept as sent
/// (an empty one included).
struct SEOKeywords: Decodable, Sendable, WireSchemaProviding {
    static let maxItems = 50
    static let maxLength = 200

    var items: [String]

    init(items: [String]) {
        self.items = items
    }

    init(from decoder: any Decoder) throws {
        guard case .array(let values) = try decoder.singleValueContainer().decode(JSONValue.self) else {
            throw FieldValidationError(type: "list_type", message: "keywords must be a list of strings")
        }
        let texts = values.compactMap(\.stringValue)
        guard texts.count == values.count else { throw FieldValidationError(type: "list_type", message: "keywords must be a list of strings") }
        guard texts.count <= Self.maxItems, texts.allSatisfy({ $0.count <= Self.maxLength && !$0.utf8.contains(0) }) else {
            throw FieldValidationError(message: "keywords: at most \(Self.maxItems), each at most \(Self.maxLength) characters")
        }
        items = texts
    }

    static func wireSchema(components: inout WireSchema.Components) -> JSONValue {
        ["type": "array", "maxItems": .int(maxItems), "items": ["type": "string", "maxLength": .int(maxLength), "pattern": #"^[^\u0000]*$"#]]
    }

    static var wirePlaceholder: SEOKeywords { SEOKeywords(items: []) }
}
