import Core
import Foundation
import Hummingbird

/// POST /seo/analyze (also /articles/seo/analyze): the free, algorithmic analysis.
struct SEORoutes: APIRouteCollection {
    let analyzer = SEOAnalyzer()
    let requiresAuth = true

    struct Body: Decodable {
        var content: String
        var keywords: [String]?
        var focusKeyphrase: String?
        var title: String?
        var metaDescription: String?
    }

    var operations: [OpenAPIOperation] {
        let body = OpenAPIDocument.object([
            "content": OpenAPIDocument.string, "keywords": ["type": "array", "items": OpenAPIDocument.string],
            "focusKeyphrase": OpenAPIDocument.string, "title": OpenAPIDocument.string, "metaDescription": OpenAPIDocument.string,
        ], required: ["content"])
        return ["/seo/analyze", "/articles/seo/analyze"].map {
            OpenAPIOperation("POST", $0, summary: "Algorithmic SEO and readability analysis (free, deterministic)", tag: "seo", requiresAuth: true, requestBody: body)
        } + ["/seo/suggestions", "/articles/seo/suggestions"].map {
            OpenAPIOperation("POST", $0, summary: "The analysis's suggestions with its score: {suggestions, overallScore, readabilityLabel} (free)", tag: "seo", requiresAuth: true, requestBody: body)
        }
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        for path in ["/seo/analyze", "/articles/seo/analyze", "/seo/suggestions", "/articles/seo/suggestions"] {
            let suggestionsOnly = path.hasSuffix("/suggestions")
            group.post(RouterPath(path)) { request, context in
                let body = try await request.decodeJSON(Body.self, context: context)
                let keywords = body.keywords ?? []
                guard keywords.count <= 50, keywords.allSatisfy({ $0.count <= 200 }) else {
                    throw CoreError.invalidInput([ValidationIssue(type: "value_error", path: ["keywords"], message: "keywords: at most 50, each at most 200 characters")])
                }
                let result = analyzer.analyze(.init(
                    html: body.content, keywords: keywords, focusKeyphrase: body.focusKeyphrase, title: body.title, metaDescription: body.metaDescription))
                // geminiSeoService.js L77 (`/seo/suggestions`): the same free analysis, its
                // suggestions first; no AI is charged for what the analyzer already knows.
                if suggestionsOnly {
                    return Envelope.ok([
                        "suggestions": .array(result.suggestions.map(JSONValue.string)), "overallScore": .int(result.overallScore),
                        "readabilityLabel": .string(result.readabilityLabel),
                    ])
                }
                return Envelope.ok(result.json)
            }
        }
    }
}
