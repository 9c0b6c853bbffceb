import Core
import Foundation
import Logging
import PostgresNIO

/// A user's preferences (`user_settings`), cached 10 minutes on the shared cache; every
/// write drops the entry so no reader sees a stale value after a save.
struct SettingsStore: Sendable {
    let database: Database
    let cache: any KeyValueCache
    var logger: Logger { database.logger }
    static let ttl: Duration = .seconds(600)
    /// The providers a user may choose as default (`offline` runs without keys).
    static let providers = ["gemini", "openai", "anthropic", "llama", "offline"]

    struct Settings: Sendable, Equatable, Codable {
        var defaultProvider: String?
        var focusKeyphrase: String?
        var preferences: JSONValue = [:]
        var email: EmailSettings = EmailSettings()
    }

    /// Which automatic e-mails the user receives. Product news is opt-in.
    struct EmailSettings: Sendable, Equatable, Codable {
        var quotaWarnings = true
        var usageReset = true
        var subscription = true
        var articlePublished = true
        var product = false

        var json: JSONValue {
            [
                "quotaWarnings": .bool(quotaWarnings), "usageReset": .bool(usageReset), "subscription": .bool(subscription),
                "articlePublished": .bool(articlePublished), "product": .bool(product),
            ]
        }

        init() {}

        init(stored: JSONValue) {
            func flag(_ key: String, _ fallback: Bool) -> Bool { stored[key]?.boolValue ?? fallback }
            quotaWarnings = flag("quotaWarnings", true)
            usageReset = flag("usageReset", true)
            subscription = flag("subscription", true)
            articlePublished = flag("articlePublished", true)
            product = flag("product", false)
        }
    }

    static func cacheKey(_ userID: UUID) -> String { "settings:" + userID.uuidString }

    func settings(userID: UUID) async throws -> Settings {
        if let bytes = await cache.get(Self.cacheKey(userID)), let cached = try? JSONDecoder().decode(Settings.self, from: Data(bytes)) {
            return cached
        }
        var settings = Settings()
        let rows = try await database.client.query(
            "SELECT default_provider, focus_keyphrase, preferences::text, email_settings::text FROM user_settings WHERE user_id = \(userID)",
            logger: logger)
        for try await (provider, keyphrase, preferences, email) in rows.decode((String?, String?, String, String).self) {
            settings.defaultProvider = provider
            settings.focusKeyphrase = keyphrase
            settings.preferences = (try? JSONDecoder().decode(JSONValue.self, from: Data(preferences.utf8))) ?? [:]
            settings.email = EmailSettings(stored: (try? JSONDecoder().decode(JSONValue.self, from: Data(email.utf8))) ?? [:])
        }
        if let data = try? JSONEncoder().encode(settings) { await cache.set(Self.cacheKey(userID), Array(data), ttl: Self.ttl) }
        return settings
    }

    func save(userID: UUID, _ settings: Settings) async throws {
        let preferences = String(decoding: settings.preferences.encodedData(), as: UTF8.self)
        let email = String(decoding: settings.email.json.encodedData(), as: UTF8.self)
        try await database.client.query(
            """
            INSERT INTO user_settings (user_id, default_provider, focus_keyphrase, preferences, email_settings)
            VALUES (\(userID), \(settings.defaultProvider), \(settings.focusKeyphrase), \(preferences)::jsonb, \(email)::jsonb)
            ON CONFLICT (user_id) DO UPDATE SET default_provider = EXCLUDED.default_provider, focus_keyphrase = EXCLUDED.focus_keyphrase,
                preferences = EXCLUDED.preferences, email_settings = EXCLUDED.email_settings, updated_at = now()
            """, logger: logger)
        await cache.delete(Self.cacheKey(userID))
    }
}
