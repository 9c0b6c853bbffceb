import Core
import Foundation
import Logging

/// POST /articles/generate: metadata, outline, one section per heading and a call to
/// action, then the stored article, all under ONE `article` charge (credits and the
/// `articles` quota). Nothing is charged and nothing is stored unless every step
/// succeeded: a failure in any step releases the hold, and the article row is written
/// only at the end. `emit` receives each step's result as it is ready (the SSE events).
struct ArticleGenerator: Sendable {
    let generation: GenerationService
    let articles: ArticleStore
    let reservations: CreditReservations

    static let feature = "article"
    static let tool = "article"

    func generate(
        for user: UserRecord, _ request: WritingRequest, idempotencyKey: String?, emit: @escaping @Sendable (String, JSONValue) async -> Void
    ) async throws -> JSONValue {
        try await articles.ensureRoom(userID: user.id)
        let router = try await generation.router(for: user)
        let generation = self.generation
        let articles = self.articles
        return try await reservations.perform(userID: user.id, feature: Self.feature, idempotencyKey: idempotencyKey) { hold in
            var steps = Steps(router: router, generation: generation, user: user)
            do {
                let metadata = try await steps.json(WriterPrompts.metadata(request)) { WriterPrompts.validMetadata($0, request: request) }
                await emit("metadata", metadata)
                let outline = try await steps.json(WriterPrompts.outline(request), validate: WriterPrompts.validOutline)
                await emit("outline", outline)
                let headings = outline.arrayItems.compactMap(\.stringValue)
                var html = ""
                for (index, heading) in headings.enumerated() {
                    let section = try await steps.html(WriterPrompts.section(request, heading: heading))
                    html += "<h2>\(WriterPrompts.escape(heading))</h2>\n\(section)\n"
                    await emit("section", ["index": .int(index), "heading": .string(heading), "html": .string(section)])
                }
                let cta = try await steps.html(WriterPrompts.cta(request))
                await emit("cta", .string(cta))
                html += cta
                let fields = ArticleStore.Fields(
                    title: WriterPrompts.text(metadata["seoTitle"]) ?? WriterPrompts.clamp(request.topic, ArticleRoutes.maxTitle),
                    content: HTMLText(html: html).blocks.map(\.text).joined(separator: "\n\n"), htmlContent: html,
                    seoTitle: WriterPrompts.text(metadata["seoTitle"]), metaDescription: WriterPrompts.text(metadata["metaDescription"]),
                    focusKeyphrase: WriterPrompts.text(metadata["focusKeyphrase"]), status: "DRAFT",
                    provider: steps.provider?.rawValue, model: steps.model)
                let article = try await articles.create(userID: user.id, fields)
                await steps.record(credits: hold.credits)
                return try JSONValue(wire: ArticleView(article))
            } catch {
                await steps.record(credits: 0, invalidJSON: steps.invalidJSON)
                throw error
            }
        }
    }

    /// The steps' provider calls and their attempts, recorded once at the end (the whole
    /// charge on the last successful attempt, nothing on a failure).
    struct Steps: Sendable {
        let router: AIRouter
        let generation: GenerationService
        let user: UserRecord
        var attempts: [AIAttempt] = []
        var provider: AIProviderID?
        var model: String?
        var invalidJSON = false

        mutating func complete(_ request: AIRequest) async throws -> String {
            do {
                let (completion, tries) = try await router.complete(request)
                attempts += tries
                provider = completion.provider
                model = completion.model
                return completion.text
            } catch {
                attempts += error.attempts
                throw CoreError.aiProvider(GenerationService.message(error))
            }
        }

        /// A JSON answer accepted by `validate`, with one repair attempt.
        mutating func json(_ request: AIRequest, validate: @Sendable (JSONValue) -> JSONValue?) async throws -> JSONValue {
            let text = try await complete(request)
            if let value = GenerationService.parseJSON(text).flatMap(validate) { return value }
            var repair = request
            repair.prompt =
                "The following answer was supposed to be valid JSON for this task but is not. Return only the corrected JSON, nothing else.\n\nTask:\n\(request.prompt)\n\nAnswer:\n\(text)"
            let repaired = try await complete(repair)
            guard let value = GenerationService.parseJSON(repaired).flatMap(validate) else {
                invalidJSON = true
                throw CoreError.aiProvider("The AI provider did not return a valid answer")
            }
            return value
        }

        mutating func html(_ request: AIRequest) async throws -> String {
            let text = try await complete(request)
            guard let html = WriterPrompts.validHTML(text) else { throw CoreError.aiProvider("The AI provider returned an empty answer") }
            return html
        }

        func record(credits: Int, invalidJSON: Bool = false) async {
            await generation.record(attempts, user: user, tool: ArticleGenerator.tool, credits: credits, invalidJSON: invalidJSON)
        }
    }
}
