import Core
import Foundation
import Hummingbird

/// The AI assistant's other tools, in the shapes `features/ai-assistant/AIAssistant.js`
/// reads: POST /tools/shopping-research (L493-527, ComparisonCard.js), /tools/notebook
/// (L530-584), /tools/canvas (L402-453) and multipart /tools/upload (L313-399). Each
/// generation is one `research` charge (the assistant's family) through
/// `GenerationService`, or an `image` charge for the canvas; the offline provider answers
/// each in its shape, labelled.
struct AssistantToolRoutes: TypedRouteCollection {
    let generation: GenerationService
    let media: MediaService
    let requiresAuth = true

    let tag = "research"

    /// What each tool is asked: the request and the assistant's conversation so far.
    struct Ask: RequestContent {
        var query: String
        var tool: String?
        var context: Conversation?

        static let rules: [String: FieldRule] = ["query": .text(max: 2_000), "tool": .text(max: 100, allowEmpty: true)]

        /// The conversation, shortened to the prompt's budget.
        var history: String? { ResearchRoutes.context(context?.value) }
    }

    struct Product: ResponseContent {
        struct Source: ResponseContent {
            var name: String
            var url: String?
        }

        var title: String
        var price: String?
        var rating: Double?
        var source: Source
        var specs: [String]
        var availability: String
    }

    struct Products: ResponseContent {
        var results: [Product]
        var tags: [String]
        var timestamp: Date
    }

    struct Note: ResponseContent {
        var noteId: UUID
        var noteTitle: String
        var content: String
        var lastSavedAt: Date
        var provider: String
    }

    struct Canvas: ResponseContent {
        var canvasId: UUID
        var canvasData: String
        var preview: String
    }

    struct Uploaded: ResponseContent {
        var fileUrl: String?
        var files: [MediaService.Upload]
    }

    static func prompt(_ task: String, _ ask: Ask) -> String {
        var lines = [task, "", "Request: \(ask.query)"]
        if let context = ask.history { lines += ["", "Conversation so far:", context] }
        return lines.joined(separator: "\n")
    }

    static let generationErrors = [402, 403, 409, 502, 503]

    func routes(_ routes: inout APIRoutes) {
        routes.post("/tools/shopping-research", "Products compared", body: Ask.self, errors: Self.generationErrors) {
            ask, request, context -> Envelope<Products> in
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
            job.request.offlineAnswer =
                JSONValue.object([
                    "results": [
                        [
                            "title": .string("[offline] No AI provider is configured: no products for “\(ask.query.prefix(80))”"), "price": .null,
                            "rating": .null,
                            "source": ["name": "offline", "url": .null], "specs": [], "availability": "unknown",
                        ]
                    ]
                ]).encodedString
            let (_, value) = try await generation.generateJSON(for: try context.requireUser(), job, validate: Self.products)
            return Envelope(Products(results: try value.decoded(as: [Product].self), tags: ["shopping"], timestamp: Date()))
        }
        routes.post("/tools/notebook", "A note drafted from the query", body: Ask.self, errors: Self.generationErrors) {
            ask, request, context -> Envelope<Note> in
            var job = GenerationService.Job(
                feature: "research", tool: "notebook",
                request: AIRequest(prompt: Self.prompt("Write a concise, well-structured note (Markdown) for this request.", ask)),
                idempotencyKey: try request.idempotencyKey())
            job.request.offlineAnswer = "[offline] No AI provider is configured. Note for: \(ask.query.prefix(200))"
            let output = try await generation.generate(for: try context.requireUser(), job)
            // Notes are not stored server-side: the assistant keeps them in the conversation.
            return Envelope(
                Note(
                    noteId: UUID(), noteTitle: String(ask.query.prefix(50)), content: output.text, lastSavedAt: Date(),
                    provider: output.provider.rawValue))
        }
        routes.post("/tools/canvas", "An image for the canvas", body: Ask.self, errors: Self.generationErrors) {
            ask, request, context -> Envelope<Canvas> in
            let result = try await media.generate(
                for: try context.requireUser(), feature: "image", type: "IMAGE", prompt: ask.query,
                task: .image(prompt: ask.query, aspectRatio: "16:9"), idempotencyKey: try request.idempotencyKey())
            let mime = result.asset.mimeType ?? "image/png"
            return Envelope(
                Canvas(
                    canvasId: result.asset.id, canvasData: "data:\(mime);base64," + Data(result.bytes).base64EncodedString(),
                    preview: media.urls.url(for: result.asset.id)))
        }
        var components = WireSchema.Components()
        let uploaded = WireSchema.schema(for: Uploaded.self, components: &components)
        routes.custom(
            .post, "/tools/upload",
            OpenAPIOperation(
                "POST", "/tools/upload", summary: "Files for the assistant (multipart `files`, up to 10)", tag: tag,
                requestBody: MediaRoutes.multipartSchema(field: "files", many: true), requestContentType: "multipart/form-data",
                responses: [201: "Stored", 400: "No file", 413: "Body too large", 415: "Not multipart, or not an image, video or audio file"],
                responseBody: EnvelopeSchema.schema(data: uploaded), components: components)
        ) { request, context in
            let user = try context.requireUser()
            let parts = try await MediaService.multipartParts(request, context: context)
                .filter { ($0.name == "files" || $0.name == "file") && !$0.body.isEmpty }
            guard !parts.isEmpty else { throw CoreError.invalidInput([ValidationIssue.field("files", "at least one file is required")]) }
            var files: [MediaService.Upload] = []
            for part in parts.prefix(10) {
                files.append(try await media.storeUpload(part, userID: user.id))
            }
            return try Envelope(Uploaded(fileUrl: files.first?.url, files: files), status: .created).response(from: request, context: context)
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
                "source": [
                    "name": .string(item["source"]?["name"]?.stringValue ?? item["source"]?.stringValue ?? "unknown"),
                    "url": item["source"]?["url"]?.stringValue.map(JSONValue.string) ?? .null,
                ],
                "specs": .array((item["specs"]?.arrayItems ?? []).compactMap(\.stringValue).prefix(8).map(JSONValue.string)),
                "availability": .string(item["availability"]?.stringValue ?? "unknown"),
            ])
        }
        return .array(products)
    }
}
