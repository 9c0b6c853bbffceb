import Core
import Foundation
import Hummingbird
import Logging
import NIOCore

/// POST /articles/metadata, /articles/outline, /articles/section, /articles/cta (one
/// charge each, through `GenerationService`) and /articles/generate (the whole article,
/// one `article` charge, JSON or SSE). All honour `Idempotency-Key`, and the generation
/// family's rate limit (`GenerationRateLimit`, applied where credits are reserved).
struct WriterRoutes: TypedRouteCollection {
    let generation: GenerationService
    let generator: ArticleGenerator
    let logger: Logger
    let requiresAuth = true

    let tag = "writer"

    /// The body of metadata, outline, cta and generate: `topic` and the settings.
    struct TopicBody: RequestContent {
        var topic: String
        var settings: WritingSettings

        enum Keys: String, CodingKey { case topic }
        static let rules = WritingSettings.rules.merging(["topic": .text(max: WritingRequest.maxTopic)]) { $1 }

        init(from decoder: any Decoder) throws {
            topic = try decoder.container(keyedBy: Keys.self).decode(String.self, forKey: .topic)
            settings = try WritingSettings(from: decoder)
        }

        var writing: WritingRequest { settings.request(topic: topic) }
    }

    /// The body of section: `sectionTitle`, and optionally the article's `topic`.
    struct SectionBody: RequestContent {
        var sectionTitle: String
        var topic: String?
        var settings: WritingSettings

        enum Keys: String, CodingKey { case sectionTitle, topic }
        static let rules = WritingSettings.rules.merging([
            "topic": .text(max: WritingRequest.maxTopic), "sectionTitle": .text(max: WritingRequest.maxSetting),
        ]) { $1 }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            sectionTitle = try container.decode(String.self, forKey: .sectionTitle)
            topic = try container.decodeIfPresent(String.self, forKey: .topic)
            settings = try WritingSettings(from: decoder)
        }

        var writing: WritingRequest { settings.request(topic: topic ?? "", sectionTitle: sectionTitle) }
    }

    /// What metadata answers (`WriterPrompts.validMetadata` shapes the model's answer).
    struct Metadata: ResponseContent {
        struct FeaturedImage: ResponseContent {
            var style: String
            var aspect: String
            var alt: String
            var filename: String
            var caption: String
            var prompt: String
        }

        var focusKeyphrase: String
        var seoTitle: String
        var slug: String
        var metaDescription: String
        var featuredImage: FeaturedImage
    }

    /// Credits, quota, the generation rate limit and provider failures.
    static let generationErrors = [402, 403, 409, 502, 503]

    func routes(_ routes: inout APIRoutes) {
        routes.post(
            "/articles/metadata", "{focusKeyphrase, seoTitle (≤ 60), slug, metaDescription (≤ 160), featuredImage} (credits: metadata)",
            body: TopicBody.self, query: [], errors: Self.generationErrors
        ) { body, request, context -> Envelope<Metadata> in
            let writing = body.writing
            let (_, value) = try await generation.generateJSON(
                for: try context.requireUser(),
                GenerationService.Job(
                    feature: "metadata", tool: "metadata", request: WriterPrompts.metadata(writing), idempotencyKey: try request.idempotencyKey())
            ) { WriterPrompts.validMetadata($0, request: writing) }
            return Envelope(try value.decoded(as: Metadata.self))
        }
        routes.post("/articles/outline", "Section headings (credits: outline)", body: TopicBody.self, errors: Self.generationErrors) {
            body, request, context -> Envelope<[String]> in
            let (_, value) = try await generation.generateJSON(
                for: try context.requireUser(),
                GenerationService.Job(
                    feature: "outline", tool: "outline", request: WriterPrompts.outline(body.writing), idempotencyKey: try request.idempotencyKey()),
                validate: WriterPrompts.validOutline)
            return Envelope(try value.decoded(as: [String].self))
        }
        routes.post(
            "/articles/section", "One section as HTML (may hold <!-- IMAGE_PROMPT: {json} --> markers) (credits: section)", body: SectionBody.self,
            errors: Self.generationErrors
        ) { body, request, context -> Envelope<String> in
            let writing = body.writing
            let output = try await generation.generate(
                for: try context.requireUser(),
                GenerationService.Job(
                    feature: "section", tool: "section", request: WriterPrompts.section(writing, heading: body.sectionTitle),
                    idempotencyKey: try request.idempotencyKey()))
            return Envelope(WriterPrompts.validHTML(output.text) ?? "")
        }
        routes.post("/articles/cta", "A call to action as HTML (credits: cta)", body: TopicBody.self, errors: Self.generationErrors) {
            body, request, context -> Envelope<String> in
            let output = try await generation.generate(
                for: try context.requireUser(),
                GenerationService.Job(
                    feature: "cta", tool: "cta", request: WriterPrompts.cta(body.writing), idempotencyKey: try request.idempotencyKey()))
            return Envelope(WriterPrompts.validHTML(output.text) ?? "")
        }
        // JSON or SSE by `Accept`: not one envelope type, so it describes itself.
        var components = WireSchema.Components()
        let requestSchema = WireSchema.schema(for: TopicBody.self, components: &components)
        let articleSchema = WireSchema.schema(for: ArticleView.self, components: &components)
        routes.custom(
            .post, "/articles/generate",
            OpenAPIOperation(
                "POST", "/articles/generate",
                summary:
                    "The whole article, stored (credits: article). Accept: text/event-stream streams metadata, outline, section…, cta, done, error",
                tag: tag, requestBody: requestSchema,
                responses: [201: "The stored article (JSON), or 200 with an event stream"].merging(
                    Self.generationErrors.map { ($0, OpenAPIDocument.errorDescriptions[$0] ?? "Error") }
                ) { $1 },
                responseBody: EnvelopeSchema.schema(data: articleSchema), components: components)
        ) { request, context in
            let user = try context.requireUser()
            let key = try request.idempotencyKey()
            let writing = try await request.decode(TopicBody.self, context: context).writing
            guard (request.headers[.accept] ?? "").contains("text/event-stream") else {
                let article = try await generator.generate(for: user, writing, idempotencyKey: key) { _, _ in }
                return try Envelope(try article.decoded(as: ArticleView.self), message: "Article generated", status: .created)
                    .response(from: request, context: context)
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
}
