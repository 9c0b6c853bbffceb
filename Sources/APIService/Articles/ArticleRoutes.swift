import Core
import Foundation
import Hummingbird

/// GET/POST /articles, GET/PUT/DELETE /articles/{id}: the user's stored articles.
struct ArticleRoutes: APIRouteCollection {
    let store: ArticleStore
    let requiresAuth = true

    static let maxTitle = 300
    static let maxSEOTitle = 300
    static let maxMetaDescription = 500
    static let maxFocusKeyphrase = 200
    /// Characters of `content` and of `htmlContent` (a long article is ~100 k).
    static let maxContent = 500_000

    var operations: [OpenAPIOperation] {
        let body = OpenAPIDocument.object([
            "title": OpenAPIDocument.string, "content": OpenAPIDocument.string, "htmlContent": OpenAPIDocument.string,
            "seoTitle": OpenAPIDocument.string, "metaDescription": OpenAPIDocument.string, "focusKeyphrase": OpenAPIDocument.string,
            "status": OpenAPIDocument.string,
        ])
        return [
            OpenAPIOperation("GET", "/articles", summary: "Your articles, newest first (?page=&limit=&status=DRAFT|PUBLISHED|ARCHIVED)", tag: "articles", requiresAuth: true),
            OpenAPIOperation("POST", "/articles", summary: "Store an article; slug, wordCount and seoScore are computed", tag: "articles", requiresAuth: true,
                requestBody: body),
            OpenAPIOperation("GET", "/articles/:id", summary: "One of your articles", tag: "articles", requiresAuth: true),
            OpenAPIOperation("PUT", "/articles/:id", summary: "Update an article (absent fields are kept)", tag: "articles", requiresAuth: true, requestBody: body),
            OpenAPIOperation("DELETE", "/articles/:id", summary: "Delete an article", tag: "articles", requiresAuth: true),
        ]
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("/articles") { request, context in
            let user = try context.requireUser()
            let page = try PageRequest(request: request)
            var issues: [ValidationIssue] = []
            let status = QueryFields.oneOf(request, "status", ArticleStore.statuses.map { $0.lowercased() }, default: nil, issues: &issues)
            if !issues.isEmpty { throw CoreError.invalidInput(issues) }
            let (items, total) = try await store.list(userID: user.id, status: status?.uppercased(), limit: page.limit, offset: page.offset)
            return Envelope.ok(page.page(items.map(\.json), total: total))
        }
        group.post("/articles") { request, context in
            let user = try context.requireUser()
            var body = try await BodyFields.read(request, context: context)
            let fields = Self.fields(&body, over: nil)
            try body.check()
            guard let fields else { throw CoreError.invalidInput([.missing("title")]) }
            try await store.ensureRoom(userID: user.id)
            let article = try await store.create(userID: user.id, fields)
            return Envelope.ok(article.json, message: "Article saved", status: .created)
        }
        group.get("/articles/:id") { request, context in
            let user = try context.requireUser()
            return Envelope.ok(try await store.find(userID: user.id, id: try request.uuidParameter("id", context: context)).json)
        }
        group.put("/articles/:id") { request, context in
            let user = try context.requireUser()
            let id = try request.uuidParameter("id", context: context)
            var body = try await BodyFields.read(request, context: context)
            let current = try await store.find(userID: user.id, id: id)
            let fields = Self.fields(&body, over: current.fields)
            try body.check()
            guard let fields else { throw CoreError.notFound }
            return Envelope.ok(try await store.update(userID: user.id, id: id, fields).json, message: "Article saved")
        }
        group.delete("/articles/:id") { request, context in
            let user = try context.requireUser()
            let id = try request.uuidParameter("id", context: context)
            try await store.delete(userID: user.id, id: id)
            return Envelope.ok(["id": id.json, "deleted": true], message: "Article deleted")
        }
    }

    /// The body's fields over `current` (absent fields kept; an empty optional text clears
    /// it). Without `current`, `title` is required. Problems are collected in `body`.
    static func fields(_ body: inout BodyFields, over current: ArticleStore.Fields?) -> ArticleStore.Fields? {
        var fields = current ?? ArticleStore.Fields(title: "")
        let title = body.string("title", required: current == nil, maxLength: maxTitle)
        if let title { fields.title = title }
        if let content = body.string("content", maxLength: maxContent, allowEmpty: true) { fields.content = content }
        if let html = body.string("htmlContent", maxLength: maxContent, allowEmpty: true) { fields.htmlContent = html }
        if let text = body.string("seoTitle", maxLength: maxSEOTitle, allowEmpty: true) { fields.seoTitle = text.isEmpty ? nil : text }
        if let text = body.string("metaDescription", maxLength: maxMetaDescription, allowEmpty: true) {
            fields.metaDescription = text.isEmpty ? nil : text
        }
        if let text = body.string("focusKeyphrase", maxLength: maxFocusKeyphrase, allowEmpty: true) {
            fields.focusKeyphrase = text.isEmpty ? nil : text
        }
        if let status = body.oneOf("status", statuses, uppercased: true) { fields.status = status }
        return fields.title.isEmpty ? nil : fields
    }

    static var statuses: [String] { ArticleStore.statuses }
}
