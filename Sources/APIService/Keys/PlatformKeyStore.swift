import Core
import Crypto
import Foundation
import Logging
import PostgresNIO

/// Platform API keys: `nxf_` + 256 random bits, shown once, stored as SHA-256.
struct PlatformKeyStore: Sendable {
    let database: Database
    var logger: Logger { database.logger }
    static let prefix = "nxf_"
    static let maxKeysPerUser = 20

    struct Key: Sendable, Equatable {
        var id: UUID
        var name: String
        var last4: String
        var createdAt: Date
        var lastUsedAt: Date?
    }

    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return prefix + Data(bytes).base64URLEncodedString()
    }

    static func hash(_ key: String) -> String {
        Hex.sha256(key)
    }

    func create(userID: UUID, name: String) async throws -> (Key, secret: String) {
        let count = try await database.client.query(
            "SELECT count(*)::int FROM platform_api_keys WHERE user_id = \(userID) AND revoked_at IS NULL", logger: logger)
        for try await existing in count.decode(Int.self) where existing >= Self.maxKeysPerUser {
            throw CoreError.conflict("At most \(Self.maxKeysPerUser) active API keys; revoke one first")
        }
        let secret = Self.generate()
        let rows = try await database.client.query(
            """
            INSERT INTO platform_api_keys (user_id, name, key_hash, last4) VALUES (\(userID), \(name), \(Self.hash(secret)), \(String(secret.suffix(4))))
            RETURNING id, name, last4, created_at, last_used_at
            """, logger: logger)
        for try await (id, name, last4, created, used) in rows.decode((UUID, String, String, Date, Date?).self) {
            return (Key(id: id, name: name, last4: last4, createdAt: created, lastUsedAt: used), secret)
        }
        throw CoreError.serviceUnavailable("API key was not stored")
    }

    func list(userID: UUID) async throws -> [Key] {
        var keys: [Key] = []
        let rows = try await database.client.query(
            """
            SELECT id, name, last4, created_at, last_used_at FROM platform_api_keys
            WHERE user_id = \(userID) AND revoked_at IS NULL ORDER BY created_at DESC
            """, logger: logger)
        for try await (id, name, last4, created, used) in rows.decode((UUID, String, String, Date, Date?).self) {
            keys.append(Key(id: id, name: name, last4: last4, createdAt: created, lastUsedAt: used))
        }
        return keys
    }

    /// Revokes the caller's key; false when there is no such active key of theirs.
    func revoke(userID: UUID, id: UUID) async throws -> Bool {
        let rows = try await database.client.query(
            "UPDATE platform_api_keys SET revoked_at = now() WHERE id = \(id) AND user_id = \(userID) AND revoked_at IS NULL RETURNING id",
            logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// The owner of an active key, marking it used (at most once a minute, to keep
    /// authenticated calls from writing on every request).
    func owner(of secret: String) async throws -> UUID? {
        guard secret.hasPrefix(Self.prefix), secret.utf8.count <= 128 else { return nil }
        let rows = try await database.client.query(
            """
            WITH hit AS (SELECT id, user_id, last_used_at FROM platform_api_keys WHERE key_hash = \(Self.hash(secret)) AND revoked_at IS NULL),
            touched AS (
                UPDATE platform_api_keys SET last_used_at = now() WHERE id IN (SELECT id FROM hit)
                AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
            )
            SELECT user_id FROM hit
            """, logger: logger)
        for try await id in rows.decode(UUID.self) { return id }
        return nil
    }
}
