import Core
import Foundation
import Hummingbird

/// The AI assistant's other tools, in the shapes `features/ai-assistant/AIAssistant.js`
/// reads: POST /tools/shopping-research (L493-527, ComparisonCard.js), /tools/notebook
/// (L530-584), /tools/canvas (L402-453) and multipart /tools/upload (L313-399). Each
/// generation is one `research` charge (the assistant's family) through
/// `GenerationService`, or an `image` charge for the canvas; the offline provider answers
/// each in its shape, labelled.
struct AssistantToolRoutes: APIRouteCollection {
    let generation: GenerationService
    let media: MediaService
    let requiresAuth = true

    var operations: [OpenAPIOperation] {
        let body = OpenAPIDocument.object(["query": OpenAPIDocument.string, "tool": OpenAPIDocument.string, "context": [:]], required: ["query"])
        return [
            OpenAPIOperation("POST", "/tools/shopping-research", summary: "Products compared: {results, tags, timestamp}", tag: "research", requiresAuth: true, requestBody: body),
            OpenAPIOperation("POST", "/tools/notebook", summary: "A note drafted from the query: {noteId, noteTitle, content, lastSavedAt}", tag: "research", requiresAuth: true, requestBody: body),
            OpenAPIOperation("POST", "/tools/canvas", summary: "An image for the canvas: {canvasId, canvasData, preview}", tag: "research", requiresAuth: true, requestBody: body),
            OpenAPIOperation("POST", "/tools/upload", summary: "Files for the assistant (multipart `files`): {fileUrl, files}", tag: "research", requiresAuth: true),
        ]
    }

    struct Ask: Sendable {
        var query: String
        var context: String?
    }

    static func ask(_ request: Request, _ context: AppRequestContext) async throws -> Ask {
        let body = try await SettingsRoutes.object(request, context)
        var issues: [ValidationIssue] = []
        guard case .string(let raw)? = body["query"], !raw.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw CoreError.invalidInput([SettingsRoutes.issue("query", "is required")])
        }
        let query = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if query.count > 2_000 { issues.append(SettingsRoutes.issue("query", "must be at most 2000 characters")) }
        let history = ResearchRoutes.context(body["context"], issues: &issues)
        if !issues.isEmpty { throw CoreError.invalidInput(issues) }
        return Ask(query: query, context: history)
    }

    static func prompt(_ task: String, _ ask: Ask) -> String {
        var lines = [task, "", "Request: \(ask.query)"]
        if let context = ask.context { lines += ["", "Conversation so far:", context] }
        return lines.joined(separator: "\n")
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("/tools/shopping-research") { request, context in
            let ask = try await Self.ask(request, context)
            var job = GenerationService.Job(
                feature: "research", tool: "shopping_research",
                request: AIRequest(
                    prompt: Self.prompt(
                        """
                        Compare up to 6 products that fit the request. Answer only JSON: {"results": [{"title": string, "price": string or null, \
                        "rating": number from 0 to 5 or null, "source": {"name": string, "url": string or null}, "specs": [string], \
                        "availability": "in stock" | "pre-order" | "backorder" | "out of stock" | "unknown"}]}. Never invent prices or ratings you do not know: use null.
                        """, ask)),
                idempotencyKey: try request.idempotencyKey())
            job.request.offlineAnswer = JSONValue.object([
                "results": [["title": .string("[offline] No AI provider is configured: no products for “\(ask.query.prefix(80))”"), "price": .null, "rating": .null,
                             "source": ["name": "offline", "url": .null], "specs": [], "availability": "unknown"]],
            ]).encodedString
            let (_, value) = try await generation.generateJSON(for: try context.requireUser(), job, validate: Self.products)
            return Envelope.ok(["results": value, "tags": ["shopping"], "timestamp": Envelope.date(Date())])
        }
        group.post("/tools/notebook") { request, context in
            let ask = try await Self.ask(request, context)
            var job = GenerationService.Job(
                feature: "research", tool: "notebook",
                request: AIRequest(prompt: Self.prompt("Write a concise, well-structured note (Markdown) for this request.", ask)),
                idempotencyKey: try request.idempotencyKey())
            job.request.offlineAnswer = "[offline] No AI provider is configured. Note for: \(ask.query.prefix(200))"
            let output = try await generation.generate(for: try context.requireUser(), job)
            // Notes are not stored server-side: the assistant keeps them in the conversation.
            return Envelope.ok([
                "noteId": .string(UUID().uuidString.lowercased()), "noteTitle": .string(String(ask.query.prefix(50))),
                "content": .string(output.text), "lastSavedAt": Envelope.date(Date()), "provider": .string(output.provider.rawValue),
            ])
        }
        group.post("/tools/canvas") { request, context in
            let ask = try await Self.ask(request, context)
            let result = try await media.generate(
                for: try context.requireUser(), feature: "image", type: "IMAGE", prompt: ask.query,
                task: .image(prompt: ask.query, aspectRatio: "16:9"), idempotencyKey: try request.idempotencyKey())
            let mime = result.asset.mimeType ?? "image/png"
            return Envelope.ok([
                "canvasId": .string(result.asset.id.uuidString.lowercased()),
                "canvasData": .string("data:\(mime);base64," + Data(result.bytes).base64EncodedString()),
                "preview": .string(media.urls.url(for: result.asset.id)),
            ])
        }
        group.post("/tools/upload") { request, context in
            let user = try context.requireUser()
            let parts = try await MediaService.multipartParts(request, context: context)
                .filter { ($0.name == "files" || $0.name == "file") && !$0.body.isEmpty }
            guard !parts.isEmpty else { throw CoreError.invalidInput([SettingsRoutes.issue("files", "at least one file is required")]) }
            var files: [JSONValue] = []
            for part in parts.prefix(10) {
                var file = try await media.storeUpload(part, userID: user.id)
                file["name"] = part.filename.map(JSONValue.string) ?? .null
                files.append(.object(file))
            }
            return Envelope.ok(["fileUrl": files.first?["url"] ?? .null, "files": .array(files)], status: .created)
        }
    }

    /// Products as ComparisonCard.js reads them: a title each, a numeric rating or none,
    /// specs as strings; anything else in an answer is dropped.
    static func products(_ value: JSONValue) -> JSONValue? {
        guard let items = value["results"]?.arrayItems ?? value["products"]?.arrayItems else { return nil }
        var products: [JSONValue] = []
        for item in items.prefix(10) {
            guard let title = item["title"]?.stringValue, !title.isEmpty else { continue }
            var rating: JSONValue = .null
            switch item["rating"] {
            case .int(let number)?: rating = .double(Double(min(5, max(0, number))))
            case .double(let number)?: rating = .double(min(5, max(0, number)))
            case .string(let text)?: rating = Double(text).map { .double(min(5, max(0, $0))) } ?? .null
            default: break
            }
            let price: JSONValue = item["price"]?.stringValue.map(JSONValue.string) ?? item["price"]?.integer.map { .string(String($0)) } ?? .null
            products.append([
                "title": .string(String(title.prefix(300))), "price": price, "rating": rating,
                "source": ["name": .string(item["source"]?["name"]?.stringValue ?? item["source"]?.stringValue ?? "unknown"),
                           "url": item["source"]?["url"]?.stringValue.map(JSONValue.string) ?? .null],
                "specs": .array((item["specs"]?.arrayItems ?? []).compactMap(\.stringValue).prefix(8).map(JSONValue.string)),
                "availability": .string(item["availability"]?.stringValue ?? "unknown"),
            ])
        }
        return .array(products)
    }
}
