import Core
import Foundation
import Hummingbird

/// The writer's AI-assisted content tools (API.md "Writing", the reference backend's
/// `/articles/headlines|keywords|plagiarism` and `/seo/audit|meta-tags|search-intent`,
/// also under `/articles/seo/…`), and `/articles/seo/score` from the free analyzer. Each AI
/// tool is one charge through `GenerationService` with a JSON answer checked against its
/// shape (one repair attempt, else 502); the offline provider answers each shape, labelled.
struct ContentToolRoutes: TypedRouteCollection {
    let generation: GenerationService
    let analyzer = SEOAnalyzer()
    let requiresAuth = true

    let tag = "seo"

    /// One tool: where it answers, what it costs, what it asks, and the shape it keeps.
    /// `shape` normalises the model's JSON into `Answer`'s fields (all but those the route
    /// adds: `provider`, and for plagiarism `checked` and `sources`), or refuses it.
    struct Tool<Answer: ResponseContent>: Sendable {
        var paths: [String]
        var feature: String
        var summary: String
        var instruction: String
        var offline: JSONValue
        var shape: @Sendable (JSONValue) -> JSONValue?
    }

    static func strings(_ value: JSONValue?, limit: Int) -> [JSONValue]? {
        guard let items = value?.arrayItems else { return nil }
        return items.compactMap { $0.stringValue.map { JSONValue.string(String($0.prefix(300))) } }.prefix(limit).map { $0 }
    }

    static let offlineNote = "[offline] No AI provider is configured."

    // MARK: answers

    struct Headlines: ResponseContent {
        var headlines: [String]
        var provider: String
    }

    struct Keywords: ResponseContent {
        var keywords: [String]
        var provider: String
    }

    struct MetaTags: ResponseContent {
        var title: String
        var metaDescription: String
        var ogTitle: String
        var ogDescription: String
        var keywords: [String]
        var provider: String
    }

    struct SearchIntent: ResponseContent {
        enum Intent: String, WireEnum {
            case informational, navigational, commercial, transactional
        }

        var intent: Intent
        /// 0 to 1.
        var confidence: Double
        var explanation: String
        var provider: String
    }

    struct Audit: ResponseContent {
        struct Issue: ResponseContent {
            enum Severity: String, WireEnum {
                case high, medium, low
            }

            var severity: Severity
            var message: String
        }

        /// 0 to 100.
        var score: Int
        var summary: String
        var issues: [Issue]
        var recommendations: [String]
        var provider: String
    }

    struct Plagiarism: ResponseContent {
        struct Match: ResponseContent {
            var text: String
            var source: String
        }

        struct Source: ResponseContent {
            var title: String
            var url: String
        }

        /// 0 to 100; null when the model could not tell (or nothing was checked).
        var originalityScore: Int?
        var matches: [Match]
        var summary: String
        var provider: String
        /// Whether a provider looked; the offline stand-in does not.
        var checked: Bool
        /// The pages the grounded search consulted.
        var sources: [Source]
    }

    struct Score: ResponseContent {
        var score: Int
        var readabilityLabel: String
        var wordCount: Int
    }

    // MARK: tools

    static let headlines = Tool<Headlines>(
        paths: ["/articles/headlines"], feature: "seo_tool", summary: "Headline ideas",
        instruction: #"Suggest 8 compelling, accurate headlines (at most 70 characters each). Answer only JSON: {"headlines": [string]}."#,
        offline: ["headlines": [.string(offlineNote)]],
        shape: { value in strings(value["headlines"], limit: 20).map { ["headlines": .array($0)] } })

    static let keywords = Tool<Keywords>(
        paths: ["/articles/keywords"], feature: "seo_tool", summary: "Keyword ideas",
        instruction: #"Suggest 12 search keywords or phrases people use for this topic. Answer only JSON: {"keywords": [string]}."#,
        offline: ["keywords": [.string(offlineNote)]],
        shape: { value in strings(value["keywords"], limit: 30).map { ["keywords": .array($0)] } })

    static let metaTags = Tool<MetaTags>(
        paths: ["/seo/meta-tags", "/articles/seo/meta-tags"], feature: "seo_tool", summary: "Meta tags: title, description, Open Graph, keywords",
        instruction:
            #"Write SEO meta tags. Answer only JSON: {"title": string (≤ 60 characters), "metaDescription": string (120–160 characters), "ogTitle": string, "ogDescription": string, "keywords": [string]}."#,
        offline: [
            "title": .string(offlineNote), "metaDescription": .string(offlineNote), "ogTitle": .string(offlineNote),
            "ogDescription": .string(offlineNote), "keywords": [],
        ],
        shape: { value in
            guard let title = value["title"]?.stringValue, let description = value["metaDescription"]?.stringValue else { return nil }
            return [
                "title": .string(String(title.prefix(120))), "metaDescription": .string(String(description.prefix(320))),
                "ogTitle": .string(value["ogTitle"]?.stringValue ?? title),
                "ogDescription": .string(value["ogDescription"]?.stringValue ?? description),
                "keywords": .array(strings(value["keywords"], limit: 20) ?? []),
            ]
        })

    static let searchIntent = Tool<SearchIntent>(
        paths: ["/seo/search-intent", "/articles/seo/search-intent"], feature: "seo_tool",
        summary: "Search intent, with a confidence and an explanation",
        instruction:
            #"Classify the search intent. Answer only JSON: {"intent": "informational" | "navigational" | "commercial" | "transactional", "confidence": number from 0 to 1, "explanation": string}."#,
        offline: ["intent": "informational", "confidence": 0, "explanation": .string(offlineNote)],
        shape: { value in
            guard let intent = value["intent"]?.stringValue?.lowercased(), SearchIntent.Intent(rawValue: intent) != nil else { return nil }
            let confidence: Double
            switch value["confidence"] {
            case .double(let number)?: confidence = min(1, max(0, number))
            case .int(let number)?: confidence = min(1, max(0, Double(number)))
            default: confidence = 0
            }
            return ["intent": .string(intent), "confidence": .double(confidence), "explanation": .string(value["explanation"]?.stringValue ?? "")]
        })

    static let audit = Tool<Audit>(
        paths: ["/seo/audit", "/articles/seo/audit"], feature: "seo_audit", summary: "AI SEO audit (PRO): score, summary, issues, recommendations",
        instruction:
            #"Audit this article's SEO. Answer only JSON: {"score": integer 0–100, "summary": string, "issues": [{"severity": "high" | "medium" | "low", "message": string}], "recommendations": [string]}."#,
        offline: ["score": 0, "summary": .string(offlineNote), "issues": [], "recommendations": []],
        shape: { value in
            guard let score = value["score"]?.integer else { return nil }
            let issues: [JSONValue] = (value["issues"]?.arrayItems ?? []).prefix(30).compactMap { issue in
                guard let message = issue["message"]?.stringValue else { return nil }
                let severity = issue["severity"]?.stringValue.flatMap { Audit.Issue.Severity(rawValue: $0)?.rawValue } ?? "medium"
                return ["severity": .string(severity), "message": .string(String(message.prefix(500)))]
            }
            return [
                "score": .int(min(100, max(0, score))), "summary": .string(value["summary"]?.stringValue ?? ""), "issues": .array(issues),
                "recommendations": .array(strings(value["recommendations"], limit: 30) ?? []),
            ]
        })

    static let plagiarism = Tool<Plagiarism>(
        paths: ["/articles/plagiarism"], feature: "plagiarism", summary: "Originality check, grounded in a web search",
        instruction:
            #"Check whether passages of this text appear to be copied from published sources. Answer only JSON: {"originalityScore": integer 0–100 or null when you cannot tell, "matches": [{"text": string, "source": string}], "summary": string}. Report only matches you are confident of; never invent sources."#,
        offline: ["originalityScore": .null, "matches": [], "summary": .string(offlineNote + " The text was not checked.")],
        shape: { value in
            guard value["matches"] != nil || value["originalityScore"] != nil else { return nil }
            let matches: [JSONValue] = (value["matches"]?.arrayItems ?? []).prefix(20).compactMap { match in
                guard let text = match["text"]?.stringValue else { return nil }
                return ["text": .string(String(text.prefix(500))), "source": .string(match["source"]?.stringValue ?? "")]
            }
            return [
                "originalityScore": value["originalityScore"]?.integer.map { .int(min(100, max(0, $0))) } ?? .null, "matches": .array(matches),
                "summary": .string(value["summary"]?.stringValue ?? ""),
            ]
        })

    // MARK: requests

    /// What the tools read: the text (`content`, else `topic`, else `keyword`), keywords,
    /// and the keyphrase and title.
    struct Material: RequestContent {
        var content: String?
        var topic: String?
        var keyword: String?
        var keywords: KeywordList?
        var focusKeyphrase: String?
        var title: String?

        static let rules: [String: FieldRule] = [
            "content": .text(max: 200_000, allowEmpty: true), "topic": .text(max: 500, allowEmpty: true),
            "keyword": .text(max: 200, allowEmpty: true), "focusKeyphrase": .text(max: 200, allowEmpty: true),
            "title": .text(max: 300, allowEmpty: true),
        ]

        func validate(_ issues: inout [ValidationIssue]) {
            if text.isEmpty { issues.append(ValidationIssue(type: "value_error", path: ["content"], message: "content or topic is required")) }
        }

        static let schemaConstraints: [String: JSONValue] = [
            "anyOf": .array(
                ["content", "topic", "keyword"].map { name in
                    ["required": [.string(name)], "properties": [name: ["type": "string", "pattern": #"[^\s\u0000]"#]]]
                })
        ]

        var text: String { [content, topic, keyword].compactMap { $0 }.first { !$0.isEmpty } ?? "" }
        var keyphrase: String? { focusKeyphrase.flatMap { $0.isEmpty ? nil : $0 } }
        var heading: String? { title.flatMap { $0.isEmpty ? nil : $0 } }
    }

    /// Credits, quota and plan, a repeated `Idempotency-Key` with another body, the
    /// generation rate limit, and provider failures.
    static let generationErrors = [402, 403, 409, 502, 503]

    static let idempotencyKey = OpenAPIOperation.header(
        "Idempotency-Key", ["type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"],
        description: "A repeat answers the first result, charged once")

    func routes(_ routes: inout APIRoutes) {
        add(Self.headlines, to: &routes)
        add(Self.keywords, to: &routes)
        add(Self.metaTags, to: &routes)
        add(Self.searchIntent, to: &routes)
        add(Self.audit, to: &routes)
        add(Self.plagiarism, to: &routes)
        routes.post("/articles/seo/score", "The free analysis's score", body: Material.self) { body, _, _ -> Envelope<Score> in
            let result = analyzer.analyze(
                .init(html: body.text, keywords: body.keywords?.items ?? [], focusKeyphrase: body.keyphrase, title: body.heading))
            return Envelope(Score(score: result.overallScore, readabilityLabel: result.readabilityLabel, wordCount: result.wordCount))
        }
    }

    private func add<Answer: ResponseContent>(_ tool: Tool<Answer>, to routes: inout APIRoutes) {
        for path in tool.paths {
            routes.post(
                path, "\(tool.summary) (credits: \(tool.feature))", body: Material.self, query: [Self.idempotencyKey], errors: Self.generationErrors
            ) {
                body, request, context -> Envelope<Answer> in
                Envelope(try await run(tool, body, request: request, context: context))
            }
        }
    }

    private func run<Answer: ResponseContent>(
        _ tool: Tool<Answer>, _ material: Material, request: Request, context: AppRequestContext
    ) async throws -> Answer {
        var lines = [tool.instruction, ""]
        if let title = material.heading { lines.append("Title: \(title)") }
        if let focus = material.keyphrase { lines.append("Focus keyphrase: \(focus)") }
        let keywords = material.keywords?.items ?? []
        if !keywords.isEmpty { lines.append("Keywords: \(keywords.joined(separator: ", "))") }
        lines += ["Text:", String(HTMLText.collapse(material.text).prefix(20_000))]
        var job = GenerationService.Job(
            feature: tool.feature, tool: tool.feature, request: AIRequest(prompt: lines.joined(separator: "\n")),
            idempotencyKey: try request.idempotencyKey())
        // The tools share one feature and usage name; a key is still one tool's.
        job.keyScope = tool.paths[0]
        job.request.offlineAnswer = tool.offline.encodedString
        job.request.grounded = tool.feature == "plagiarism"
        let (output, value) = try await generation.generateJSON(for: try context.requireUser(), job, validate: tool.shape)
        guard case .object(var data) = value else { throw CoreError.aiProvider("The AI answer was not valid") }
        data["provider"] = .string(output.provider.rawValue)
        if tool.feature == "plagiarism" {
            data["checked"] = .bool(output.provider != .offline)
            data["sources"] = .array((output.grounding?.sources ?? []).map { ["title": .string($0.title), "url": .string($0.uri)] })
        }
        // `shape` wrote `Answer`'s fields; a mismatch is a bug here, not the provider's.
        return try JSONValue.object(data).decoded(as: Answer.self)
    }
}
