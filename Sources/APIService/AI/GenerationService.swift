import Core
import Foundation
import Logging

/// Every credit-spending generation goes through here: reserve the credits and quota,
/// route the request across providers (the user's own keys first), record every attempt
/// (usage rows, failure rows), validate JSON answers with one repair attempt, and settle
/// on success or release on failure, so a provider outage never costs the user.
struct GenerationService: Sendable {
    let reservations: CreditReservations
    let logger: Logger
    let catalog: AIProviderCatalog
    let health: ProviderHealth
    let keys: ProviderKeyStore
    let settings: SettingsStore
    let admin: AdminSettingsStore
    let recorder: UsageRecorder

    struct Job: Sendable {
        /// The `feature_prices` key that is charged (`article`, `section`, `research`…).
        var feature: String
        /// The tool name in usage history.
        var tool: String
        var request: AIRequest
        var idempotencyKey: String?

        /// What the caller's key is unique within (default: `tool`).
        var keyScope: String?

        /// Writes committed with the charge, in the settlement's transaction (not run for
        /// a replayed `Idempotency-Key`, whose first request ran them).
        var settling: (@Sendable (Output, any SQLRunner) async throws -> Void)?

        /// `settling` for `perform`, which carries results as JSON.
        var settlingJSON: (@Sendable (JSONValue, any SQLRunner) async throws -> Void)? {
            guard let hook = settling else { return nil }
            return { @Sendable value, runner in
                let output = try GenerationService.decode(value).0
                try await hook(output, runner)
            }
        }

        init(feature: String, tool: String, request: AIRequest, idempotencyKey: String?) {
            self.feature = feature
            self.tool = tool
            self.request = request
            self.idempotencyKey = idempotencyKey
        }

        /// The caller's key names one request of one tool: several tools share a credit
        /// feature (`seo_tool`, `research`), and the same key sent to another of them is
        /// another request, never a replay of the first tool's answer.
        var scopedKey: String? { idempotencyKey.map { "\(keyScope ?? tool):\($0)" } }
    }

    struct Output: Sendable, Equatable {
        var text: String
        var provider: AIProviderID
        var model: String
        var usage: TokenUsage
        var grounding: Grounding?
        var credits: Int
    }

    /// A text answer.
    func generate(for user: UserRecord, _ job: Job) async throws -> Output {
        try await run(for: user, job, validate: nil).0
    }

    /// A JSON answer accepted by `validate` (which may normalise it); one repair attempt
    /// when the first answer does not parse or validate, else 502 AI_PROVIDER_ERROR.
    func generateJSON(for user: UserRecord, _ job: Job, validate: @escaping @Sendable (JSONValue) -> JSONValue?) async throws -> (Output, JSONValue) {
        var job = job
        job.request.json = true
        let (output, value) = try await run(for: user, job, validate: validate)
        guard let value else { throw CoreError.aiProvider("The AI answer was not valid") }
        return (output, value)
    }

    /// Streams text pieces to `onText`; fallback happens only before the first piece.
    func stream(for user: UserRecord, _ job: Job, onText: @escaping @Sendable (String) async throws -> Void) async throws -> Output {
        let router = try await router(for: user)
        let service = self
        let charged = ChargedAttempt()
        let result = try await charged.recordingIfUnsettled(recorder, logger: logger) {
            try await reservations.perform(
                userID: user.id, feature: job.feature, idempotencyKey: job.scopedKey, settling: charged.settling(job.settlingJSON, recorder)
            ) { hold in
                let completion: AICompletion
                do {
                    let (answer, attempts) = try await router.stream(job.request, onText: onText)
                    await service.record(attempts, user: user, tool: job.tool, credits: hold.credits, deferringChargedTo: charged)
                    completion = answer
                } catch let error as AIRoutingError {
                    await service.record(error.attempts, user: user, tool: job.tool, credits: 0)
                    throw CoreError.aiProvider(Self.message(error))
                }
                return Self.encode(
                    Output(
                        text: completion.text, provider: completion.provider, model: completion.model, usage: completion.usage,
                        grounding: completion.grounding, credits: hold.credits), json: nil)
            }
        }
        return try Self.decode(result).0
    }

    private func run(for user: UserRecord, _ job: Job, validate: (@Sendable (JSONValue) -> JSONValue?)?) async throws -> (Output, JSONValue?) {
        let router = try await router(for: user)
        let service = self
        let charged = ChargedAttempt()
        let result = try await charged.recordingIfUnsettled(recorder, logger: logger) {
            try await reservations.perform(
                userID: user.id, feature: job.feature, idempotencyKey: job.scopedKey, settling: charged.settling(job.settlingJSON, recorder)
            ) { hold in
                var (completion, attempts) = try await service.complete(router, job.request, user: user, tool: job.tool)
                var value: JSONValue?
                if let validate {
                    value = Self.parseJSON(completion.text).flatMap(validate)
                    if value == nil {
                        // One repair attempt: the same chain, asked to fix its own answer.
                        var repair = job.request
                        repair.prompt =
                            "The following answer was supposed to be valid JSON for this task but is not. Return only the corrected JSON, nothing else.\n\nTask:\n\(job.request.prompt)\n\nAnswer:\n\(completion.text)"
                        let (repaired, more) = try await service.complete(router, repair, user: user, tool: job.tool)
                        attempts += more
                        completion = repaired
                        value = Self.parseJSON(repaired.text).flatMap(validate)
                    }
                    guard value != nil else {
                        await service.record(attempts, user: user, tool: job.tool, credits: 0, invalidJSON: true)
                        throw CoreError.aiProvider("The AI provider did not return a valid answer")
                    }
                }
                await service.record(attempts, user: user, tool: job.tool, credits: hold.credits, deferringChargedTo: charged)
                let output = Output(
                    text: completion.text, provider: completion.provider, model: completion.model, usage: completion.usage,
                    grounding: completion.grounding,
                    credits: hold.credits)
                return Self.encode(output, json: value)
            }
        }
        return try Self.decode(result)
    }

    private func complete(_ router: AIRouter, _ request: AIRequest, user: UserRecord, tool: String) async throws -> (AICompletion, [AIAttempt]) {
        do {
            return try await router.complete(request)
        } catch {
            await record(error.attempts, user: user, tool: tool, credits: 0)
            throw CoreError.aiProvider(Self.message(error))
        }
    }

    /// The provider chain for this user: their default provider and keys first.
    func router(for user: UserRecord) async throws -> AIRouter {
        let userSettings = try await settings.settings(userID: user.id)
        let platform = try await admin.settings()
        let userKeys = try await keys.keys(for: user.id)
        // The admin's persisted choice applies once an admin has saved settings.
        let adminSet = platform.updatedAt != nil
        let enabled = Set(platform.enabledProviders.compactMap { AIProviderID(rawValue: $0) })
        let preferred =
            userSettings.defaultProvider.flatMap(AIProviderID.init(rawValue:))
            ?? (adminSet ? AIProviderID(rawValue: platform.provider) : nil)
        let order = adminSet ? platform.fallbackOrder.compactMap(AIProviderID.init(rawValue:)).filter { enabled.contains($0) } : nil
        let chain = catalog.chain(preferred: preferred, fallbackOrder: order, userKeys: userKeys)
        var router = AIRouter(providers: chain, health: health, maxRetries: catalog.config.maxRetries, logger: logger)
        router.ownKeyProviders = Set(userKeys.keys)
        return router
    }

    /// One usage row per attempt; failures also a `generation_failures` row. History
    /// must never fail a generation, so errors here are logged only.
    /// With `deferringChargedTo`, the charged attempt's row is not written here but kept
    /// for the settlement's transaction (one commit for the charge and its history).
    func record(
        _ attempts: [AIAttempt], user: UserRecord, tool: String, credits: Int, invalidJSON: Bool = false,
        deferringChargedTo charged: ChargedAttempt? = nil
    ) async {
        for (index, attempt) in attempts.enumerated() {
            let isLast = index == attempts.count - 1
            let outcome: UsageEvent.Outcome =
                attempt.succeeded && !(invalidJSON && isLast)
                ? .success
                : .failure(
                    errorType: attempt.error ?? "invalid_json",
                    message: attempt.succeeded ? "answer failed JSON validation" : "provider attempt failed: \(attempt.error ?? "error")")
            let chargedCredits = attempt.succeeded && isLast && !invalidJSON ? credits : 0
            let event = UsageEvent(
                userID: user.id, tool: tool, provider: attempt.provider.rawValue, model: attempt.model, tokensIn: attempt.usage.input,
                tokensOut: attempt.usage.output, credits: chargedCredits, latencyMs: Int(attempt.latency / .milliseconds(1)), outcome: outcome)
            if let charged, outcome == .success, isLast {
                charged.keep(event)
            } else {
                await recorder.recordLoggingFailure(event, logger: logger)
            }
        }
    }

    static func message(_ error: AIRoutingError) -> String {
        error.attempts.isEmpty ? "No AI provider is available" : "All AI providers failed (\(error.last?.kind ?? "error"))"
    }

    /// The JSON value in an answer, tolerating Markdown fences and text around it.
    static func parseJSON(_ text: String) -> JSONValue? {
        var body = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if body.hasPrefix("```") {
            body = String(body.drop { $0 != "\n" }.dropFirst())
            if let fence = body.range(of: "```", options: .backwards) { body = String(body[..<fence.lowerBound]) }
        }
        if let value = try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8)) { return value }
        guard let start = body.firstIndex(where: { $0 == "{" || $0 == "[" }),
            let end = body.lastIndex(where: { $0 == "}" || $0 == "]" }), start < end
        else { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: Data(body[start...end].utf8))
    }

    // Results travel through `perform` as JSON (that is what an idempotent retry replays).
    static func encode(_ output: Output, json: JSONValue?) -> JSONValue {
        var object: [String: JSONValue] = [
            "text": .string(output.text), "provider": .string(output.provider.rawValue), "model": .string(output.model),
            "tokensIn": .int(output.usage.input), "tokensOut": .int(output.usage.output), "credits": .int(output.credits),
        ]
        if let json { object["json"] = json }
        if let grounding = output.grounding {
            object["grounding"] = [
                "sources": .array(grounding.sources.map { ["title": .string($0.title), "uri": .string($0.uri)] }),
                "citations": .array(
                    grounding.citations.map {
                        [
                            "text": .string($0.text), "startIndex": .int($0.startIndex), "endIndex": .int($0.endIndex),
                            "sourceIndices": .array($0.sourceIndices.map(JSONValue.int)),
                        ]
                    }),
                "queries": .array(grounding.queries.map(JSONValue.string)),
            ]
        }
        return .object(object)
    }

    static func decode(_ value: JSONValue) throws -> (Output, JSONValue?) {
        guard let text = value["text"]?.stringValue, let provider = value["provider"]?.stringValue.flatMap(AIProviderID.init(rawValue:)) else {
            throw CoreError.aiProvider("Stored generation result is unreadable")
        }
        var grounding: Grounding?
        if let stored = value["grounding"] {
            grounding = Grounding(
                sources: (stored["sources"]?.arrayItems ?? []).map {
                    .init(title: $0["title"]?.stringValue ?? "", uri: $0["uri"]?.stringValue ?? "")
                },
                citations: (stored["citations"]?.arrayItems ?? []).map {
                    .init(
                        text: $0["text"]?.stringValue ?? "", startIndex: $0["startIndex"]?.integer ?? 0, endIndex: $0["endIndex"]?.integer ?? 0,
                        sourceIndices: ($0["sourceIndices"]?.arrayItems ?? []).compactMap(\.integer))
                },
                queries: (stored["queries"]?.arrayItems ?? []).compactMap(\.stringValue))
        }
        let output = Output(
            text: text, provider: provider, model: value["model"]?.stringValue ?? "",
            usage: TokenUsage(input: value["tokensIn"]?.integer ?? 0, output: value["tokensOut"]?.integer ?? 0), grounding: grounding,
            credits: value["credits"]?.integer ?? 0)
        return (output, value["json"])
    }
}
