import Core
import Foundation
import Hummingbird

/// POST /articles/{id}/publish: posts a stored article to the user's WordPress site and
/// marks it PUBLISHED. Charged as `wordpress_publish` (credits and the `wordpress` quota,
/// which FREE lacks: 403 FEATURE_NOT_AVAILABLE); released when WordPress fails (502), and
/// a retried `Idempotency-Key` answers the first result without posting twice.
struct PublishRoutes: TypedRouteCollection {
    let store: ArticleStore
    let wordpress: WordPressClient
    let reservations: CreditReservations
    let requiresAuth = true

    static let feature = "wordpress_publish"

    let tag = "articles"

    struct PublishRequest: RequestContent {
        var wordpressUrl: String
        var username: String
        /// Trimmed like every field: WordPress shows application passwords in groups
        /// separated by inner spaces, which are kept (and which it accepts).
        var applicationPassword: String

        static let rules: [String: FieldRule] = [
            // What `WordPressClient.baseURL` takes: http(s), a host, no credentials, query or fragment.
            "wordpressUrl": .text(
                max: 2_000, pattern: #"^[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\s?#@]*)?$"#,
                message: "must be an http or https URL without credentials"),
            "username": .text(max: 200), "applicationPassword": .text(max: 200),
        ]

        func validate(_ issues: inout [ValidationIssue]) {
            if WordPressClient.baseURL(wordpressUrl) == nil {
                issues.append(
                    ValidationIssue(
                        type: "url_parsing", path: ["wordpressUrl"], message: "wordpressUrl must be an http or https URL without credentials",
                        input: .string(wordpressUrl)))
            }
        }
    }

    struct Published: ResponseContent {
        var url: String
        /// WordPress's post id: a number (a string only if WordPress sent one).
        var remoteId: JSONValue
    }

    func routes(_ routes: inout APIRoutes) {
        routes.post(
            "/articles/:id/publish", "Publish to WordPress (REST API, application password; Idempotency-Key honoured)", body: PublishRequest.self,
            errors: [402, 403, 409, 502]
        ) { body, request, context -> Envelope<Published> in
            let user = try context.requireUser()
            let id = try request.uuidParameter("id", context: context)
            let key = try request.idempotencyKey()
            guard let base = WordPressClient.baseURL(body.wordpressUrl) else { throw CoreError.invalidInput([.missing("wordpressUrl")]) }
            let username = body.username
            let password = body.applicationPassword
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
                let remoteID: JSONValue = Int(published.remoteID).map(JSONValue.int) ?? .string(published.remoteID)
                return ["url": .string(published.url), "remoteId": remoteID] as JSONValue
            }
            return Envelope(try result.decoded(as: Published.self), message: "Article published")
        }
    }
}
