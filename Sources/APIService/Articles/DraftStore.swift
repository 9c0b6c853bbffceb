import Core
import Foundation
import Logging
import PostgresNIO

/// `drafts`: the writer's autosaved work. Saves are versioned (optimistic concurrency):
/// a save must name the version it started from, so a stale tab gets 409 instead of
/// silently overwriting newer work. Single drafts are cached 5 minutes on the shared
/// cache (API.md "Caching"); every write deletes the entry.
struct DraftStore: Sendable {
    let database: Database
    let cache: any KeyValueCache
    var logger: Logger { database.logger }
    static let ttl: Duration = .seconds(300)

    /// A save: nil fields are kept as they are.
    struct Changes: Sendable, Equatable {
        var title: String?
        var config: JSONValue?
        var metadata: JSONValue?
        var sections: JSONValue?
        var ctaContent: String?
    }

    /// A stored draft, as the routes answer it and as the cache keeps it. `config`,
    /// `metadata` and `sections` are the writer's own documents, stored as given.
    struct Draft: ResponseContent, Equatable {
        var id: UUID
        var title: String
        var config: JSONValue
        var metadata: JSONValue
        var sections: JSONValue
        var ctaContent: String
        var version: Int
        var createdAt: Date
        var updatedAt: Date
    }

    static let columns = "id, title, config::text, metadata::text, sections::text, cta_content, version, created_at, updated_at"

    static func cacheKey(userID: UUID, id: UUID) -> String { "draft:\(userID.uuidString):\(id.uuidString)" }

    /// Drafts one user may keep (a 409 CONFLICT beyond it).
    static let maximumPerUser = 1_000

    func create(userID: UUID, _ changes: Changes) async throws -> Draft {
        try await StoredRowLimit.ensureRoom(
            table: "drafts", userID: userID, limit: Self.maximumPerUser, noun: "drafts", database: database, logger: logger)
        let rows = try await database.client.query(
            """
            INSERT INTO drafts (user_id, title, config, metadata, sections, cta_content)
            VALUES (\(userID), \(changes.title ?? ""), \((changes.config ?? [:]).encodedString)::jsonb,
                    \((changes.metadata ?? [:]).encodedString)::jsonb, \((changes.sections ?? []).encodedString)::jsonb, \(changes.ctaContent ?? ""))
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        guard let draft = try await Self.decode(rows).first else { throw CoreError.notFound }
        return draft
    }

    func find(userID: UUID, id: UUID) async throws -> Draft {
        let key = Self.cacheKey(userID: userID, id: id)
        if let bytes = await cache.get(key), let cached = try? WireDecoder.decode(Draft.self, from: Data(bytes)) {
            return cached
        }
        let rows = try await database.client.query(
            "SELECT \(unescaped: Self.columns) FROM drafts WHERE id = \(id) AND user_id = \(userID)", logger: logger)
        guard let draft = try await Self.decode(rows).first else { throw CoreError.notFound }
        if let bytes = try? WireEncoder.encode(draft) { await cache.set(key, Array(buffer: bytes), ttl: Self.ttl) }
        return draft
    }

    /// Most recently saved first.
    func list(userID: UUID, limit: Int, offset: Int) async throws -> ([Draft], Int) {
        var total = 0
        for try await count in try await database.client.query("SELECT count(*) FROM drafts WHERE user_id = \(userID)", logger: logger)
            .decode(Int.self)
        { total = count }
        let rows = try await database.client.query(
            """
            SELECT \(unescaped: Self.columns) FROM drafts WHERE user_id = \(userID)
            ORDER BY updated_at DESC, id LIMIT \(limit) OFFSET \(offset)
            """, logger: logger)
        return (try await Self.decode(rows), total)
    }

    /// Applies `changes` if the draft is still at `version`, moving it to `version + 1` in
    /// the same statement (so two concurrent saves of one version cannot both win).
    /// 404 for a draft the user does not have, 409 for a stale version.
    func save(userID: UUID, id: UUID, version: Int, _ changes: Changes) async throws -> Draft {
        // The cache entry goes first and again after: a reader between the two sees the
        // database, never an entry older than this save.
        let key = Self.cacheKey(userID: userID, id: id)
        await cache.delete(key)
        let rows = try await database.client.query(
            """
            UPDATE drafts SET title = coalesce(\(changes.title), title), config = coalesce(\(changes.config?.encodedString)::jsonb, config),
                metadata = coalesce(\(changes.metadata?.encodedString)::jsonb, metadata),
                sections = coalesce(\(changes.sections?.encodedString)::jsonb, sections), cta_content = coalesce(\(changes.ctaContent), cta_content),
                version = version + 1, updated_at = now()
            WHERE id = \(id) AND user_id = \(userID) AND version = \(version)
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        let saved = try await Self.decode(rows).first
        await cache.delete(key)
        if let saved { return saved }
        var current: Int?
        for try await value in try await database.client.query(
            "SELECT version FROM drafts WHERE id = \(id) AND user_id = \(userID)", logger: logger
        ).decode(Int.self) { current = value }
        guard let current else { throw CoreError.notFound }
        throw CoreError.conflict("The draft was saved elsewhere (version \(current)); reload it before saving")
    }

    func delete(userID: UUID, id: UUID) async throws {
        let key = Self.cacheKey(userID: userID, id: id)
        let rows = try await database.client.query("DELETE FROM drafts WHERE id = \(id) AND user_id = \(userID) RETURNING id", logger: logger)
        var deleted = false
        for try await _ in rows { deleted = true }
        await cache.delete(key)
        if !deleted { throw CoreError.notFound }
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [Draft] {
        func parse(_ text: String) -> JSONValue { (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null }
        var drafts: [Draft] = []
        for try await (id, title, config, metadata, sections, cta, version, created, updated) in rows.decode(
            (UUID, String, String, String, String, String, Int, Date, Date).self)
        {
            drafts.append(
                Draft(
                    id: id, title: title, config: parse(config), metadata: parse(metadata), sections: parse(sections), ctaContent: cta,
                    version: version, createdAt: created, updatedAt: updated))
        }
        return drafts
    }
}
