import Core
import Foundation
import Logging
import PostgresNIO

/// The platform's AI settings (`admin_settings`, one row) and the feature prices
/// (`feature_prices`), read and written together as GET/PUT /admin/settings.
struct AdminSettingsStore: Sendable {
    let database: Database
    /// The settings as every generation reads them (to route providers), kept in process
    /// and dropped by the change feed (`admin_settings`, `feature_prices`) and by `update`.
    var cache: ReadModelCache<Int, Settings>?
    var logger: Logger { database.logger }

    /// The feed's changes that make the cached settings stale.
    static func isStale(after change: ChangeFeed.Change) -> Bool {
        switch change {
        case .table("admin_settings"), .table("feature_prices"), .everything: true
        default: false
        }
    }

    /// The names `DEFAULT_AI_PROVIDER` / `AI_FALLBACK_ORDER` use; `offline` is the
    /// built-in deterministic provider.
    static let providers = ["gemini", "openai", "anthropic", "llama", "offline"]
    static let maximumPrice = 1_000_000

    struct Settings: Sendable, Equatable {
        var provider: String
        var focusKeyphrase: String
        var fallbackOrder: [String]
        var enabledProviders: [String]
        var prices: [String: Int]
        var updatedAt: Date?
        var updatedBy: UUID?

        /// The fields an admin edits, for the audit log's before/after.
        var editable: [String: JSONValue] {
            [
                "provider": .string(provider), "focusKeyphrase": .string(focusKeyphrase),
                "fallbackOrder": .array(fallbackOrder.map(JSONValue.string)),
                "enabledProviders": .array(enabledProviders.map(JSONValue.string)),
            ]
        }
    }

    /// A partial update: nil leaves a field unchanged; `prices` lists only the features
    /// to reprice.
    struct Change: Sendable {
        var provider: String?
        var focusKeyphrase: String?
        var fallbackOrder: [String]?
        var enabledProviders: [String]?
        var prices: [String: Int] = [:]
    }

    func settings(on runner: (any SQLRunner)? = nil) async throws -> Settings {
        guard runner == nil, let cache else { return try await read(on: runner ?? database.client) }
        return try await cache.value(for: 0) { try await read(on: database.client) }
    }

    private func read(on runner: any SQLRunner) async throws -> Settings {
        var settings = Settings(
            provider: "gemini", focusKeyphrase: "", fallbackOrder: ["gemini", "openai", "anthropic", "llama"],
            enabledProviders: Self.providers, prices: [:])
        for try await (provider, keyphrase, order, enabled, updatedAt, updatedBy) in try await runner.run(
            "SELECT provider, focus_keyphrase, fallback_order::text, enabled_providers::text, updated_at, updated_by FROM admin_settings WHERE id = 1",
            logger: logger
        ).decode((String, String, String, String, Date, UUID?).self) {
            settings.provider = provider
            settings.focusKeyphrase = keyphrase
            settings.fallbackOrder = (try? JSONDecoder().decode([String].self, from: Data(order.utf8))) ?? settings.fallbackOrder
            settings.enabledProviders = (try? JSONDecoder().decode([String].self, from: Data(enabled.utf8))) ?? settings.enabledProviders
            settings.updatedAt = updatedAt
            settings.updatedBy = updatedBy
        }
        settings.prices = try await prices(on: runner)
        return settings
    }

    func prices(on runner: (any SQLRunner)? = nil) async throws -> [String: Int] {
        var prices: [String: Int] = [:]
        for try await (feature, credits) in try await (runner ?? database.client).run(
            "SELECT feature, credits FROM feature_prices", logger: logger
        ).decode((String, Int).self) { prices[feature] = credits }
        return prices
    }

    /// Applies `change` and writes one audit row with what changed (nothing is written
    /// when nothing changes). Prices must name existing features (checked by the route).
    func update(_ change: Change, actor: AdminAudit.Actor) async throws -> Settings {
        let logger = self.logger
        defer { cache?.invalidateAll() }
        return try await database.transaction { runner in
            // Serializes concurrent edits: the audit's "from" values are exact.
            try await runner.run("INSERT INTO admin_settings (id) VALUES (1) ON CONFLICT (id) DO NOTHING", logger: logger)
            for try await _ in try await runner.run("SELECT id FROM admin_settings WHERE id = 1 FOR UPDATE", logger: logger) {}
            let before = try await settings(on: runner)
            var after = before
            after.provider = change.provider ?? before.provider
            after.focusKeyphrase = change.focusKeyphrase ?? before.focusKeyphrase
            after.fallbackOrder = change.fallbackOrder ?? before.fallbackOrder
            after.enabledProviders = change.enabledProviders ?? before.enabledProviders
            var changes: [String: JSONValue] = [:]
            let (old, new) = (before.editable, after.editable)
            for (key, value) in new where old[key] != value {
                changes[key] = ["from": old[key] ?? .null, "to": value]
            }
            if !changes.isEmpty {
                try await runner.run(
                    """
                    UPDATE admin_settings SET provider = \(after.provider), focus_keyphrase = \(after.focusKeyphrase),
                        fallback_order = \(JSONValue.array(after.fallbackOrder.map(JSONValue.string)).encodedString)::jsonb,
                        enabled_providers = \(JSONValue.array(after.enabledProviders.map(JSONValue.string)).encodedString)::jsonb,
                        updated_by = \(actor.id), updated_at = now()
                    WHERE id = 1
                    """, logger: logger)
            }
            var priceChanges: [String: JSONValue] = [:]
            for (feature, credits) in change.prices.sorted(by: { $0.key < $1.key }) where before.prices[feature] != credits {
                try await runner.run(
                    "UPDATE feature_prices SET credits = \(credits), updated_at = now() WHERE feature = \(feature)", logger: logger)
                priceChanges[feature] = ["from": before.prices[feature].map(JSONValue.int) ?? .null, "to": .int(credits)]
            }
            if !priceChanges.isEmpty { changes["prices"] = .object(priceChanges) }
            if !changes.isEmpty {
                try await AdminAudit(logger: logger).record(
                    .settingsUpdate, userID: nil, actor: actor, details: ["changes": .object(changes)], on: runner)
            }
            return try await settings(on: runner)
        }
    }
}
