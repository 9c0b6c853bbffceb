import Core
import Foundation
import Hummingbird

/// GET/PUT /settings, PUT/DELETE /settings/api-keys/{provider}, GET/PUT /settings/email.
struct SettingsRoutes: APIRouteCollection {
    let settings: SettingsStore
    let keys: ProviderKeyStore
    let requiresAuth = true
    static let maxPreferencesBytes = 16 * 1024

    var operations: [OpenAPIOperation] {
        [
            OpenAPIOperation("GET", "/settings", summary: "{defaultProvider, focusKeyphrase, preferences, apiKeys:{GEMINI:{configured, last4}, …}}", tag: "settings", requiresAuth: true),
            OpenAPIOperation("PUT", "/settings", summary: "Update defaultProvider, focusKeyphrase, preferences (absent fields are kept, null clears)", tag: "settings", requiresAuth: true,
                requestBody: OpenAPIDocument.object(["defaultProvider": OpenAPIDocument.string, "focusKeyphrase": OpenAPIDocument.string, "preferences": ["type": "object"]])),
            OpenAPIOperation("PUT", "/settings/api-keys/:provider", summary: "Store your own key for GEMINI, OPENAI, ANTHROPIC or LLAMA (AES-256-GCM; never returned)", tag: "settings",
                requiresAuth: true, requestBody: OpenAPIDocument.object(["apiKey": OpenAPIDocument.string], required: ["apiKey"])),
            OpenAPIOperation("DELETE", "/settings/api-keys/:provider", summary: "Remove your own key for a provider", tag: "settings", requiresAuth: true),
            OpenAPIOperation("GET", "/settings/email", summary: "Which automatic e-mails you receive", tag: "settings", requiresAuth: true),
            OpenAPIOperation("PUT", "/settings/email", summary: "Change which automatic e-mails you receive", tag: "settings", requiresAuth: true,
                requestBody: OpenAPIDocument.object(["quotaWarnings": OpenAPIDocument.boolean, "usageReset": OpenAPIDocument.boolean,
                    "subscription": OpenAPIDocument.boolean, "articlePublished": OpenAPIDocument.boolean, "product": OpenAPIDocument.boolean])),
        ]
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("/settings") { _, context in
            let user = try context.requireUser()
            return Envelope.ok(try await json(user.id, try await settings.settings(userID: user.id)))
        }
        group.put("/settings") { request, context in
            let user = try context.requireUser()
            let body = try await Self.object(request, context)
            var current = try await settings.settings(userID: user.id)
            var issues: [ValidationIssue] = []
            if let value = body["defaultProvider"] {
                switch value {
                case .null: current.defaultProvider = nil
                case .string(let name) where SettingsStore.providers.contains(name.lowercased()): current.defaultProvider = name.lowercased()
                default: issues.append(Self.issue("defaultProvider", "must be one of \(SettingsStore.providers.joined(separator: ", "))"))
                }
            }
            if let value = body["focusKeyphrase"] {
                switch value {
                case .null: current.focusKeyphrase = nil
                case .string(let text) where text.count <= 200: current.focusKeyphrase = text.isEmpty ? nil : text
                default: issues.append(Self.issue("focusKeyphrase", "must be a string of at most 200 characters"))
                }
            }
            if let value = body["preferences"] {
                switch value {
                case .null: current.preferences = [:]
                case .object where value.encodedData().count <= Self.maxPreferencesBytes: current.preferences = value
                default: issues.append(Self.issue("preferences", "must be an object of at most 16 KiB"))
                }
            }
            if !issues.isEmpty { throw CoreError.invalidInput(issues) }
            try await settings.save(userID: user.id, current)
            return Envelope.ok(try await json(user.id, current), message: "Settings saved")
        }
        group.put("/settings/api-keys/:provider") { request, context in
            let user = try context.requireUser()
            let provider = try Self.provider(context)
            let body = try await Self.object(request, context)
            guard case .string(let key)? = body["apiKey"], (8...512).contains(key.count), !key.contains(where: \.isWhitespace) else {
                throw CoreError.invalidInput([Self.issue("apiKey", "must be a key of 8 to 512 characters without spaces")])
            }
            let status = try await keys.set(userID: user.id, provider: provider, key: key)
            return Envelope.ok(["provider": .string(provider.rawValue), "configured": true, "last4": status.last4.map(JSONValue.string) ?? .null],
                message: "API key saved")
        }
        group.delete("/settings/api-keys/:provider") { _, context in
            let user = try context.requireUser()
            let provider = try Self.provider(context)
            try await keys.delete(userID: user.id, provider: provider)
            return Envelope.ok(["provider": .string(provider.rawValue), "configured": false], message: "API key removed")
        }
        group.get("/settings/email") { _, context in
            let user = try context.requireUser()
            return Envelope.ok(try await settings.settings(userID: user.id).email.json)
        }
        group.put("/settings/email") { request, context in
            let user = try context.requireUser()
            let body = try await Self.object(request, context)
            var current = try await settings.settings(userID: user.id)
            var issues: [ValidationIssue] = []
            var email = current.email.json
            for (key, value) in Self.objectFields(body) {
                guard email[key] != nil else { issues.append(Self.issue(key, "is not an e-mail setting")); continue }
                guard case .bool = value else { issues.append(Self.issue(key, "must be a boolean")); continue }
                if case .object(var fields) = email { fields[key] = value; email = .object(fields) }
            }
            if !issues.isEmpty { throw CoreError.invalidInput(issues) }
            current.email = SettingsStore.EmailSettings(stored: email)
            try await settings.save(userID: user.id, current)
            return Envelope.ok(current.email.json, message: "E-mail settings saved")
        }
    }

    private func json(_ userID: UUID, _ settings: SettingsStore.Settings) async throws -> JSONValue {
        var apiKeys: [String: JSONValue] = [:]
        for (provider, status) in try await keys.statuses(userID: userID) {
            apiKeys[provider.rawValue] = ["configured": .bool(status.configured), "last4": status.last4.map(JSONValue.string) ?? .null]
        }
        return [
            "defaultProvider": settings.defaultProvider.map(JSONValue.string) ?? .null,
            "focusKeyphrase": settings.focusKeyphrase.map(JSONValue.string) ?? .null,
            "preferences": settings.preferences, "apiKeys": .object(apiKeys),
        ]
    }

    static func provider(_ context: AppRequestContext) throws -> KeyedProvider {
        guard let name = context.parameters.get("provider"), let provider = KeyedProvider(name: name) else {
            throw CoreError.invalidInput([
                ValidationIssue(type: "enum", location: .path, path: ["provider"], message: "provider must be one of GEMINI, OPENAI, ANTHROPIC, LLAMA")
            ])
        }
        return provider
    }

    /// The body as a JSON object (400 for anything else).
    static func object(_ request: Request, _ context: AppRequestContext) async throws -> JSONValue {
        let value = try await request.decodeJSON(JSONValue.self, context: context)
        guard case .object = value else { throw CoreError.invalidInput([issue("body", "must be a JSON object")]) }
        return value
    }

    static func objectFields(_ value: JSONValue) -> [(String, JSONValue)] {
        if case .object(let fields) = value { return fields.sorted { $0.key < $1.key } }
        return []
    }

    static func issue(_ field: String, _ message: String) -> ValidationIssue {
        ValidationIssue(type: "value_error", path: [.string(field)], message: "\(field) \(message)")
    }
}
