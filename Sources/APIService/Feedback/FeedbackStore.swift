import Core
import Foundation
import Logging
import PostgresNIO

/// `feedback`: ratings of generated content, and what they say about providers.
struct FeedbackStore: Sendable {
    let database: Database
    var logger: Logger { database.logger }

    static let contentTypes = [
        "ARTICLE", "ARTICLE_SECTION", "ARTICLE_METADATA", "ARTICLE_CTA", "IMAGE", "VIDEO", "AUDIO", "RESEARCH", "SEO_ANALYSIS",
    ]
    /// Also the default recommendation order (API.md's `AI_FALLBACK_ORDER` default).
    static let providers = ["GEMINI", "OPENAI", "ANTHROPIC", "LLAMA"]
    /// Ratings: 1–5 stars, or a thumbs down (-1) / up (+1, the same value as one star).
    static let ratings: Set<Int> = [-1, 1, 2, 3, 4, 5]
    /// A provider is recommended from feedback only with at least this many ratings for
    /// the content type; fewer say too little.
    static let minimumSamples = 5

    struct Entry: Sendable, Equatable {
        var contentType: String
        var provider: String?
        var rating: Int
        var comment: String?
        var contentID: String?
        var metadata: JSONValue
    }

    /// A stored rating.
    struct Feedback: Sendable, Equatable {
        var id: UUID
        var entry: Entry
        var createdAt: Date
    }

    static let columns = "id, content_type, provider, rating, comment, content_id, metadata::text, created_at"

    func insert(_ entry: Entry, userID: UUID) async throws -> Feedback {
        let rows = try await database.client.query(
            """
            INSERT INTO feedback (user_id, content_type, provider, rating, comment, content_id, metadata)
            VALUES (\(userID), \(entry.contentType), \(entry.provider), \(entry.rating), \(entry.comment), \(entry.contentID),
                    \(entry.metadata.encodedString)::jsonb)
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        guard let stored = try await Self.decode(rows).first else { throw FeedbackStoreError.notReturned }
        return stored
    }

    /// The caller's own feedback, newest first.
    func history(userID: UUID, limit: Int, offset: Int) async throws -> ([Feedback], Int) {
        let total = try await count("SELECT count(*) FROM feedback WHERE user_id = \(userID)")
        let rows = try await database.client.query(
            """
            SELECT \(unescaped: Self.columns) FROM feedback WHERE user_id = \(userID)
            ORDER BY created_at DESC, id LIMIT \(limit) OFFSET \(offset)
            """, logger: logger)
        return (try await Self.decode(rows), total)
    }

    struct Aggregate: Sendable, Equatable {
        var count: Int
        var average: Double
    }

    struct Stats: Sendable {
        var total = Aggregate(count: 0, average: 0)
        var byContentType: [String: Aggregate] = [:]
        var byProvider: [String: Aggregate] = [:]
    }

    /// Counts and average ratings over everyone's feedback (aggregates only: no row,
    /// comment or user is exposed).
    func stats() async throws -> Stats {
        var stats = Stats()
        let rows = try await database.client.query(
            """
            SELECT GROUPING(content_type, provider)::int, content_type, provider, count(*)::bigint, coalesce(avg(rating), 0)::float8
            FROM feedback GROUP BY GROUPING SETS ((content_type), (provider), ())
            """, logger: logger)
        for try await (grouping, contentType, provider, count, average) in rows.decode((Int, String?, String?, Int, Double).self) {
            let aggregate = Aggregate(count: count, average: average)
            switch grouping {
            case 0b01: if let contentType { stats.byContentType[contentType] = aggregate }
            case 0b10: if let provider { stats.byProvider[provider] = aggregate }
            case 0b11: stats.total = aggregate
            default: break
            }
        }
        return stats
    }

    /// Providers rated for `contentType` with enough samples, best average first (ties:
    /// more ratings, then the default order).
    func ranking(contentType: String) async throws -> [(provider: String, aggregate: Aggregate)] {
        let rows = try await database.client.query(
            """
            SELECT provider, count(*)::bigint, avg(rating)::float8 FROM feedback
            WHERE content_type = \(contentType) AND provider IS NOT NULL
            GROUP BY provider HAVING count(*) >= \(Self.minimumSamples)
            """, logger: logger)
        var ranking: [(provider: String, aggregate: Aggregate)] = []
        for try await (provider, count, average) in rows.decode((String, Int, Double).self) {
            ranking.append((provider, Aggregate(count: count, average: average)))
        }
        let order = Self.providers
        return ranking.sorted { lhs, rhs in
            if lhs.aggregate.average != rhs.aggregate.average { return lhs.aggregate.average > rhs.aggregate.average }
            if lhs.aggregate.count != rhs.aggregate.count { return lhs.aggregate.count > rhs.aggregate.count }
            return (order.firstIndex(of: lhs.provider) ?? order.count) < (order.firstIndex(of: rhs.provider) ?? order.count)
        }
    }

    private func count(_ query: PostgresQuery) async throws -> Int {
        for try await value in try await database.client.query(query, logger: logger).decode(Int.self) { return value }
        return 0
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [Feedback] {
        var items: [Feedback] = []
        for try await (id, contentType, provider, rating, comment, contentID, metadata, created) in rows.decode(
            (UUID, String, String?, Int, String?, String?, String, Date).self)
        {
            let entry = Entry(
                contentType: contentType, provider: provider, rating: rating, comment: comment, contentID: contentID,
                metadata: UsageStore.decodeJSON(metadata))
            items.append(Feedback(id: id, entry: entry, createdAt: created))
        }
        return items
    }
}

/// `INSERT … RETURNING` gave no row (it always gives one; a 500 if not).
enum FeedbackStoreError: Error {
    case notReturned
}
