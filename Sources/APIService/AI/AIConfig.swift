import AsyncHTTPClient
import Core
import Foundation
import Logging

/// Provider keys, endpoints and models, and the routing order (README lists every
/// variable). A provider is configured when its key (or, for Ollama, its URL) is set.
struct AIConfig: Sendable {
    struct Endpoint: Sendable, Equatable {
        var apiKey: String?
        var baseURL: String
        var model: String
    }

    var gemini: Endpoint
    var openai: Endpoint
    var anthropic: Endpoint
    /// Llama through Groq (OpenAI-compatible) when `GROQ_API_KEY` is set.
    var groq: Endpoint
    /// Llama through a local Ollama when `OLLAMA_BASE_URL` is set (and Groq is not).
    var ollama: Endpoint?
    var defaultProvider: AIProviderID?
    var fallbackOrder: [AIProviderID]
    var timeout: Duration
    var maxRetries: Int

    init(env: EnvironmentReader) throws {
        func endpoint(_ prefix: String, base: String, model: String) throws -> Endpoint {
            let url = try env.url("\(prefix)_BASE_URL")?.absoluteString ?? base
            return Endpoint(
                apiKey: env.string("\(prefix)_API_KEY"), baseURL: url.hasSuffix("/") ? String(url.dropLast()) : url,
                model: env.string("\(prefix)_MODEL") ?? model)
        }
        gemini = try endpoint("GEMINI", base: "https://generativelanguage.googleapis.com/v1beta", model: "gemini-2.5-flash")
        openai = try endpoint("OPENAI", base: "https://api.openai.com/v1", model: "gpt-4o-mini")
        anthropic = try endpoint("ANTHROPIC", base: "https://api.anthropic.com", model: "claude-sonnet-4-5")
        groq = try endpoint("GROQ", base: "https://api.groq.com/openai/v1", model: "llama-3.3-70b-versatile")
        if let url = try env.url("OLLAMA_BASE_URL")?.absoluteString {
            ollama = Endpoint(
                apiKey: nil, baseURL: url.hasSuffix("/") ? String(url.dropLast()) : url, model: env.string("OLLAMA_MODEL") ?? "llama3.1")
        }
        defaultProvider = try env.string("DEFAULT_AI_PROVIDER").map { try Self.provider($0, variable: "DEFAULT_AI_PROVIDER") }
        fallbackOrder = try (env.list("AI_FALLBACK_ORDER") ?? ["gemini", "openai", "anthropic", "llama"]).map {
            try Self.provider($0, variable: "AI_FALLBACK_ORDER")
        }
        timeout = .seconds(try env.int("AI_TIMEOUT_SECONDS", default: 60, range: 1...600))
        maxRetries = try env.int("AI_MAX_RETRIES", default: 2, range: 0...5)
    }

    static func provider(_ name: String, variable: String) throws -> AIProviderID {
        guard let id = AIProviderID(rawValue: name.lowercased()) else {
            throw ConfigError(variable: variable, reason: "unknown provider \"\(name)\" (gemini, openai, anthropic, llama, offline)")
        }
        return id
    }
}

/// Builds the provider chain for one request: the user's own keys first, then the
/// platform's, in the configured order; `offline` when nothing is configured.
struct AIProviderCatalog: Sendable {
    let config: AIConfig
    let http: ProviderHTTP

    init(config: AIConfig, client: HTTPClient, logger: Logger) {
        self.config = config
        self.http = ProviderHTTP(client: client, timeout: config.timeout, logger: logger)
    }

    func provider(_ id: AIProviderID, userKey: String? = nil) -> (any AIProvider)? {
        switch id {
        case .gemini:
            guard let key = userKey ?? config.gemini.apiKey else { return nil }
            return GeminiProvider(model: config.gemini.model, apiKey: key, baseURL: config.gemini.baseURL, http: http)
        case .openai:
            guard let key = userKey ?? config.openai.apiKey else { return nil }
            return OpenAICompatibleProvider(id: .openai, model: config.openai.model, apiKey: key, baseURL: config.openai.baseURL, http: http)
        case .anthropic:
            guard let key = userKey ?? config.anthropic.apiKey else { return nil }
            return AnthropicProvider(model: config.anthropic.model, apiKey: key, baseURL: config.anthropic.baseURL, http: http)
        case .llama:
            if let key = userKey ?? config.groq.apiKey {
                return OpenAICompatibleProvider(id: .llama, model: config.groq.model, apiKey: key, baseURL: config.groq.baseURL, http: http)
            }
            guard let ollama = config.ollama else { return nil }
            return OllamaProvider(model: ollama.model, baseURL: ollama.baseURL, http: http)
        case .offline:
            return OfflineProvider()
        }
    }

    /// `preferred` (the user's or the admin's default) first, then the fallback order
    /// (the admin's when set, else `AI_FALLBACK_ORDER`).
    func chain(preferred: AIProviderID?, fallbackOrder: [AIProviderID]? = nil, userKeys: [AIProviderID: String] = [:]) -> [any AIProvider] {
        var order: [AIProviderID] = []
        for id in [preferred ?? config.defaultProvider].compactMap({ $0 }) + (fallbackOrder ?? config.fallbackOrder) where !order.contains(id) {
            order.append(id)
        }
        let chain = order.compactMap { provider($0, userKey: userKeys[$0]) }
        return chain.isEmpty ? [OfflineProvider()] : chain
    }
}
