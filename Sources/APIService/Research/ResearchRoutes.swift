import Core
import Foundation
import Hummingbird

/// POST /research/query, GET /research/history, POST /tools/deep-research and /tools/study.
struct ResearchRoutes: APIRouteCollection {
    let service: ResearchService
    let requiresAuth = true

    var operations: [OpenAPIOperation] {
        let body = OpenAPIDocument.object([
            "query": OpenAPIDocument.string, "focus": OpenAPIDocument.string, "maxResults": ["type": "integer", "minimum": 1, "maximum": 20],
            "language": OpenAPIDocument.string, "timeRange": OpenAPIDocument.string, "context": ["oneOf": [OpenAPIDocument.string, ["type": "array", "items": ["oneOf": [OpenAPIDocument.string, OpenAPIDocument.object(["role": OpenAPIDocument.string, "content": OpenAPIDocument.string, "timestamp": [:]], required: ["content"])]]]]],
            "type": OpenAPIDocument.string,
        ], required: ["query"])
        return [
            OpenAPIOperation("POST", "/research/query", summary: "Grounded research: {id, summary, sources, citations, grounded, cached} (5 credits; a cache hit is free)",
                tag: "research", requiresAuth: true, requestBody: body),
            OpenAPIOperation("GET", "/research/history", summary: "Your research queries, newest first (paginated)", tag: "research", requiresAuth: true),
            OpenAPIOperation("POST", "/tools/deep-research", summary: "A thorough research brief: {summary, sources, tags, timestamp}", tag: "research",
                requiresAuth: true, requestBody: body),
            OpenAPIOperation("POST", "/tools/study", summary: "A study guide: {summary, sources, tags, timestamp}", tag: "research", requiresAuth: true, requestBody: body),
        ]
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("/research/query") { request, context in
            let query = try await Self.query(request, context, kind: .query)
            let answer = try await service.run(query, for: try context.requireUser(), idempotencyKey: try request.idempotencyKey())
            return Envelope.ok([
                "id": .string(answer.id.uuidString.lowercased()), "summary": .string(answer.summary), "sources": ResearchService.json(answer.sources),
                "citations": ResearchService.json(answer.citations), "grounded": .bool(answer.grounded), "cached": .bool(answer.cached),
            ])
        }
        group.get("/research/history") { request, context in
            Envelope.ok(try await service.history(userID: try context.requireUser().id, page: try PageRequest(request: request)))
        }
        for (path, kind) in [("/tools/deep-research", ResearchService.Kind.deepResearch), ("/tools/study", .study)] {
            group.post(RouterPath(path)) { request, context in
                let query = try await Self.query(request, context, kind: kind)
                let answer = try await service.run(query, for: try context.requireUser(), idempotencyKey: try request.idempotencyKey())
                return Envelope.ok([
                    "summary": .string(answer.summary), "sources": ResearchService.json(answer.sources),
                    "tags": .array(ResearchService.tags(query.text).map(JSONValue.string)), "timestamp": Envelope.date(answer.createdAt),
                ])
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
    static func context(_ value: JSONValue?, issues: inout [ValidationIssue]) -> String? {
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
            issues.append(SettingsRoutes.issue("context", "must be a string or an array of messages"))
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

    static func query(_ request: Request, _ context: AppRequestContext, kind: ResearchService.Kind) async throws -> ResearchService.Query {
        let body = try await SettingsRoutes.object(request, context)
        var issues: [ValidationIssue] = []
        func text(_ name: String, max: Int, required: Bool = false) -> String? {
            switch body[name] {
            case nil, .null?:
                if required { issues.append(SettingsRoutes.issue(name, "is required")) }
                return nil
            case .string(let value)?:
                let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
                if trimmed.isEmpty && required { issues.append(SettingsRoutes.issue(name, "must not be empty")) }
                if trimmed.count > max { issues.append(SettingsRoutes.issue(name, "must be at most \(max) characters")) }
                return trimmed.isEmpty ? nil : trimmed
            default:
                issues.append(SettingsRoutes.issue(name, "must be a string"))
                return nil
            }
        }
        var query = ResearchService.Query(text: text("query", max: 2000, required: true) ?? "", kind: kind)
        query.focus = text("focus", max: 500)
        query.timeRange = text("timeRange", max: 50)
        query.context = Self.context(body["context"], issues: &issues)
        query.type = text("type", max: 50)
        if let language = text("language", max: 10) {
            if language.allSatisfy({ $0.isLetter || $0 == "-" }) { query.language = language } else { issues.append(SettingsRoutes.issue("language", "must be a language code such as en or pt-BR")) }
        }
        switch body["maxResults"] {
        case nil, .null?: break
        case .int(let value)? where (1...20).contains(value): query.maxResults = value
        default: issues.append(SettingsRoutes.issue("maxResults", "must be an integer from 1 to 20"))
        }
        if !issues.isEmpty { throw CoreError.invalidInput(issues) }
        return query
    }
}
