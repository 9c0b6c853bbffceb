import Core
import Foundation
import Logging
import PostgresNIO

/// `articles`: a user's stored articles. A plain value so that the writer pipeline can
/// call `create` directly (inside its own credit reservation).
struct ArticleStore: Sendable {
    let database: Database
    var logger: Logger { database.logger }
    let analyzer = SEOAnalyzer()

    static let statuses = ["DRAFT", "PUBLISHED", "ARCHIVED"]

    /// What a client (or the generator) supplies; slug, word count and SEO score are
    /// computed from it.
    struct Fields: Sendable, Equatable {
        var title: String
        var content = ""
        var htmlContent = ""
        var seoTitle: String?
        var metaDescription: String?
        var focusKeyphrase: String?
        var status = "DRAFT"
        var provider: String?
        var model: String?

        /// `htmlContent` through the allow-list, on every write: the frontend renders it
        /// as HTML, whether a model or a client wrote it.
        var sanitized: Fields {
            var copy = self
            copy.htmlContent = HTMLSanitizer.sanitize(htmlContent)
            return copy
        }
    }

    struct Article: Sendable, Equatable {
        var id: UUID
        var fields: Fields
        var slug: String
        var wordCount: Int
        var seoScore: Int
        var wordpressURL: String?
        var wordpressRemoteID: String?
        var createdAt: Date
        var updatedAt: Date
        var publishedAt: Date?
    }

    static let columns = """
        id, title, slug, seo_title, meta_description, focus_keyphrase, content, html_content, status, word_count, seo_score, \
        provider, model, wordpress_url, wordpress_remote_id, created_at, updated_at, published_at
        """

    /// (wordCount, seoScore) of the HTML (or, without HTML, the plain content).
    func measure(_ fields: Fields) -> (Int, Int) {
        let html = fields.htmlContent.isEmpty ? fields.content : fields.htmlContent
        let result = analyzer.analyze(
            SEOAnalyzer.Input(
                html: html, keywords: [], focusKeyphrase: fields.focusKeyphrase, title: fields.seoTitle ?? fields.title,
                metaDescription: fields.metaDescription))
        return (result.wordCount, result.overallScore)
    }

    /// Articles one user may keep (a 409 CONFLICT beyond it): storage per user is bounded.
    static let maximumPerUser = 10_000

    /// Throws 409 when the user already keeps `maximumPerUser` articles. Checked before
    /// any charge: a paid generation is always stored.
    func ensureRoom(userID: UUID) async throws {
        try await StoredRowLimit.ensureRoom(
            table: "articles", userID: userID, limit: Self.maximumPerUser, noun: "articles", database: database, logger: logger)
    }

    func create(userID: UUID, _ fields: Fields) async throws -> Article {
        let fields = fields.sanitized
        let (words, score) = measure(fields)
        // A concurrent insert may take the same slug between the look-up and the insert;
        // the unique index refuses it and the next attempt picks another suffix.
        for attempt in 1...5 {
            let slug = try await uniqueSlug(userID: userID, title: fields.title, excluding: nil)
            do {
                let rows = try await database.client.query(
                    """
                    INSERT INTO articles (user_id, title, slug, seo_title, meta_description, focus_keyphrase, content, html_content, status,
                                          word_count, seo_score, provider, model, published_at)
                    VALUES (\(userID), \(fields.title), \(slug), \(fields.seoTitle), \(fields.metaDescription), \(fields.focusKeyphrase),
                            \(fields.content), \(fields.htmlContent), \(fields.status), \(words), \(score), \(fields.provider), \(fields.model),
                            CASE WHEN \(fields.status) = 'PUBLISHED' THEN now() END)
                    RETURNING \(unescaped: Self.columns)
                    """, logger: logger)
                if let article = try await Self.decode(rows).first { return article }
            } catch let error as PSQLError where error.isUniqueViolation && attempt < 5 {
                continue
            }
        }
        throw CoreError.conflict("Could not choose a unique slug")
    }

    func find(userID: UUID, id: UUID) async throws -> Article {
        let rows = try await database.client.query(
            "SELECT \(unescaped: Self.columns) FROM articles WHERE id = \(id) AND user_id = \(userID)", logger: logger)
        guard let article = try await Self.decode(rows).first else { throw CoreError.notFound }
        return article
    }

    /// Newest first, optionally of one status; with `after`, the articles after that
    /// position (a keyset page, as cheap however deep; `offset` is then ignored).
    func list(userID: UUID, status: String?, limit: Int, offset: Int, after: TimeCursor? = nil) async throws -> ([Article], Int) {
        var total = 0
        for try await count in try await database.client.query(Self.countQuery(userID: userID, status: status), logger: logger).decode(Int.self) {
            total = count
        }
        let rows = try await database.client.query(
            Self.pageQuery(userID: userID, status: status, limit: limit, offset: offset, after: after), logger: logger)
        return (try await Self.decode(rows), total)
    }

    static func countQuery(userID: UUID, status: String?) -> PostgresQuery {
        "SELECT count(*) FROM articles WHERE user_id = \(userID) AND (\(status)::text IS NULL OR status = \(status))"
    }

    static func pageQuery(userID: UUID, status: String?, limit: Int, offset: Int, after: TimeCursor?) -> PostgresQuery {
        """
        SELECT \(unescaped: columns) FROM articles WHERE user_id = \(userID) AND (\(status)::text IS NULL OR status = \(status))
          AND \(after: after, createdAt: "created_at", id: "id")
        ORDER BY created_at DESC, id LIMIT \(limit) OFFSET \(after == nil ? offset : 0)
        """
    }

    /// Saves `fields` over the article; the slug follows a changed title, and the first
    /// move to PUBLISHED stamps `published_at`.
    func update(userID: UUID, id: UUID, _ fields: Fields) async throws -> Article {
        let fields = fields.sanitized
        let current = try await find(userID: userID, id: id)
        let (words, score) = measure(fields)
        for attempt in 1...5 {
            let slug =
                fields.title == current.fields.title
                ? current.slug : try await uniqueSlug(userID: userID, title: fields.title, excluding: id)
            do {
                let rows = try await database.client.query(
                    """
                    UPDATE articles SET title = \(fields.title), slug = \(slug), seo_title = \(fields.seoTitle),
                        meta_description = \(fields.metaDescription), focus_keyphrase = \(fields.focusKeyphrase), content = \(fields.content),
                        html_content = \(fields.htmlContent), status = \(fields.status), word_count = \(words), seo_score = \(score),
                        published_at = CASE WHEN \(fields.status) = 'PUBLISHED' THEN coalesce(published_at, now()) ELSE published_at END,
                        updated_at = now()
                    WHERE id = \(id) AND user_id = \(userID)
                    RETURNING \(unescaped: Self.columns)
                    """, logger: logger)
                guard let article = try await Self.decode(rows).first else { throw CoreError.notFound }
                return article
            } catch let error as PSQLError where error.isUniqueViolation && attempt < 5 {
                continue
            }
        }
        throw CoreError.conflict("Could not choose a unique slug")
    }

    func delete(userID: UUID, id: UUID) async throws {
        let rows = try await database.client.query(
            "DELETE FROM articles WHERE id = \(id) AND user_id = \(userID) RETURNING id", logger: logger)
        for try await _ in rows { return }
        throw CoreError.notFound
    }

    /// Records a successful WordPress publication, and in the same statement the
    /// `article_published` notification (which the mailer turns into an e-mail for users
    /// who want it; deduplicated per article and remote post).
    func markPublished(userID: UUID, id: UUID, url: String, remoteID: String) async throws -> Article {
        let rows = try await database.client.query(
            """
            WITH updated AS (
                UPDATE articles SET status = 'PUBLISHED', published_at = now(), wordpress_url = \(url), wordpress_remote_id = \(remoteID),
                    updated_at = now()
                WHERE id = \(id) AND user_id = \(userID)
                RETURNING \(unescaped: Self.columns)
            ), notice AS (
                INSERT INTO notifications (user_id, type, title, message, data, dedupe_key)
                SELECT \(userID), 'article_published', 'Article published', 'Your article "' || title || '" is live on WordPress.',
                       jsonb_build_object('articleId', id, 'url', wordpress_url), 'article_published:' || id::text || ':' || wordpress_remote_id
                FROM updated
                ON CONFLICT DO NOTHING
            )
            SELECT \(unescaped: Self.columns) FROM updated
            """, logger: logger)
        guard let article = try await Self.decode(rows).first else { throw CoreError.notFound }
        return article
    }

    /// The title's slug, or with the smallest free numeric suffix (`my-post-2`) when the
    /// user already has it.
    func uniqueSlug(userID: UUID, title: String, excluding: UUID?) async throws -> String {
        let base = Slug.make(title)
        var taken: Set<String> = []
        let rows = try await database.client.query(
            """
            SELECT slug FROM articles WHERE user_id = \(userID) AND (slug = \(base) OR slug LIKE \(base + "-%"))
            AND (\(excluding)::uuid IS NULL OR id <> \(excluding))
            """, logger: logger)
        for try await slug in rows.decode(String.self) { taken.insert(slug) }
        if !taken.contains(base) { return base }
        var suffix = 2
        while taken.contains("\(base)-\(suffix)") { suffix += 1 }
        return "\(base)-\(suffix)"
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [Article] {
        var articles: [Article] = []
        for try await row in rows {
            let cells = row.makeRandomAccess()
            let fields = Fields(
                title: try cells["title"].decode(String.self), content: try cells["content"].decode(String.self),
                htmlContent: try cells["html_content"].decode(String.self), seoTitle: try cells["seo_title"].decode(String?.self),
                metaDescription: try cells["meta_description"].decode(String?.self),
                focusKeyphrase: try cells["focus_keyphrase"].decode(String?.self), status: try cells["status"].decode(String.self),
                provider: try cells["provider"].decode(String?.self), model: try cells["model"].decode(String?.self))
            articles.append(
                Article(
                    id: try cells["id"].decode(UUID.self), fields: fields, slug: try cells["slug"].decode(String.self),
                    wordCount: try cells["word_count"].decode(Int.self), seoScore: try cells["seo_score"].decode(Int.self),
                    wordpressURL: try cells["wordpress_url"].decode(String?.self),
                    wordpressRemoteID: try cells["wordpress_remote_id"].decode(String?.self),
                    createdAt: try cells["created_at"].decode(Date.self), updatedAt: try cells["updated_at"].decode(Date.self),
                    publishedAt: try cells["published_at"].decode(Date?.self)))
        }
        return articles
    }
}
