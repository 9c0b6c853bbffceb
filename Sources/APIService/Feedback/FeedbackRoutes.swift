import Core
import Foundation
import Hummingbird

/// POST /feedback, GET /feedback/stats, /feedback/recommend, /feedback/history.
struct FeedbackRoutes: TypedRouteCollection {
    let store: FeedbackStore
    let requiresAuth = true

    let tag = "feedback"

    /// 1–5 stars, or a thumbs down (-1) / up (+1).
    enum Rating: ExactIntegerField {
        static let name = "rating"
        static let range = -1...5

        static func problem(_ value: Int) -> FieldValidationError? {
            if !range.contains(value) {
                return FieldValidationError(type: "range", message: "rating must be between \(range.lowerBound) and \(range.upperBound)")
            }
            guard FeedbackStore.ratings.contains(value) else {
                return FieldValidationError(type: "enum", message: "rating must be 1 to 5, or -1 / 1 for thumbs down / up")
            }
            return nil
        }

        static var schema: JSONValue { ["type": "integer", "enum": .array(FeedbackStore.ratings.sorted().map(JSONValue.int))] }
    }

    /// Names are matched case-insensitively and stored uppercase.
    struct FeedbackRequest: RequestContent {
        var contentType: String
        var provider: String?
        var rating: ExactInteger<Rating>
        var comment: String?
        var contentId: String?
        var metadata: JSONValue?

        static let rules: [String: FieldRule] = [
            "contentType": .oneOf(FeedbackStore.contentTypes, spelling: .uppercase),
            "provider": .oneOf(FeedbackStore.providers, spelling: .uppercase),
            "comment": .text(max: 5_000, allowEmpty: true), "contentId": .text(max: 200), "metadata": .object(maxBytes: 16_384),
        ]

        var entry: FeedbackStore.Entry {
            FeedbackStore.Entry(
                contentType: contentType, provider: provider, rating: rating.value, comment: comment.flatMap { $0.isEmpty ? nil : $0 },
                contentID: contentId, metadata: metadata ?? [:])
        }
    }

    struct FeedbackView: ResponseContent {
        var id: UUID
        var contentType: String
        var provider: String?
        var rating: Int
        var comment: String?
        var contentId: String?
        var metadata: JSONValue
        var createdAt: Date

        init(_ row: FeedbackStore.Feedback) {
            id = row.id
            contentType = row.entry.contentType
            provider = row.entry.provider
            rating = row.entry.rating
            comment = row.entry.comment
            contentId = row.entry.contentID
            metadata = row.entry.metadata
            createdAt = row.createdAt
        }
    }

    struct Aggregate: ResponseContent {
        var count: Int
        var averageRating: Double

        init(_ aggregate: FeedbackStore.Aggregate) {
            count = aggregate.count
            averageRating = FeedbackRoutes.rounded(aggregate.average)
        }
    }

    struct Stats: ResponseContent {
        var total: Int
        var averageRating: Double
        var byContentType: [String: Aggregate]
        var byProvider: [String: Aggregate]
    }

    struct Ranked: ResponseContent {
        var provider: String
        var averageRating: Double
        var count: Int
    }

    struct Recommendation: ResponseContent {
        var contentType: String
        var provider: String
        /// False when no provider has `minimumSamples` ratings: `provider` is then the
        /// default order's first.
        var basedOnFeedback: Bool
        var averageRating: Double?
        var sampleSize: Int
        var minimumSamples: Int
        var ranking: [Ranked]
        var defaultOrder: [String]
    }

    func routes(_ routes: inout APIRoutes) {
        routes.post("/feedback", "Rate generated content (1–5 or ±1)", body: FeedbackRequest.self, status: .created) {
            body, _, context -> Envelope<FeedbackView> in
            let user = try context.requireUser()
            return Envelope(FeedbackView(try await store.insert(body.entry, userID: user.id)), message: "Thank you for your feedback")
        }
        routes.get("/feedback/stats", "Counts and average rating per content type and provider") { _, context -> Envelope<Stats> in
            _ = try context.requireUser()
            let stats = try await store.stats()
            return Envelope(
                Stats(
                    total: stats.total.count, averageRating: Self.rounded(stats.total.average),
                    byContentType: stats.byContentType.mapValues(Aggregate.init), byProvider: stats.byProvider.mapValues(Aggregate.init)))
        }
        let contentType: JSONValue = [
            "name": "contentType", "in": "query", "required": true,
            "schema": ["type": "string", "enum": .array(FeedbackStore.contentTypes.map(JSONValue.string))],
            "description": "Matched case-insensitively",
        ]
        routes.get("/feedback/recommend", "The best-rated provider for a content type", query: [contentType]) {
            request, context -> Envelope<Recommendation> in
            _ = try context.requireUser()
            guard let raw = request.uri.queryParameters["contentType"].map(String.init), !raw.isEmpty else {
                throw CoreError.invalidInput([.missing("contentType", location: .query)])
            }
            let contentType = raw.uppercased()
            guard FeedbackStore.contentTypes.contains(contentType) else {
                throw CoreError.invalidInput([
                    ValidationIssue(
                        type: "enum", location: .query, path: ["contentType"],
                        message: "contentType must be one of \(FeedbackStore.contentTypes.joined(separator: ", "))", input: .string(raw))
                ])
            }
            let ranking = try await store.ranking(contentType: contentType)
            let best = ranking.first
            return Envelope(
                Recommendation(
                    contentType: contentType, provider: best?.provider ?? FeedbackStore.providers[0], basedOnFeedback: best != nil,
                    averageRating: best.map { Self.rounded($0.aggregate.average) }, sampleSize: best?.aggregate.count ?? 0,
                    minimumSamples: FeedbackStore.minimumSamples,
                    ranking: ranking.map {
                        Ranked(provider: $0.provider, averageRating: Self.rounded($0.aggregate.average), count: $0.aggregate.count)
                    },
                    defaultOrder: FeedbackStore.providers))
        }
        routes.get("/feedback/history", "The caller's feedback, newest first", query: PageRequest.parameters) {
            request, context -> Envelope<Page<FeedbackView>> in
            let user = try context.requireUser()
            let page = try PageRequest(request: request)
            let (items, total) = try await store.history(userID: user.id, limit: page.limit, offset: page.offset)
            return Envelope(page.page(items.map(FeedbackView.init), total: total))
        }
    }

    /// Two decimals: averages are for display.
    static func rounded(_ value: Double) -> Double {
        (value * 100).rounded() / 100
    }
}
