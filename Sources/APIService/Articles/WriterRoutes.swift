import Core
import Foundation
import Hummingbird
import Logging
import NIOCore

/// POST /articles/metadata, /articles/outline, /articles/section, /articles/cta (one
/// charge each, through `GenerationService`) and /articles/generate (the whole article,
/// one `article` charge, JSON or SSE). All honour `Idempotency-Key`, and the generation
/// family's rate limit (`GenerationRateLimit`, applied where credits are reserved).
struct WriterRoutes: APIRouteCollection {
    let generation: GenerationService
    let generator: ArticleGenerator
    let logger: Logger
    let requiresAuth = true

    var operations: [OpenAPIOperation] {
        let fields: [String: JSONValue] = [
            "topic": OpenAPIDocument.string, "keywords": ["type": "array", "items": OpenAPIDocument.string],
            "articleType": OpenAPIDocument.string, "language": OpenAPIDocument.string, "articleSize": OpenAPIDocument.string,
            "pov": OpenAPIDocument.string, "manualFocusKeyphrase": OpenAPIDocument.string, "imageStyle": OpenAPIDocument.string,
            "aspectRatio": OpenAPIDocument.string, "sourceContext": OpenAPIDocument.string, "category": OpenAPIDocument.string,
            "tone": OpenAPIDocument.string,
        ]
        var section = fields
        section["sectionTitle"] = OpenAPIDocument.string
        section["imageQuantity"] = OpenAPIDocument.integer
        var cta = fields
        cta["focusKeyphrase"] = OpenAPIDocument.string
        return [
            OpenAPIOperation("POST", "/articles/metadata", summary: "{focusKeyphrase, seoTitle (≤ 60), slug, metaDescription (≤ 160), featuredImage} (credits: metadata)",
                tag: "writer", requiresAuth: true, requestBody: OpenAPIDocument.object(fields, required: ["topic"])),
            OpenAPIOperation("POST", "/articles/outline", summary: "Section headings: [string] (credits: outline)", tag: "writer", requiresAuth: true,
                requestBody: OpenAPIDocument.object(fields, required: ["topic"])),
            OpenAPIOperation("POST", "/articles/section", summary: "One section as HTML (may hold <!-- IMAGE_PROMPT: {json} --> markers) (credits: section)",
                tag: "writer", requiresAuth: true, requestBody: OpenAPIDocument.object(section, required: ["sectionTitle"])),
            OpenAPIOperation("POST", "/articles/cta", summary: "A call to action as HTML (credits: cta)", tag: "writer", requiresAuth: true,
                requestBody: OpenAPIDocument.object(cta, required: ["topic"])),
            OpenAPIOperation("POST", "/articles/generate",
                summary: "The whole article, stored (credits: article). Accept: text/event-stream streams metadata, outline, section…, cta, done, error",
                tag: "writer", requiresAuth: true, requestBody: OpenAPIDocument.object(fields, required: ["topic"])),
        ]
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("/articles/metadata") { request, context in
            let (user, writing, key) = try await prepare(request, context)
            let (_, value) = try await generation.generateJSON(
                for: user, GenerationService.Job(feature: "metadata", tool: "metadata", request: WriterPrompts.metadata(writing), idempotencyKey: key)
            ) { WriterPrompts.validMetadata($0, request: writing) }
            return Envelope.ok(value)
        }
        group.post("/articles/outline") { request, context in
            let (user, writing, key) = try await prepare(request, context)
            let (_, value) = try await generation.generateJSON(
                for: user, GenerationService.Job(feature: "outline", tool: "outline", request: WriterPrompts.outline(writing), idempotencyKey: key),
                validate: WriterPrompts.validOutline)
            return Envelope.ok(value)
        }
        group.post("/articles/section") { request, context in
            let (user, writing, key) = try await prepare(request, context, requireTopic: false, requireSection: true)
            let heading = writing.sectionTitle ?? writing.topic
            let output = try await generation.generate(
                for: user, GenerationService.Job(feature: "section", tool: "section", request: WriterPrompts.section(writing, heading: heading), idempotencyKey: key))
            return Envelope.ok(.string(WriterPrompts.validHTML(output.text) ?? ""))
        }
        group.post("/articles/cta") { request, context in
            let (user, writing, key) = try await prepare(request, context)
            let output = try await generation.generate(
                for: user, GenerationService.Job(feature: "cta", tool: "cta", request: WriterPrompts.cta(writing), idempotencyKey: key))
            return Envelope.ok(.string(WriterPrompts.validHTML(output.text) ?? ""))
        }
        group.post("/articles/generate") { request, context in
            let (user, writing, key) = try await prepare(request, context)
            let accept = request.headers[.accept] ?? ""
            guard accept.contains("text/event-stream") else {
                let article = try await generator.generate(for: user, writing, idempotencyKey: key) { _, _ in }
                return Envelope.ok(article, message: "Article generated", status: .created)
            }
            return stream(user: user, writing: writing, key: key)
        }
    }

    /// SSE: each step as an event, then `done` with the stored article, or `error` with the
    /// envelope's `{code, message, details?}` (and `status`). A client that disconnects does
    /// not stop the work: by then it has read some of the article, so the article is
    /// finished, stored (GET /articles lists it) and charged once, as if it had stayed; a
    /// retry with the same `Idempotency-Key` answers the stored result.
    private func stream(user: UserRecord, writing: WritingRequest, key: String?) -> Response {
        let (events, continuation) = AsyncStream<ByteBuffer>.makeStream()
        let generator = self.generator
        let logger = self.logger
        // Unstructured on purpose: the request's cancellation (a hang-up) must not reach it.
        Task {
            continuation.yield(ByteBuffer(string: ": generating\n\n"))
            do {
                let article = try await generator.generate(for: user, writing, idempotencyKey: key) { name, data in
                    continuation.yield(Self.event(name, data))
                }
                continuation.yield(Self.event("done", article))
            } catch {
                let rendered = EnvelopeErrorRenderer().render(error) ?? EnvelopeErrorRenderer().internalError
                if rendered.status == .internalServerError {
                    logger.error("article generation failed", metadata: ["error": "\(String(reflecting: error))"])
                }
                var payload = rendered.body["error"] ?? [:]
                if case .object(var object) = payload {
                    object["status"] = .int(Int(rendered.status.code))
                    payload = .object(object)
                }
                continuation.yield(Self.event("error", payload))
            }
            continuation.finish()
        }
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody(asyncSequence: events))
    }

    static func event(_ name: String, _ data: JSONValue) -> ByteBuffer {
        ByteBuffer(string: "event: \(name)\ndata: \(data.encodedString)\n\n")
    }

    /// The user, the validated body, the idempotency key.
    private func prepare(
        _ request: Request, _ context: AppRequestContext, requireTopic: Bool = true, requireSection: Bool = false
    ) async throws -> (UserRecord, WritingRequest, String?) {
        let user = try context.requireUser()
        let key = try request.idempotencyKey()
        var body = try await BodyFields.read(request, context: context)
        let writing = WritingRequest.read(&body, requireTopic: requireTopic, requireSection: requireSection)
        try body.check()
        return (user, writing, key)
    }
}
