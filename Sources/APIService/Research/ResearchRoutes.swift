import Core
import Foundation
import Hummingbird

/// POST /research/query, GET /research/history, POST /tools/deep-research and /tools/study.
struct ResearchRoutes: TypedRouteCollection {
    let service: ResearchService
    let requiresAuth = true

    let tag = "research"

    /// The body of every research route. `context` is the AI assistant's chat history
    /// (features/ai-assistant/AIAssistant.js): a string, or an array of strings or of
    /// `{role, content, timestamp}` turns; it is shortened, never refused.
    struct QueryRequest: RequestContent {
        var query: String
        var focus: String?
        var maxResults: Int?
        var language: String?
        var timeRange: String?
        var context: Conversation?
        var type: String?

        static let rules: [String: FieldRule] = [
            "query": .text(max: 2_000), "focus": .text(max: 500, allowEmpty: true), "maxResults": .integer(1...20),
            "language": .text(max: 10, pattern: "^[A-Za-z-]*$", message: "must be a language code such as en or pt-BR"),
            "timeRange": .text(max: 50, allowEmpty: true),
            "type": .text(max: 50, allowEmpty: true),
        ]

        func validate(_ issues: inout [ValidationIssue]) {
        }

        func query(kind: ResearchService.Kind) -> ResearchService.Query {
            func nonEmpty(_ text: String?) -> String? { text.flatMap { $0.isEmpty ? nil : $0 } }
            var query = ResearchService.Query(text: self.query, kind: kind)
            query.focus = nonEmpty(focus)
            query.timeRange = nonEmpty(timeRange)
            query.type = nonEmpty(type)
            query.context = ResearchRoutes.context(context?.value)
            if let language = nonEmpty(language) { query.language = language }
            if let maxResults { query.maxResults = maxResults }
            return query
        }
    }

    struct Answer: ResponseContent {
        var id: UUID
        var summary: String
        var sources: [ResearchService.SourceView]
        var citations: [ResearchService.CitationView]
        var grounded: Bool
        var cached: Bool
    }

    struct Brief: ResponseContent {
        var summary: String
        var sources: [ResearchService.SourceView]
        var tags: [String]
        var timestamp: Date
    }

    static let generationErrors = [402, 403, 409, 502, 503]

    func routes(_ routes: inout APIRoutes) {
        routes.post(
            "/research/query", "Grounded research (5 credits; a cache hit is free)", body: QueryRequest.self, errors: Self.generationErrors
        ) { body, request, context -> Envelope<Answer> in
            let answer = try await service.run(body.query(kind: .query), for: try context.requireUser(), idempotencyKey: try request.idempotencyKey())
            return Envelope(
                Answer(
                    id: answer.id, summary: answer.summary, sources: answer.sources.map(ResearchService.SourceView.init),
                    citations: answer.citations.map(ResearchService.CitationView.init), grounded: answer.grounded, cached: answer.cached))
        }
        routes.get("/research/history", "Your research queries, newest first", query: PageRequest.parameters) {
            request, context -> Envelope<Page<ResearchService.HistoryItem>> in
            Envelope(try await service.history(userID: try context.requireUser().id, page: try PageRequest(request: request)))
        }
        for (path, kind, summary) in [
            ("/tools/deep-research", ResearchService.Kind.deepResearch, "A thorough research brief"), ("/tools/study", .study, "A study guide"),
        ] {
            routes.post(path, summary, body: QueryRequest.self, errors: Self.generationErrors) { body, request, context -> Envelope<Brief> in
                let query = body.query(kind: kind)
                let answer = try await service.run(query, for: try context.requireUser(), idempotencyKey: try request.idempotencyKey())
                return Envelope(
                    Brief(
                        summary: answer.summary, sources: answer.sources.map(ResearchService.SourceView.init), tags: ResearchService.tags(query.text),
                        timestamp: answer.createdAt))
            }
        }
    }

    /// Characters of conversation kept for the prompt: the newest turns that fit.
    static let contextBudget = 8_000
    /// More turns than this are not even looked at (the newest ones are kept).
    static let maximumTurns = 200

    /// `context` as the AI assistant sends it (features/ai-assistant/AIAssistant.js): its
    /// chat history, an array of `{role, content, timestamp}` (or of strings), or a plain
    /// string. The newest turns are kept within `contextBudget`; a long history is never
    /// refused, only shortened from its oldest end.
    static func context(_ value: JSONValue?) -> String? {
        var turns: [String]
        switch value {
        case nil, .null?:
            return nil
        case .string(let text)?:
            turns = [text]
        case .array(let items)?:
            turns = []
            for item in items.suffix(maximumTurns) {
                switch item {
                case .string(let text):
                    turns.append(text)
                case .object(let turn):
                    guard case .string(let content)? = turn["content"] else { continue }
                    let role = turn["role"]?.stringValue.map { $0.prefix(20).trimmingCharacters(in: .whitespaces) } ?? ""
                    turns.append(role.isEmpty ? content : "\(role): \(content)")
                default:
                    continue
                }
            }
        default:
            return nil
        }
        var kept: [String] = []
        var used = 0
        for turn in turns.reversed() {
            let text = turn.replacingOccurrences(of: "\u{0}", with: "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { continue }
            if used + text.count > contextBudget {
                // The newest turn alone may be long: keep its end, which is the latest part.
                if kept.isEmpty { kept.append(String(text.suffix(contextBudget))) }
                break
            }
            kept.append(text)
            used += text.count + 1
        }
        return kept.isEmpty ? nil : kept.reversed().joined(separator: "\n")
    }
}

/// `context` as the AI assistant sends it: its chat history, an array of
/// `{role, content, timestamp}` turns (or of strings), or a plain string; at most 1 MB.
/// Items that hold no text are skipped, so any list is taken.
struct Conversation: Decodable, Sendable, WireSchemaProviding {
    var value: JSONValue

    init(value: JSONValue) {
        self.value = value
    }

    init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer().decode(JSONValue.self)
        switch value {
        case .string, .array: self.value = value
        default: throw FieldValidationError(message: "context must be a string or an array of messages")
        }
        guard value.encodedString.utf8.count <= 1_000_000 else {
            throw FieldValidationError(type: "too_long", message: "context must be at most 1000000 bytes")
        }
    }

    static func wireSchema(components: inout WireSchema.Components) -> JSONValue {
        [
            "anyOf": [
                ["type": "string", "pattern": #"^[^\u0000]*$"#],
                [
                    "type": "array",
                    "items": [
                        "anyOf": [
                            ["type": "string"], ["type": "object", "properties": ["role": ["type": "string"], "content": ["type": "string"]]], [:],
                        ]
                    ],
                ],
            ],
            "description": "The conversation so far: a string, or turns as strings or {role, content, timestamp}",
        ]
    }

    static var wirePlaceholder: Conversation { Conversation(value: "") }
}
