import Core
import Foundation
import Hummingbird

/// GET/PUT /settings, PUT/DELETE /settings/api-keys/{provider}, GET/PUT /settings/email.
struct SettingsRoutes: TypedRouteCollection {
    let settings: SettingsStore
    let keys: ProviderKeyStore
    let requiresAuth = true
    let tag = "settings"
    static let maxPreferencesBytes = 16 * 1024
    static let maxFocusKeyphrase = 200

    /// PUT /settings: absent fields are kept, `null` clears one.
    struct SettingsRequest: RequestContent {
        var defaultProvider: String?
        var focusKeyphrase: String?
        var preferences: JSONValue?
        /// The fields sent as `null`.
        var cleared: Set<String> = []

        static let rules: [String: FieldRule] = [
            "defaultProvider": .oneOf(SettingsStore.providers, spelling: .lowercase),
            "focusKeyphrase": .text(max: maxFocusKeyphrase, allowEmpty: true),
            "preferences": .object(maxBytes: maxPreferencesBytes),
        ]

        enum CodingKeys: String, CodingKey {
            case defaultProvider, focusKeyphrase, preferences
        }

        /// As the synthesized decoding, and also notes which fields came as `null` (the
        /// decoder reads those as absent, but the key is still there).
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            defaultProvider = try container.decodeIfPresent(String.self, forKey: .defaultProvider)
            focusKeyphrase = try container.decodeIfPresent(String.self, forKey: .focusKeyphrase)
            preferences = try container.decodeIfPresent(JSONValue.self, forKey: .preferences)
            cleared = Set(container.allKeys.filter { !container.contains($0) }.map(\.stringValue))
        }

        /// These fields over `settings`; an empty focus keyphrase clears it too.
        func apply(to settings: inout SettingsStore.Settings) {
            if let defaultProvider { settings.defaultProvider = defaultProvider }
            if let focusKeyphrase { settings.focusKeyphrase = focusKeyphrase.isEmpty ? nil : focusKeyphrase }
            if let preferences { settings.preferences = preferences }
            if cleared.contains(CodingKeys.defaultProvider.stringValue) { settings.defaultProvider = nil }
            if cleared.contains(CodingKeys.focusKeyphrase.stringValue) { settings.focusKeyphrase = nil }
            if cleared.contains(CodingKeys.preferences.stringValue) { settings.preferences = [:] }
        }
    }

    struct ProviderKeyRequest: RequestContent {
        var apiKey: String

        static let rules: [String: FieldRule] = [
            "apiKey": .text(max: 512, pattern: #"^[^\s\u0000]{8,512}$"#, message: "must be a key of 8 to 512 characters without spaces")
        ]
    }

    /// PUT /settings/email: the settings to change; any other field is refused.
    struct EmailRequest: RequestContent {
        var quotaWarnings: Bool?
        var usageReset: Bool?
        var subscription: Bool?
        var articlePublished: Bool?
        var product: Bool?
        /// Fields of the body that are no e-mail setting.
        var unknownFields: [String] = []

        enum CodingKeys: String, CodingKey, CaseIterable {
            case quotaWarnings, usageReset, subscription, articlePublished, product
        }

        /// Any field name of the body.
        struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        /// As the synthesized decoding, and also collects the names that are no setting
        /// (which the synthesized one would ignore).
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            quotaWarnings = try container.decodeIfPresent(Bool.self, forKey: .quotaWarnings)
            usageReset = try container.decodeIfPresent(Bool.self, forKey: .usageReset)
            subscription = try container.decodeIfPresent(Bool.self, forKey: .subscription)
            articlePublished = try container.decodeIfPresent(Bool.self, forKey: .articlePublished)
            product = try container.decodeIfPresent(Bool.self, forKey: .product)
            unknownFields = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
                .filter { CodingKeys(stringValue: $0) == nil }.sorted()
        }

        func validate(_ issues: inout [ValidationIssue]) {
            for field in unknownFields { issues.append(ValidationIssue.field(field, "is not an e-mail setting")) }
        }

        static let schemaConstraints: [String: JSONValue] = ["additionalProperties": false]

        func apply(to email: inout SettingsStore.EmailSettings) {
            if let quotaWarnings { email.quotaWarnings = quotaWarnings }
            if let usageReset { email.usageReset = usageReset }
            if let subscription { email.subscription = subscription }
            if let articlePublished { email.articlePublished = articlePublished }
            if let product { email.product = product }
        }
    }

    struct ProviderKeySaved: ResponseContent {
        var provider: String
        var configured: Bool
        var last4: String?
    }

    struct ProviderKeyRemoved: ResponseContent {
        var provider: String
        var configured: Bool
    }

    func routes(_ routes: inout APIRoutes) {
        routes.get("/settings", "Default provider, focus keyphrase, preferences, and which provider keys you stored") {
            _, context -> Envelope<SettingsView> in
            let user = try context.requireUser()
            return Envelope(try await view(user.id, try await settings.settings(userID: user.id)))
        }
        routes.put(
            "/settings", "Update defaultProvider, focusKeyphrase, preferences (absent fields are kept, null clears)", body: SettingsRequest.self
        ) { body, _, context -> Envelope<SettingsView> in
            let user = try context.requireUser()
            var current = try await settings.settings(userID: user.id)
            body.apply(to: &current)
            try await settings.save(userID: user.id, current)
            return Envelope(try await view(user.id, current), message: "Settings saved")
        }
        // 400 for a provider that is not one (the path names no row, so not 404).
        routes.put(
            "/settings/api-keys/:provider", "Store your own key for GEMINI, OPENAI, ANTHROPIC or LLAMA (AES-256-GCM; never returned)",
            body: ProviderKeyRequest.self, query: [Self.providerParameter]
        ) { body, _, context -> Envelope<ProviderKeySaved> in
            let user = try context.requireUser()
            let provider = try Self.provider(context)
            let status = try await keys.set(userID: user.id, provider: provider, key: body.apiKey)
            return Envelope(ProviderKeySaved(provider: provider.rawValue, configured: true, last4: status.last4), message: "API key saved")
        }
        routes.delete("/settings/api-keys/:provider", "Remove your own key for a provider", query: [Self.providerParameter], errors: [400]) {
            _, context -> Envelope<ProviderKeyRemoved> in
            let user = try context.requireUser()
            let provider = try Self.provider(context)
            try await keys.delete(userID: user.id, provider: provider)
            return Envelope(ProviderKeyRemoved(provider: provider.rawValue, configured: false), message: "API key removed")
        }
        routes.get("/settings/email", "Which automatic e-mails you receive") { _, context -> Envelope<EmailSettingsView> in
            let user = try context.requireUser()
            return Envelope(EmailSettingsView(try await settings.settings(userID: user.id).email))
        }
        routes.put("/settings/email", "Change which automatic e-mails you receive", body: EmailRequest.self) {
            body, _, context -> Envelope<EmailSettingsView> in
            let user = try context.requireUser()
            var current = try await settings.settings(userID: user.id)
            body.apply(to: &current.email)
            try await settings.save(userID: user.id, current)
            return Envelope(EmailSettingsView(current.email), message: "E-mail settings saved")
        }
    }

    private func view(_ userID: UUID, _ settings: SettingsStore.Settings) async throws -> SettingsView {
        SettingsView(settings, keys: try await keys.statuses(userID: userID))
    }

    /// Any spelling of the names is taken (`gemini`, `Gemini`); the document lists two.
    static let providerParameter = OpenAPIOperation.path(
        "provider", ["type": "string", "enum": .array(KeyedProvider.allCases.flatMap { [.string($0.rawValue), .string($0.rawValue.lowercased())] })])

    static func provider(_ context: AppRequestContext) throws -> KeyedProvider {
        guard let name = context.parameters.get("provider"), let provider = KeyedProvider(name: name) else {
            throw CoreError.invalidInput([
                ValidationIssue(
                    type: "enum", location: .path, path: ["provider"], message: "provider must be one of GEMINI, OPENAI, ANTHROPIC, LLAMA")
            ])
        }
        return provider
    }
}

/// GET and PUT /settings's answer.
struct SettingsView: ResponseContent {
    /// Whether a key of the user's own is stored for a provider: never the key.
    struct ProviderKey: ResponseContent {
        var configured: Bool
        var last4: String?
    }

    var defaultProvider: String?
    var focusKeyphrase: String?
    /// The frontend's own preferences object, as saved.
    var preferences: JSONValue
    /// By provider: GEMINI, OPENAI, ANTHROPIC, LLAMA.
    var apiKeys: [String: ProviderKey]

    init(_ settings: SettingsStore.Settings, keys: [KeyedProvider: ProviderKeyStore.Status]) {
        defaultProvider = settings.defaultProvider
        focusKeyphrase = settings.focusKeyphrase
        preferences = settings.preferences
        apiKeys = Dictionary(
            uniqueKeysWithValues: keys.map { ($0.key.rawValue, ProviderKey(configured: $0.value.configured, last4: $0.value.last4)) })
    }
}

/// Which automatic e-mails the user receives.
struct EmailSettingsView: ResponseContent {
    var quotaWarnings: Bool
    var usageReset: Bool
    var subscription: Bool
    var articlePublished: Bool
    /// Product news (opt-in).
    var product: Bool

    init(_ email: SettingsStore.EmailSettings) {
        quotaWarnings = email.quotaWarnings
        usageReset = email.usageReset
        subscription = email.subscription
        articlePublished = email.articlePublished
        product = email.product
    }
}
