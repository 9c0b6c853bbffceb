import Core
import Foundation
import Logging
import PostgresNIO

/// The AI providers a user can bring their own key for (the names the frontend uses).
enum KeyedProvider: String, CaseIterable, Sendable {
    case gemini = "GEMINI"
    case openai = "OPENAI"
    case anthropic = "ANTHROPIC"
    case llama = "LLAMA"

    /// Accepts `gemini`, `GEMINI`, `Gemini`.
    init?(name: String) {
        self.init(rawValue: name.uppercased())
    }
}

/// Users' own provider keys, sealed with `SecretBox`. A user's key takes precedence over
/// the platform's key for that provider (the AI layer reads it with `key(for:provider:)`).
struct ProviderKeyStore: Sendable {
    let database: Database
    let box: SecretBox
    /// Each user's keys as stored (sealed), kept by the read model: every generation
    /// reads them. Writes here drop the entry; other writers (the auth service unlinking
    /// an account, psql) are followed through the change feed.
    var sealedKeys: ReadModelCache<UUID, [String: [UInt8]]>?
    var logger: Logger { database.logger }

    struct Status: Sendable, Equatable {
        var configured: Bool
        var last4: String?
    }

    static func context(_ userID: UUID, _ provider: KeyedProvider) -> String {
        "provider-key:\(userID.lowercasedString):\(provider.rawValue)"
    }

    func set(userID: UUID, provider: KeyedProvider, key: String) async throws -> Status {
        let sealed = try box.seal(key, context: Self.context(userID, provider))
        let last4 = String(key.suffix(4))
        try await database.client.query(
            """
            INSERT INTO user_provider_keys (user_id, provider, sealed_key, last4) VALUES (\(userID), \(provider.rawValue), \(ByteBuffer(bytes: sealed)), \(last4))
            ON CONFLICT (user_id, provider) DO UPDATE SET sealed_key = EXCLUDED.sealed_key, last4 = EXCLUDED.last4, updated_at = now()
            """, logger: logger)
        sealedKeys?.invalidate(userID)
        return Status(configured: true, last4: last4)
    }

    func delete(userID: UUID, provider: KeyedProvider) async throws {
        defer { sealedKeys?.invalidate(userID) }
        try await database.client.query(
            "DELETE FROM user_provider_keys WHERE user_id = \(userID) AND provider = \(provider.rawValue)", logger: logger)
    }

    func statuses(userID: UUID) async throws -> [KeyedProvider: Status] {
        var result = Dictionary(uniqueKeysWithValues: KeyedProvider.allCases.map { ($0, Status(configured: false)) })
        let rows = try await database.client.query("SELECT provider, last4 FROM user_provider_keys WHERE user_id = \(userID)", logger: logger)
        for try await (name, last4) in rows.decode((String, String).self) {
            if let provider = KeyedProvider(rawValue: name) { result[provider] = Status(configured: true, last4: last4) }
        }
        return result
    }

    /// All of the user's keys in clear, by the AI provider they unlock, for one generation
    /// (one query).
    func keys(for userID: UUID) async throws -> [AIProviderID: String] {
        var result: [AIProviderID: String] = [:]
        let stored: [String: [UInt8]]
        if let sealedKeys {
            stored = try await sealedKeys.value(for: userID) { try await sealed(userID) }
        } else {
            stored = try await sealed(userID)
        }
        for (name, sealed) in stored {
            guard let provider = KeyedProvider(rawValue: name), let id = AIProviderID(rawValue: name.lowercased()) else { continue }
            if let key = try? box.open(sealed, context: Self.context(userID, provider)) {
                result[id] = key
            } else {
                logger.error("a stored provider key does not open with ENCRYPTION_KEY", metadata: ["provider": "\(name)"])
            }
        }
        return result
    }

    /// The user's keys as stored, by provider name.
    func sealed(_ userID: UUID) async throws -> [String: [UInt8]] {
        var stored: [String: [UInt8]] = [:]
        let rows = try await database.client.query(
            "SELECT provider, sealed_key FROM user_provider_keys WHERE user_id = \(userID)", logger: logger)
        for try await (name, sealed) in rows.decode((String, ByteBuffer).self) { stored[name] = Array(buffer: sealed) }
        return stored
    }

    /// The user's key in clear, for a provider call. A row that no longer opens (the
    /// encryption key changed) counts as absent and is logged, never shown.
    func key(for userID: UUID, provider: KeyedProvider) async throws -> String? {
        let rows = try await database.client.query(
            "SELECT sealed_key FROM user_provider_keys WHERE user_id = \(userID) AND provider = \(provider.rawValue)", logger: logger)
        for try await sealed in rows.decode(ByteBuffer.self) {
            do {
                return try box.open(Array(buffer: sealed), context: Self.context(userID, provider))
            } catch {
                logger.error("a stored provider key does not open with ENCRYPTION_KEY", metadata: ["provider": "\(provider.rawValue)"])
                return nil
            }
        }
        return nil
    }
}
