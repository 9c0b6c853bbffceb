import Core
import Foundation
import Hummingbird

/// The writer's AI-assisted content tools (API.md "Writing", the reference backend's
/// `/articles/headlines|keywords|plagiarism` and `/seo/audit|meta-tags|search-intent`,
/// also under `/articles/seo/…`), and `/articles/seo/score` from the free analyzer. Each AI
/// tool is one charge through `GenerationService` with a JSON answer checked against its
/// shape (one repair attempt, else 502); the offline provider answers each shape, labelled.
struct ContentToolRoutes: APIRouteCollection {
    let generation: GenerationService
    let analyzer = SEOAnalyzer()
    let requiresAuth = true

    /// One tool: where it answers, what it costs, what it asks, and the shape it keeps.
    struct Tool: Sendable {
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

    static let tools: [Tool] = [
        Tool(
            paths: ["/articles/headlines"], feature: "seo_tool", summary: "Headline ideas: {headlines}",
            instruction: #"Suggest 8 compelling, accurate headlines (at most 70 characters each). Answer only JSON: {"headlines": [string]}."#,
            offline: ["headlines": [.string(offlineNote)]],
            shape: { value in strings(value["headlines"], limit: 20).map { ["headlines": .array($0)] } }),
        Tool(
            paths: ["/articles/keywords"], feature: "seo_tool", summary: "Keyword ideas: {keywords}",
            instruction: #"Suggest 12 search keywords or phrases people use for this topic. Answer only JSON: {"keywords": [string]}."#,
            offline: ["keywords": [.string(offlineNote)]],
            shape: { value in strings(value["keywords"], limit: 30).map { ["keywords": .array($0)] } }),
        Tool(
            paths: ["/seo/meta-tags", "/articles/seo/meta-tags"], feature: "seo_tool", summary: "Meta tags: {title, metaDescription, ogTitle, ogDescription, keywords}",
            instruction: #"Write SEO meta tags. Answer only JSON: {"title": string (≤ 60 characters), "metaDescription": string (120–160 characters), "ogTitle": string, "ogDescription": string, "keywords": [string]}."#,
            offline: ["title": .string(offlineNote), "metaDescription": .string(offlineNote), "ogTitle": .string(offlineNote), "ogDescription": .string(offlineNote), "keywords": []],
            shape: { value in
                guard let title = value["title"]?.stringValue, let description = value["metaDescription"]?.stringValue else { return nil }
                return [
                    "title": .string(String(title.prefix(120))), "metaDescription": .string(String(description.prefix(320))),
                    "ogTitle": .string(value["ogTitle"]?.stringValue ?? title), "ogDescription": .string(value["ogDescription"]?.stringValue ?? description),
                    "keywords": .array(strings(value["keywords"], limit: 20) ?? []),
                ]
            }),
        Tool(
            paths: ["/seo/search-intent", "/articles/seo/search-intent"], feature: "seo_tool", summary: "Search intent: {intent, confidence, explanation}",
            instruction: #"Classify the search intent. Answer only JSON: {"intent": "informational" | "navigational" | "commercial" | "transactional", "confidence": number from 0 to 1, "explanation": string}."#,
            offline: ["intent": "informational", "confidence": 0, "explanation": .string(offlineNote)],
            shape: { value in
                let intents = ["informational", "navigational", "commercial", "transactional"]
                guard let intent = value["intent"]?.stringValue?.lowercased(), intents.contains(intent) else { return nil }
                let confidence: Double
                switch value["confidence"] {
                case .double(let number)?: confidence = min(1, max(0, number))
                case .int(let number)?: confidence = min(1, max(0, Double(number)))
                default: confidence = 0
                }
                return ["intent": .string(intent), "confidence": .double(confidence), "explanation": .string(value["explanation"]?.stringValue ?? "")]
            }),
        Tool(
            paths: ["/seo/audit", "/articles/seo/audit"], feature: "seo_audit", summary: "AI SEO audit (PRO): {score, summary, issues, recommendations}",
            instruction: #"Audit this article's SEO. Answer only JSON: {"score": integer 0–100, "summary": string, "issues": [{"severity": "high" | "medium" | "low", "message": string}], "recommendations": [string]}."#,
            offline: ["score": 0, "summary": .string(offlineNote), "issues": [], "recommendations": []],
            shape: { value in
                guard let score = value["score"]?.integer else { return nil }
                let issues: [JSONValue] = (value["issues"]?.arrayItems ?? []).prefix(30).compactMap { issue in
                    guard let message = issue["message"]?.stringValue else { return nil }
                    let severity = issue["severity"]?.stringValue.flatMap { ["high", "medium", "low"].contains($0) ? $0 : nil } ?? "medium"
                    return ["severity": .string(severity), "message": .string(String(message.prefix(500)))]
                }
                return [
                    "score": .int(min(100, max(0, score))), "summary": .string(value["summary"]?.stringValue ?? ""), "issues": .array(issues),
                    "recommendations": .array(strings(value["recommendations"], limit: 30) ?? []),
                ]
            }),
        Tool(
            paths: ["/articles/plagiarism"], feature: "plagiarism", summary: "Originality check: {checked, originalityScore, matches, summary}",
            instruction: #"Check whether passages of this text appear to be copied from published sources. Answer only JSON: {"originalityScore": integer 0–100 or null when you cannot tell, "matches": [{"text": string, "source": string}], "summary": string}. Report only matches you are confident of; never invent sources."#,
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
            }),
    ]

    var operations: [OpenAPIOperation] {
        let body = OpenAPIDocument.object(
            ["content": OpenAPIDocument.string, "topic": OpenAPIDocument.string, "keywords": ["type": "array", "items": OpenAPIDocument.string],
             "focusKeyphrase": OpenAPIDocument.string, "title": OpenAPIDocument.string], required: [])
        return Self.tools.flatMap { tool in
            tool.paths.map { OpenAPIOperation("POST", $0, summary: tool.summary, tag: "seo", requiresAuth: true, requestBody: body) }
        } + [OpenAPIOperation("POST", "/articles/seo/score", summary: "The free analysis's score: {score, readabilityLabel, wordCount}", tag: "seo", requiresAuth: true, requestBody: body)]
    }

    /// What the tools read: the text (or a topic), keywords, and the keyphrase and title.
    struct Material: Sendable {
        var text: String
        var keywords: [String]
        var focusKeyphrase: String?
        var title: String?
    }

    static func material(_ request: Request, _ context: AppRequestContext) async throws -> Material {
        var body = try await BodyFields.read(request, context: context)
        let content = body.string("content", maxLength: 200_000, allowEmpty: true)
        let topic = body.string("topic", maxLength: 500, allowEmpty: true)
        let keyword = body.string("keyword", maxLength: 200, allowEmpty: true)
        let keywords = WritingRequest.keywords(&body)
        let focus = body.string("focusKeyphrase", maxLength: 200, allowEmpty: true)
        let title = body.string("title", maxLength: 300, allowEmpty: true)
        try body.check()
        let text = [content, topic, keyword].compactMap { $0 }.first { !$0.isEmpty } ?? ""
        guard !text.isEmpty else { throw CoreError.invalidInput([SettingsRoutes.issue("content", "content or topic is required")]) }
        return Material(text: text, keywords: keywords, focusKeyphrase: focus.flatMap { $0.isEmpty ? nil : $0 }, title: title.flatMap { $0.isEmpty ? nil : $0 })
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        for tool in Self.tools {
            for path in tool.paths {
                group.post(RouterPath(path)) { request, context in
                    let material = try await Self.material(request, context)
                    var lines = [tool.instruction, ""]
                    if let title = material.title { lines.append("Title: \(title)") }
                    if let focus = material.focusKeyphrase { lines.append("Focus keyphrase: \(focus)") }
                    if !material.keywords.isEmpty { lines.append("Keywords: \(material.keywords.joined(separator: ", "))") }
                    lines += ["Text:", String(HTMLText.collapse(material.text).prefix(20_000))]
                    var job = GenerationService.Job(
                        feature: tool.feature, tool: tool.feature, request: AIRequest(prompt: lines.joined(separator: "\n")),
                        idempotencyKey: try request.idempotencyKey())
                    job.request.offlineAnswer = tool.offline.encodedString
                    job.request.grounded = tool.feature == "plagiarism"
                    let (output, value) = try await generation.generateJSON(for: try context.requireUser(), job, validate: tool.shape)
                    guard case .object(var data) = value else { throw CoreError.aiProvider("The AI answer was not valid") }
                    data["provider"] = .string(output.provider.rawValue)
                    if tool.feature == "plagiarism" {
                        // Checked means a provider looked; the offline stand-in did not.
                        data["checked"] = .bool(output.provider != .offline)
                        data["sources"] = .array((output.grounding?.sources ?? []).map { ["title": .string($0.title), "url": .string($0.uri)] })
                    }
                    return Envelope.ok(.object(data))
                }
            }
        }
        group.post("/articles/seo/score") { request, context in
            let material = try await Self.material(request, context)
            let result = analyzer.analyze(.init(html: material.text, keywords: material.keywords, focusKeyphrase: material.focusKeyphrase, title: material.title))
            return Envelope.ok(["score": .int(result.overallScore), "readabilityLabel": .string(result.readabilityLabel), "wordCount": .int(result.wordCount)])
        }
    }
}
