import Core
import Crypto
import Foundation
import Logging
import NIOConcurrencyHelpers

/// Grounded research: Gemini with `google_search` first (sources and citations from its
/// grounding metadata), another provider ungrounded when Gemini is unavailable (then no
/// sources at all: nothing is invented). Results are cached for an hour per normalised
/// query and language on the shared cache; a hit costs nothing. Every query is stored.
struct ResearchService: Sendable {
    let generation: GenerationService
    let database: Database
    let cache: any KeyValueCache
    static let cacheTTL: Duration = .seconds(3600)
    var logger: Logger { database.logger }

    enum Kind: String, Sendable {
        case query
        case deepResearch = "deep_research"
        case study
    }

    struct Query: Sendable {
        var text: String
        var kind: Kind = .query
        var focus: String?
        var maxResults = 8
        var language = "en"
        var timeRange: String?
        var context: String?
        var type: String?
    }

    struct Answer: Sendable, Equatable {
        var id: UUID
        var summary: String
        var sources: [Grounding.Source]
        var citations: [Grounding.Citation]
        var grounded: Bool
        var cached: Bool
        var createdAt: Date
    }

    /// Lower case, single spaces, no surrounding punctuation: "What is  SEO?" and
    /// "what is seo" share a cache entry.
    static func normalize(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
            .trimmingCharacters(in: CharacterSet.punctuationCharacters.union(.whitespaces))
    }

    /// Everything that shapes the answer is in the key. An answer built from a user's own
    /// context (their chat history) is keyed to that user too: private context never
    /// reaches another user, and nobody can poison what others are served.
    static func cacheKey(_ query: Query, userID: UUID) -> String {
        var material = [
            query.kind.rawValue, normalize(query.text), query.language.lowercased(), normalize(query.focus ?? ""),
            normalize(query.timeRange ?? ""), normalize(query.type ?? ""), String(query.maxResults),
        ]
        if let context = query.context, !context.isEmpty { material += ["user:" + userID.uuidString, context] }
        return "research:" + Hex.sha256(material.joined(separator: "\u{1F}"))
    }

    func run(_ query: Query, for user: UserRecord, idempotencyKey: String?) async throws -> Answer {
        let key = Self.cacheKey(query, userID: user.id)
        if let bytes = await cache.get(key), let hit = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)),
            let summary = hit["summary"]?.stringValue
        {
            let sources = Self.sources(hit["sources"])
            let citations = Self.citations(hit["citations"])
            return try await store(
                query, user: user, summary: summary, sources: sources, citations: citations,
                grounded: hit["grounded"] == true, cached: true, provider: hit["provider"]?.stringValue, model: hit["model"]?.stringValue)
        }
        let request = AIRequest(
            system: Self.system(query), prompt: Self.prompt(query), maxOutputTokens: query.kind == .query ? 2048 : 4096, temperature: 0.3,
            grounded: true, offlineAnswer: "[offline] Research needs an AI provider; none is configured. Query: \(query.text.prefix(200))")
        // The history row is written in the settlement's transaction: one durable commit
        // for the charge and the row, and no charge without it.
        let stored = NIOLockedValueBox<Answer?>(nil)
        var job = GenerationService.Job(
            feature: "research", tool: query.kind == .query ? "research" : query.kind.rawValue, request: request, idempotencyKey: idempotencyKey)
        job.settling = { [self] output, runner in
            let (sources, citations) = Self.kept(output.grounding, maxResults: query.maxResults)
            let answer = try await store(
                query, user: user, summary: output.text, sources: sources, citations: citations, grounded: !sources.isEmpty, cached: false,
                provider: output.provider.rawValue, model: output.model, on: runner)
            stored.withLockedValue { $0 = answer }
        }
        let output = try await generation.generate(for: user, job)
        let (sources, citations) = Self.kept(output.grounding, maxResults: query.maxResults)
        let grounded = !sources.isEmpty
        let entry: JSONValue = [
            "summary": .string(output.text), "sources": Self.json(sources), "citations": Self.json(citations), "grounded": .bool(grounded),
            "provider": .string(output.provider.rawValue), "model": .string(output.model),
        ]
        // Offline placeholders are not worth caching: a configured provider should answer next time.
        if output.provider != .offline { await cache.set(key, Array(entry.encodedData()), ttl: Self.cacheTTL) }
        if let answer = stored.withLockedValue({ $0 }) { return answer }
        // A replayed Idempotency-Key: the first request stored its row; this one is new.
        return try await store(
            query, user: user, summary: output.text, sources: sources, citations: citations, grounded: grounded, cached: false,
            provider: output.provider.rawValue, model: output.model)
    }

    /// The sources kept (at most `maxResults`), and the citations that point at them.
    static func kept(_ grounding: Grounding?, maxResults: Int) -> ([Grounding.Source], [Grounding.Citation]) {
        let sources = Array((grounding?.sources ?? []).prefix(maxResults))
        let citations = (grounding?.citations ?? []).compactMap { citation -> Grounding.Citation? in
            var kept = citation
            kept.sourceIndices = citation.sourceIndices.filter { $0 < sources.count }
            return kept.sourceIndices.isEmpty ? nil : kept
        }
        return (sources, citations)
    }

    private func store(
        _ query: Query, user: UserRecord, summary: String, sources: [Grounding.Source], citations: [Grounding.Citation], grounded: Bool, cached: Bool,
        provider: String?, model: String?, on runner: (any SQLRunner)? = nil
    ) async throws -> Answer {
        let rows = try await (runner ?? database.client as any SQLRunner).run(
            """
            INSERT INTO research_queries (user_id, kind, query, language, summary, sources, citations, grounded, cached, provider, model)
            VALUES (\(user.id), \(query.kind.rawValue), \(query.text), \(query.language), \(summary), \(Self.json(sources).encodedString)::jsonb,
                    \(Self.json(citations).encodedString)::jsonb, \(grounded), \(cached), \(provider), \(model))
            RETURNING id, created_at
            """, logger: logger)
        for try await (id, created) in rows.decode((UUID, Date).self) {
            return Answer(id: id, summary: summary, sources: sources, citations: citations, grounded: grounded, cached: cached, createdAt: created)
        }
        throw CoreError.serviceUnavailable("Research result was not stored")
    }

    /// A stored query, as GET /research/history lists it.
    struct HistoryItem: ResponseContent {
        var id: UUID
        var type: String
        var query: String
        var language: String
        var summary: String
        var sources: JSONValue
        var grounded: Bool
        var cached: Bool
        var createdAt: Date
    }

    func history(userID: UUID, page: PageRequest) async throws -> Page<HistoryItem> {
        var items: [HistoryItem] = []
        let rows = try await database.client.query(
            """
            SELECT id, kind, query, language, summary, sources::text, grounded, cached, created_at FROM research_queries
            WHERE user_id = \(userID) ORDER BY created_at DESC, id LIMIT \(page.limit) OFFSET \(page.offset)
            """, logger: logger)
        for try await (id, kind, query, language, summary, sources, grounded, cached, created) in rows.decode(
            (UUID, String, String, String, String, String, Bool, Bool, Date).self)
        {
            items.append(
                HistoryItem(
                    id: id, type: kind, query: query, language: language, summary: summary,
                    sources: (try? JSONDecoder().decode(JSONValue.self, from: Data(sources.utf8))) ?? [], grounded: grounded, cached: cached,
                    createdAt: created))
        }
        var total = 0
        for try await count in try await database.client.query(
            "SELECT count(*)::int FROM research_queries WHERE user_id = \(userID)", logger: logger
        ).decode(Int.self) { total = count }
        return page.page(items, total: total)
    }

    /// A source on the wire: `url` repeats `uri` for the screens that read either.
    struct SourceView: ResponseContent {
        var title: String
        var uri: String
        var url: String

        init(_ source: Grounding.Source) {
            title = source.title
            uri = source.uri
            url = source.uri
        }
    }

    struct CitationView: ResponseContent {
        var text: String
        var startIndex: Int
        var endIndex: Int
        var sourceIndices: [Int]

        init(_ citation: Grounding.Citation) {
            text = citation.text
            startIndex = citation.startIndex
            endIndex = citation.endIndex
            sourceIndices = citation.sourceIndices
        }
    }

    static func system(_ query: Query) -> String {
        let style: String
        switch query.kind {
        case .query: style = "Answer the question concisely and factually."
        case .deepResearch: style = "Write a thorough research brief: key findings, evidence, open questions."
        case .study: style = "Write a study guide: core concepts explained simply, key terms, and a short self-test."
        }
        return "You are a research assistant. \(style) Write in the language with code \"\(query.language)\". Only state what your sources support."
    }

    static func prompt(_ query: Query) -> String {
        var lines = [query.text]
        if let focus = query.focus, !focus.isEmpty { lines.append("Focus: \(focus)") }
        if let range = query.timeRange, !range.isEmpty { lines.append("Time range: \(range)") }
        if let type = query.type, !type.isEmpty { lines.append("Kind of research: \(type)") }
        if let context = query.context, !context.isEmpty { lines.append("Context:\n\(context)") }
        return lines.joined(separator: "\n\n")
    }

    static func json(_ sources: [Grounding.Source]) -> JSONValue {
        .array(sources.map { ["title": .string($0.title), "uri": .string($0.uri), "url": .string($0.uri)] })
    }

    static func json(_ citations: [Grounding.Citation]) -> JSONValue {
        .array(
            citations.map {
                [
                    "text": .string($0.text), "startIndex": .int($0.startIndex), "endIndex": .int($0.endIndex),
                    "sourceIndices": .array($0.sourceIndices.map(JSONValue.int)),
                ]
            })
    }

    static func sources(_ value: JSONValue?) -> [Grounding.Source] {
        (value?.arrayItems ?? []).compactMap { item in item["uri"]?.stringValue.map { .init(title: item["title"]?.stringValue ?? $0, uri: $0) } }
    }

    static func citations(_ value: JSONValue?) -> [Grounding.Citation] {
        (value?.arrayItems ?? []).map {
            .init(
                text: $0["text"]?.stringValue ?? "", startIndex: $0["startIndex"]?.integer ?? 0, endIndex: $0["endIndex"]?.integer ?? 0,
                sourceIndices: ($0["sourceIndices"]?.arrayItems ?? []).compactMap(\.integer))
        }
    }

    /// Up to five distinctive words of the query, for the tools' `tags`.
    static func tags(_ text: String) -> [String] {
        let stop: Set<String> = [
            "the", "and", "for", "with", "what", "how", "why", "are", "is", "of", "to", "in", "on", "a", "an", "about", "does", "do", "can", "from",
            "that", "this", "which", "who",
        ]
        var seen: [String] = []
        for word in EnglishText.words(text.lowercased()) where word.count > 2 && !stop.contains(word) && !seen.contains(word) {
            seen.append(word)
            if seen.count == 5 { break }
        }
        return seen
    }
}
