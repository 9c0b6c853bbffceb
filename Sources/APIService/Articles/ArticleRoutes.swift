import Core
import Foundation
import Hummingbird

/// GET/POST /articles, GET/PUT/DELETE /articles/{id}: the user's stored articles.
struct ArticleRoutes: TypedRouteCollection {
    let store: ArticleStore
    let requiresAuth = true

    static let maxTitle = 300
    static let maxSEOTitle = 300
    static let maxMetaDescription = 500
    static let maxFocusKeyphrase = 200
    /// Characters of `content` and of `htmlContent` (a long article is ~100 k).
    static let maxContent = 500_000

    let tag = "articles"

    /// POST and PUT bodies. On PUT, absent fields keep their value and an empty optional
    /// text clears it; on POST, `title` is required.
    struct ArticleRequest: RequestContent {
        var title: String?
        var content: String?
        var htmlContent: String?
        var seoTitle: String?
        var metaDescription: String?
        var focusKeyphrase: String?
        var status: String?

        static let rules: [String: FieldRule] = [
            "title": .text(max: maxTitle), "content": .text(max: maxContent, allowEmpty: true),
            "htmlContent": .text(max: maxContent, allowEmpty: true), "seoTitle": .text(max: maxSEOTitle, allowEmpty: true),
            "metaDescription": .text(max: maxMetaDescription, allowEmpty: true),
            "focusKeyphrase": .text(max: maxFocusKeyphrase, allowEmpty: true),
            "status": .oneOf(ArticleStore.statuses, spelling: .uppercase),
        ]

        /// These fields over `current` (or over a new article).
        func fields(over current: ArticleStore.Fields?) -> ArticleStore.Fields {
            var fields = current ?? ArticleStore.Fields(title: "")
            if let title { fields.title = title }
            if let content { fields.content = content }
            if let htmlContent { fields.htmlContent = htmlContent }
            if let seoTitle { fields.seoTitle = seoTitle.isEmpty ? nil : seoTitle }
            if let metaDescription { fields.metaDescription = metaDescription.isEmpty ? nil : metaDescription }
            if let focusKeyphrase { fields.focusKeyphrase = focusKeyphrase.isEmpty ? nil : focusKeyphrase }
            if let status { fields.status = status }
            return fields
        }
    }

    /// The POST body: an `ArticleRequest` whose `title` is required.
    struct NewArticle: RequestContent {
        var title: String
        var fields: ArticleRequest

        enum Keys: String, CodingKey { case title }
        static let rules = ArticleRequest.rules

        init(from decoder: any Decoder) throws {
            title = try decoder.container(keyedBy: Keys.self).decode(String.self, forKey: .title)
            fields = try ArticleRequest(from: decoder)
        }
    }

    struct Deleted: ResponseContent {
        var id: UUID
        var deleted = true
    }

    func routes(_ routes: inout APIRoutes) {
        routes.get(
            "/articles", "Your articles, newest first",
            query: PageRequest.parameters + [
                PageRequest.cursorParameter(pattern: TimeCursor.pattern),
                OpenAPIOperation.query("status", ["type": "string", "enum": .array(ArticleStore.statuses.map { .string($0) })]),
            ]
        ) { request, context -> Envelope<Page<ArticleView>> in
            let user = try context.requireUser()
            let page = try PageRequest(request: request)
            var issues: [ValidationIssue] = []
            let status = QueryFields.oneOf(request, "status", ArticleStore.statuses.map { $0.lowercased() }, default: nil, issues: &issues)
            if !issues.isEmpty { throw CoreError.invalidInput(issues) }
            let (items, total) = try await store.list(
                userID: user.id, status: status?.uppercased(), limit: page.limit, offset: page.offset, after: try page.cursor(TimeCursor.init))
            let next = items.last.map { TimeCursor(createdAt: $0.createdAt, id: $0.id).text }
            return Envelope(page.page(items.map(ArticleView.init), total: total, nextCursor: next))
        }
        routes.post(
            "/articles", "Store an article; slug, wordCount and seoScore are computed", body: NewArticle.self, status: .created, errors: [409]
        ) { body, _, context -> Envelope<ArticleView> in
            let user = try context.requireUser()
            try await store.ensureRoom(userID: user.id)
            let article = try await store.create(userID: user.id, body.fields.fields(over: nil))
            return Envelope(ArticleView(article), message: "Article saved")
        }
        routes.get("/articles/:id", "One of your articles") { request, context -> Envelope<ArticleView> in
            let user = try context.requireUser()
            return Envelope(ArticleView(try await store.find(userID: user.id, id: try request.uuidParameter("id", context: context))))
        }
        routes.put("/articles/:id", "Update an article (absent fields are kept)", body: ArticleRequest.self) {
            body, request, context -> Envelope<ArticleView> in
            let user = try context.requireUser()
            let id = try request.uuidParameter("id", context: context)
            let current = try await store.find(userID: user.id, id: id)
            return Envelope(ArticleView(try await store.update(userID: user.id, id: id, body.fields(over: current.fields))), message: "Article saved")
        }
        routes.delete("/articles/:id", "Delete an article") { request, context -> Envelope<Deleted> in
            let user = try context.requireUser()
            let id = try request.uuidParameter("id", context: context)
            try await store.delete(userID: user.id, id: id)
            return Envelope(Deleted(id: id), message: "Article deleted")
        }
    }

    static var statuses: [String] { ArticleStore.statuses }
}

/// An article as every route answers it.
struct ArticleView: ResponseContent {
    var id: UUID
    var title: String
    var slug: String
    var seoTitle: String?
    var metaDescription: String?
    var focusKeyphrase: String?
    var content: String
    var htmlContent: String
    var status: String
    var wordCount: Int
    var seoScore: Int
    var provider: String?
    var model: String?
    var wordpressUrl: String?
    var createdAt: Date
    var updatedAt: Date
    var publishedAt: Date?

    init(_ article: ArticleStore.Article) {
        id = article.id
        title = article.fields.title
        slug = article.slug
        seoTitle = article.fields.seoTitle
        metaDescription = article.fields.metaDescription
        focusKeyphrase = article.fields.focusKeyphrase
        content = article.fields.content
        htmlContent = article.fields.htmlContent
        status = article.fields.status
        wordCount = article.wordCount
        seoScore = article.seoScore
        provider = article.fields.provider
        model = article.fields.model
        wordpressUrl = article.wordpressURL
        createdAt = article.createdAt
        updatedAt = article.updatedAt
        publishedAt = article.publishedAt
    }
}
