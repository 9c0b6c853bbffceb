import Core
import Foundation
import Hummingbird

/// POST /feedback, GET /feedback/stats, /feedback/recommend, /feedback/history.
struct FeedbackRoutes: APIRouteCollection {
    let store: FeedbackStore
    let requiresAuth = true

    var operations: [OpenAPIOperation] {
        [
            OpenAPIOperation(
                "POST", "/feedback", summary: "Rate generated content (1–5 or ±1)", tag: "feedback", requiresAuth: true,
                requestBody: [
                    "type": "object", "required": ["contentType", "rating"],
                    "properties": [
                        "contentType": ["type": "string", "enum": .array(FeedbackStore.contentTypes.map(JSONValue.string))],
                        "provider": ["type": "string", "enum": .array(FeedbackStore.providers.map(JSONValue.string))],
                        "rating": ["type": "integer", "enum": [-1, 1, 2, 3, 4, 5]], "comment": ["type": "string", "maxLength": 5000],
                        "contentId": ["type": "string"], "metadata": ["type": "object"],
                    ],
                ],
                responses: [201: "Stored", 400: "Invalid body"]),
            OpenAPIOperation("GET", "/feedback/stats", summary: "Counts and average rating per content type and provider", tag: "feedback", requiresAuth: true),
            OpenAPIOperation(
                "GET", "/feedback/recommend", summary: "The best-rated provider for a content type", tag: "feedback", requiresAuth: true,
                responses: [200: "Successful Response", 400: "Missing or unknown contentType"],
                parameters: [["name": "contentType", "in": "query", "required": true, "schema": ["type": "string"]]]),
            OpenAPIOperation(
                "GET", "/feedback/history", summary: "The caller's feedback, newest first", tag: "feedback", requiresAuth: true,
                responses: [200: "Successful Response", 400: "Bad page or limit"], parameters: paginationParameters),
        ]
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("/feedback") { request, context in
            let user = try context.requireUser()
            var fields = try await BodyFields.read(request, context: context)
            let contentType = fields.oneOf("contentType", FeedbackStore.contentTypes, required: true, uppercased: true)
            let provider = fields.oneOf("provider", FeedbackStore.providers, uppercased: true)
            let rating = fields.int("rating", required: true, range: -1...5)
            if let rating, !FeedbackStore.ratings.contains(rating) {
                fields.fail("rating", "enum", "rating must be 1 to 5, or -1 / 1 for thumbs down / up")
            }
            let comment = fields.string("comment", maxLength: 5_000, allowEmpty: true)
            let contentID = fields.string("contentId", maxLength: 200)
            let metadata = fields.jsonObject("metadata")
            try fields.check()
            guard let contentType, let rating else { throw CoreError.invalidInput(fields.issues) }
            let entry = FeedbackStore.Entry(
                contentType: contentType, provider: provider, rating: rating, comment: comment.flatMap { $0.isEmpty ? nil : $0 },
                contentID: contentID, metadata: metadata ?? [:])
            return Envelope.ok(try await store.insert(entry, userID: user.id), message: "Thank you for your feedback", status: .created)
        }
        group.get("/feedback/stats") { _, context in
            _ = try context.requireUser()
            let stats = try await store.stats()
            func json(_ aggregate: FeedbackStore.Aggregate) -> JSONValue {
                ["count": .int(aggregate.count), "averageRating": Self.rounded(aggregate.average)]
            }
            return Envelope.ok([
                "total": .int(stats.total.count), "averageRating": Self.rounded(stats.total.average),
                "byContentType": .object(stats.byContentType.mapValues(json)), "byProvider": .object(stats.byProvider.mapValues(json)),
            ])
        }
        group.get("/feedback/recommend") { request, context in
            _ = try context.requireUser()
            guard let raw = request.uri.queryParameters["contentType"].map(String.init), !raw.isEmpty else {
                throw CoreError.invalidInput([.missing("contentType", location: .query)])
            }
            let contentType = raw.uppercased()
            guard FeedbackStore.contentTypes.contains(contentType) else {
                throw CoreError.invalidInput([ValidationIssue(
                    type: "enum", location: .query, path: ["contentType"],
                    message: "contentType must be one of \(FeedbackStore.contentTypes.joined(separator: ", "))", input: .string(raw))])
            }
            let ranking = try await store.ranking(contentType: contentType)
            let best = ranking.first
            return Envelope.ok([
                "contentType": .string(contentType),
                "provider": .string(best?.provider ?? FeedbackStore.providers[0]),
                "basedOnFeedback": .bool(best != nil),
                "averageRating": best.map { Self.rounded($0.aggregate.average) } ?? .null,
                "sampleSize": .int(best?.aggregate.count ?? 0),
                "minimumSamples": .int(FeedbackStore.minimumSamples),
                "ranking": .array(ranking.map { ["provider": .string($0.provider), "averageRating": Self.rounded($0.aggregate.average), "count": .int($0.aggregate.count)] }),
                "defaultOrder": .array(FeedbackStore.providers.map(JSONValue.string)),
            ])
        }
        group.get("/feedback/history") { request, context in
            let user = try context.requireUser()
            let page = try PageRequest(request: request)
            let (items, total) = try await store.history(userID: user.id, limit: page.limit, offset: page.offset)
            return Envelope.ok(page.page(items, total: total))
        }
    }

    /// Two decimals: averages are for display.
    static func rounded(_ value: Double) -> JSONValue {
        .double((value * 100).rounded() / 100)
    }
}
