import Core
import Crypto
import Foundation
import Logging
import PostgresNIO

struct MediaAsset: Sendable, Equatable {
    var id: UUID
    var userID: UUID
    var type: String
    var provider: String?
    var prompt: String?
    var storageKey: String?
    var mimeType: String?
    var size: Int?
    var status: String
    var createdAt: Date
}

/// `media_assets` rows and the files behind them.
struct MediaStore: Sendable {
    let database: Database
    let storage: any MediaStorage
    var logger: Logger { database.logger }
    static let columns = "id, user_id, type, provider, prompt, storage_key, mime_type, size, status, created_at"

    func create(userID: UUID, type: String, provider: String?, model: String?, prompt: String?, bytes: [UInt8], mimeType: String) async throws
        -> MediaAsset
    {
        let key = try await storage.put(bytes)
        let rows = try await database.client.query(
            """
            INSERT INTO media_assets (user_id, type, provider, model, prompt, storage_key, mime_type, size, status)
            VALUES (\(userID), \(type), \(provider), \(model), \(prompt), \(key), \(mimeType), \(bytes.count), 'completed')
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        guard let asset = try await Self.first(rows) else { throw CoreError.serviceUnavailable("Media was not stored") }
        return asset
    }

    func asset(id: UUID, userID: UUID? = nil) async throws -> MediaAsset? {
        let rows = try await database.client.query(
            "SELECT \(unescaped: Self.columns) FROM media_assets WHERE id = \(id) AND (\(userID)::uuid IS NULL OR user_id = \(userID))",
            logger: logger)
        return try await Self.first(rows)
    }

    func list(userID: UUID, type: String?, page: PageRequest) async throws -> ([MediaAsset], Int) {
        var assets: [MediaAsset] = []
        let rows = try await database.client.query(
            """
            SELECT \(unescaped: Self.columns) FROM media_assets WHERE user_id = \(userID) AND (\(type)::text IS NULL OR type = \(type))
            ORDER BY created_at DESC, id LIMIT \(page.limit) OFFSET \(page.offset)
            """, logger: logger)
        for try await row in rows { assets.append(try Self.decode(row)) }
        var total = 0
        for try await count in try await database.client.query(
            "SELECT count(*)::int FROM media_assets WHERE user_id = \(userID) AND (\(type)::text IS NULL OR type = \(type))", logger: logger
        ).decode(Int.self) { total = count }
        return (assets, total)
    }

    /// Deletes the caller's asset; the file goes too when no other asset shares it.
    func delete(id: UUID, userID: UUID) async throws -> Bool {
        let rows = try await database.client.query(
            "DELETE FROM media_assets WHERE id = \(id) AND user_id = \(userID) RETURNING storage_key", logger: logger)
        var found = false
        var key: String?
        for try await stored in rows.decode(String?.self) {
            found = true
            key = stored
        }
        if let key {
            var shared = false
            for try await _ in try await database.client.query("SELECT 1 FROM media_assets WHERE storage_key = \(key) LIMIT 1", logger: logger) {
                shared = true
            }
            if !shared { try await storage.delete(key) }
        }
        return found
    }

    static func first(_ rows: PostgresRowSequence) async throws -> MediaAsset? {
        for try await row in rows { return try decode(row) }
        return nil
    }

    static func decode(_ row: PostgresRow) throws -> MediaAsset {
        let (id, user, type, provider, prompt, key, mime, size, status, created) =
            try row.decode((UUID, UUID, String, String?, String?, String?, String?, Int?, String, Date).self)
        return MediaAsset(
            id: id, userID: user, type: type, provider: provider, prompt: prompt, storageKey: key, mimeType: mime, size: size, status: status,
            createdAt: created)
    }
}

/// `?expires=&signature=` links to a file, for `<img src>` and CDNs that carry no token.
struct SignedMediaURLs: Sendable {
    let key: SymmetricKey
    let baseURL: String
    let lifetime: Duration

    init(secret: String, baseURL: String, lifetime: Duration) {
        key = SymmetricKey(data: SHA256.hash(data: Data(("media-url:" + secret).utf8)))
        self.baseURL = baseURL
        self.lifetime = lifetime
    }

    func signature(id: UUID, expires: Int) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data("\(id.lowercasedString)|\(expires)".utf8), using: key)).base64URLEncodedString()
    }

    func url(for id: UUID, now: Date = Date()) -> String {
        let expires = Int(now.timeIntervalSince1970) + Int(lifetime.components.seconds)
        return "\(baseURL)/api/v1/media/\(id.lowercasedString)/file?expires=\(expires)&signature=\(signature(id: id, expires: expires))"
    }

    func isValid(id: UUID, expires: String?, signature: String?, now: Date = Date()) -> Bool {
        guard let expires, let seconds = Int(expires), let signature, let given = Data(base64URLEncoded: signature),
            Double(seconds) >= now.timeIntervalSince1970
        else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: Data("\(id.lowercasedString)|\(seconds)".utf8), using: key)
    }
}
