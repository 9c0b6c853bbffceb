import Core
import Foundation
import Hummingbird

/// POST /articles/{id}/publish: posts a stored article to the user's WordPress site and
/// marks it PUBLISHED. Charged as `wordpress_publish` (credits and the `wordpress` quota,
/// which FREE lacks: 403 FEATURE_NOT_AVAILABLE); released when WordPress fails (502), and
/// a retried `Idempotency-Key` answers the first result without posting twice.
struct PublishRoutes: APIRouteCollection {
    let store: ArticleStore
    let wordpress: WordPressClient
    let reservations: CreditReservations
    let requiresAuth = true

    static let feature = "wordpress_publish"

    var operations: [OpenAPIOperation] {
        [
            OpenAPIOperation("POST", "/articles/:id/publish",
                summary: "Publish to WordPress (REST API, application password; Idempotency-Key honoured): {url, remoteId}",
                tag: "articles", requiresAuth: true,
                requestBody: OpenAPIDocument.object(
                    ["wordpressUrl": OpenAPIDocument.string, "username": OpenAPIDocument.string, "applicationPassword": OpenAPIDocument.string],
                    required: ["wordpressUrl", "username", "applicationPassword"])),
        ]
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("/articles/:id/publish") { request, context in
            let user = try context.requireUser()
            let id = try request.uuidParameter("id", context: context)
            let key = try request.idempotencyKey()
            var body = try await BodyFields.read(request, context: context)
            let url = body.string("wordpressUrl", required: true, maxLength: 2_000)
            let username = body.string("username", required: true, maxLength: 200)
            // Trimmed like every field: WordPress shows application passwords in groups
            // separated by inner spaces, which are kept (and which it accepts).
            let password = body.string("applicationPassword", required: true, maxLength: 200)
            var base: String?
            if let url {
                base = WordPressClient.baseURL(url)
                if base == nil { body.fail("wordpressUrl", "url_parsing", "wordpressUrl must be an http or https URL without credentials") }
            }
            try body.check()
            guard let base, let username, let password else { throw CoreError.invalidInput([.missing("wordpressUrl")]) }
            // 404 before anything is reserved.
            let article = try await store.find(userID: user.id, id: id)
            // The address is checked (and pinned) before anything is reserved or sent.
            let target: GuardedHTTPClient.Target
            do {
                target = try await wordpress.outbound.target(for: base)
            } catch let error as OutboundRefusal {
                throw CoreError.invalidInput([
                    ValidationIssue(type: "url_not_allowed", path: ["wordpressUrl"], message: "wordpressUrl: \(error.message)", input: .string(base))
                ])
            }
            let site = WordPressClient.Site(baseURL: base, username: username, applicationPassword: password, target: target)
            let store = self.store
            let wordpress = self.wordpress
            let result = try await reservations.perform(userID: user.id, feature: Self.feature, idempotencyKey: key) { _ in
                let post = WordPressClient.Post(
                    title: article.fields.title,
                    content: article.fields.htmlContent.isEmpty ? article.fields.content : article.fields.htmlContent,
                    slug: article.slug, excerpt: article.fields.metaDescription ?? "")
                let published = try await wordpress.publish(post, to: site)
                _ = try await store.markPublished(userID: user.id, id: id, url: published.url, remoteID: published.remoteID)
                return [
                    "url": .string(published.url),
                    "remoteId": Int(published.remoteID).map(JSONValue.int) ?? .string(published.remoteID),
                ]
            }
            return Envelope.ok(result, message: "Article published")
        }
    }
}
