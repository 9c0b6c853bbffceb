import AsyncHTTPClient
import Core
import Foundation
import TestSupport
import Testing

@testable import APIService

@Suite struct SSEParserTests {
    @Test func parsesEventsAcrossChunksWithCRLFCommentsAndMultilineData() {
        var parser = SSEParser()
        var events: [SSEParser.Event] = []
        let stream = ": keep-alive\r\nevent: ping\r\ndata: {}\r\n\r\ndata: line one\ndata: line two\n\nevent: done\ndata:[DONE]"
        for chunk in stream.utf8.chunked(by: 7) { events += parser.feed(chunk) }
        if let last = parser.finish() { events.append(last) }
        #expect(
            events == [
                .init(name: "ping", data: "{}"), .init(name: nil, data: "line one\nline two"), .init(name: "done", data: "[DONE]"),
            ])
    }
}

extension Sequence {
    func chunked(by size: Int) -> [[Element]] {
        var chunks: [[Element]] = []
        var current: [Element] = []
        for element in self {
            current.append(element)
            if current.count == size { chunks.append(current); current = [] }
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }
}

@Suite struct AIProviderTests {
    func withFake(_ extra: [String: String] = [:], _ body: @Sendable (FakeAIProviders, AIProviderCatalog) async throws -> Void) async throws {
        let fake = try FakeAIProviders()
        try await fake.start()
        defer { fake.stop() }
        let config = try AIConfig(env: EnvironmentReader(fake.environment.merging(["AI_TIMEOUT_SECONDS": "2"]) { $1 }.merging(extra) { $1 }))
        try await body(fake, AIProviderCatalog(config: config, client: HTTPClient.shared, logger: quietLogger))
    }

    func collect(_ provider: any AIProvider, _ request: AIRequest) async throws -> ([String], AICompletion?) {
        var pieces: [String] = []
        var result: AICompletion?
        for try await event in provider.stream(request) {
            switch event {
            case .text(let piece): pieces.append(piece)
            case .finished(let completion): result = completion
            }
        }
        return (pieces, result)
    }

    @Test func openAIChatCompletionsAndStreamWithTheFinalUsageChunk() async throws {
        try await withFake { fake, catalog in
            let provider = try #require(catalog.provider(.openai))
            let completion = try await provider.complete(AIRequest(system: "be brief", prompt: "hi", json: true))
            #expect(completion == AICompletion(text: "Hello from OpenAI", provider: .openai, model: "gpt-test", usage: .init(input: 12, output: 4)))
            let sent = try #require(fake.requests("openai").last)
            #expect(sent.headers["authorization"] == "Bearer sk-openai")
            #expect(sent.body["response_format"] == ["type": "json_object"])
            #expect(sent.body["messages"]?.arrayItems.first?["role"] == "system")

            let (pieces, result) = try await collect(provider, AIRequest(prompt: "hi"))
            #expect(pieces == ["Hello", " stream"])
            #expect(result?.usage == TokenUsage(input: 9, output: 2))
            #expect(fake.requests("openai").last?.body["stream_options"] == ["include_usage": true])
        }
    }

    @Test func anthropicMessagesWithPingsAndAMidStreamError() async throws {
        try await withFake { fake, catalog in
            let provider = try #require(catalog.provider(.anthropic))
            let completion = try await provider.complete(AIRequest(prompt: "hi", json: true))
            #expect(completion.text == "Hello from Claude")
            #expect(completion.usage == TokenUsage(input: 10, output: 5))
            let sent = try #require(fake.requests("anthropic").last)
            #expect(sent.headers["x-api-key"] == "sk-ant")
            #expect(sent.headers["anthropic-version"] == "2023-06-01")
            #expect(sent.body["system"]?.stringValue?.contains("JSON") == true)

            let (pieces, result) = try await collect(provider, AIRequest(prompt: "hi"))
            #expect(pieces.joined() == "Hello Claude")
            #expect(result?.usage == TokenUsage(input: 10, output: 7))

            fake.script(
                "anthropic",
                .sse([
                    ("message_start", #"{"type":"message_start","message":{"model":"claude-test","usage":{"input_tokens":3}}}"#),
                    ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Par"}}"#),
                    ("error", #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#),
                ]))
            await #expect(throws: AIProviderError.streamFailed("overloaded_error")) { _ = try await collect(provider, AIRequest(prompt: "hi")) }
        }
    }

    @Test func geminiGroundingIndicesAreUTF8ByteOffsets() async throws {
        try await withFake { fake, catalog in
            let text = "Café prices rose — über 5 %. ☕ Demand grew."
            let bytes = Array(text.utf8)
            let first = "Café prices rose — über 5 %."
            let secondStart = bytes.count - Array("Demand grew.".utf8).count
            fake.script(
                "gemini",
                .json(
                    200,
                    [
                        "candidates": [
                            [
                                "content": ["parts": [["text": .string(text)]]], "finishReason": "STOP",
                                "groundingMetadata": [
                                    "webSearchQueries": ["coffee prices"],
                                    "groundingChunks": [
                                        ["web": ["uri": "https://a.example/1", "title": "a.example"]],
                                        ["web": ["uri": "https://b.example/2", "title": "b.example"]],
                                    ],
                                    "groundingSupports": [
                                        [
                                            "segment": ["startIndex": 0, "endIndex": .int(Array(first.utf8).count), "text": .string(first)],
                                            "groundingChunkIndices": [0],
                                        ],
                                        [
                                            "segment": ["startIndex": .int(secondStart), "endIndex": .int(bytes.count), "text": "Demand grew."],
                                            "groundingChunkIndices": [0, 1],
                                        ],
                                    ],
                                ],
                            ]
                        ],
                        "usageMetadata": ["promptTokenCount": 5, "candidatesTokenCount": 9],
                    ]))
            let provider = try #require(catalog.provider(.gemini))
            let completion = try await provider.complete(AIRequest(prompt: "coffee", grounded: true))
            let grounding = try #require(completion.grounding)
            #expect(grounding.sources.map(\.uri) == ["https://a.example/1", "https://b.example/2"])
            #expect(grounding.queries == ["coffee prices"])
            for citation in grounding.citations {
                // The offsets cut the answer's UTF-8 bytes exactly at the cited text.
                let slice = String(decoding: bytes[citation.startIndex..<citation.endIndex], as: UTF8.self)
                #expect(slice == citation.text)
            }
            #expect(grounding.citations.last?.sourceIndices == [0, 1])
            let sent = try #require(fake.requests("gemini").last)
            #expect(sent.path.hasSuffix("/models/gemini-test:generateContent"))
            #expect(sent.headers["x-goog-api-key"] == "g-key")
            #expect(sent.body["tools"] == [["google_search": [:]]])

            let (pieces, result) = try await collect(provider, AIRequest(prompt: "hi", json: true))
            #expect(pieces == ["Hello", " Gemini"])
            #expect(result?.usage == TokenUsage(input: 8, output: 2))
            let streamed = try #require(fake.requests("gemini").last)
            #expect(streamed.path.hasSuffix(":streamGenerateContent?alt=sse"))
            #expect(streamed.body["generationConfig"]?["responseMimeType"] == "application/json")
        }
    }

    @Test func ollamaChatWithNewlineDelimitedJSON() async throws {
        try await withFake { fake, catalog in
            let provider = try #require(catalog.provider(.llama))
            #expect(provider is OllamaProvider)
            let completion = try await provider.complete(AIRequest(prompt: "hi", json: true))
            #expect(completion.text == "Hello from Llama")
            #expect(fake.requests("ollama").last?.body["format"] == "json")
            let (pieces, result) = try await collect(provider, AIRequest(prompt: "hi"))
            #expect(pieces == ["Hello", " Llama"])
            #expect(result?.usage == TokenUsage(input: 6, output: 2))
        }
    }

    @Test func providerErrorsMapToRetryableOrNot() async throws {
        try await withFake { fake, catalog in
            let provider = try #require(catalog.provider(.openai))
            fake.script(
                "openai", .json(429, ["error": ["message": "slow down"]], ["Retry-After": "7"]), .json(503, [:]),
                .json(401, ["error": ["message": "bad key"]]), .raw(200, "{not json"), .delayed(.seconds(3), .json(200, [:])))
            await #expect(throws: AIProviderError.rateLimited(retryAfter: .seconds(7))) { _ = try await provider.complete(AIRequest(prompt: "x")) }
            await #expect(throws: AIProviderError.unavailable(status: 503)) { _ = try await provider.complete(AIRequest(prompt: "x")) }
            await #expect(throws: AIProviderError.rejected(status: 401, message: "bad key")) {
                _ = try await provider.complete(AIRequest(prompt: "x"))
            }
            await #expect(throws: AIProviderError.malformed("response is not JSON")) { _ = try await provider.complete(AIRequest(prompt: "x")) }
            await #expect(throws: AIProviderError.timeout) { _ = try await provider.complete(AIRequest(prompt: "x")) }
        }
    }

    @Test func withoutAnyProviderTheOfflineProviderAnswersLabelled() async throws {
        let config = try AIConfig(env: EnvironmentReader([:]))
        let chain = AIProviderCatalog(config: config, client: HTTPClient.shared, logger: quietLogger).chain(preferred: nil)
        #expect(chain.map(\.id) == [.offline])
        let answer = try await chain[0].complete(AIRequest(prompt: "write", offlineAnswer: "<p>placeholder</p>"))
        #expect(answer.text == "<p>placeholder</p>")
        #expect(answer.provider == .offline)
        #expect(answer.model == "offline-deterministic")
        #expect(throws: ConfigError.self) { try AIConfig(env: EnvironmentReader(["AI_FALLBACK_ORDER": "gemini,skynet"])) }
    }
}

@Suite struct AIRouterTests {
    func router(_ catalog: AIProviderCatalog, _ order: [AIProviderID], health: ProviderHealth = ProviderHealth()) -> AIRouter {
        AIRouter(providers: order.compactMap { catalog.provider($0) }, health: health, baseDelay: .milliseconds(10), logger: quietLogger)
    }

    func withFake(_ body: @Sendable (FakeAIProviders, AIProviderCatalog) async throws -> Void) async throws {
        try await AIProviderTests().withFake([:], body)
    }

    @Test func retriesHonourRetryAfterThenFallBack() async throws {
        try await withFake { fake, catalog in
            fake.script("openai", .json(429, ["error": ["message": "slow"]], ["Retry-After": "1"]))
            let started = ContinuousClock.now
            let (completion, attempts) = try await router(catalog, [.openai, .anthropic]).complete(AIRequest(prompt: "x"))
            #expect(completion.provider == .openai)
            #expect(ContinuousClock.now - started >= .seconds(1))
            #expect(attempts.map(\.succeeded) == [false, true])

            // Three 500s exhaust OpenAI's retries; Anthropic answers.
            fake.script("openai", .json(500, [:]), .json(500, [:]), .json(500, [:]))
            let (fallback, tried) = try await router(catalog, [.openai, .anthropic]).complete(AIRequest(prompt: "x"))
            #expect(fallback.provider == .anthropic)
            #expect(tried.map(\.provider) == [.openai, .openai, .openai, .anthropic])
            #expect(tried.first?.error == "unavailable")

            // A rejected key is not retried.
            fake.script("openai", .json(401, ["error": ["message": "no"]]))
            let (_, rejected) = try await router(catalog, [.openai, .gemini]).complete(AIRequest(prompt: "x"))
            #expect(rejected.map(\.provider) == [.openai, .gemini])
        }
    }

    @Test func aTimeoutMovesOnAndAllFailingIsAnError() async throws {
        try await withFake { fake, catalog in
            fake.script("gemini", .delayed(.seconds(3), .json(200, [:])))
            var routing = router(catalog, [.gemini, .openai])
            routing.maxRetries = 0
            let (completion, attempts) = try await routing.complete(AIRequest(prompt: "x"))
            #expect(completion.provider == .openai)
            #expect(attempts.first?.error == "timeout")

            fake.script("gemini", .json(500, [:]))
            fake.script("openai", .json(500, [:]))
            await #expect(throws: AIRoutingError.self) { _ = try await routing.complete(AIRequest(prompt: "x")) }
        }
    }

    @Test func aProviderFailingThreeTimesInARowIsSkippedDuringItsCooldown() async throws {
        try await withFake { fake, catalog in
            let health = ProviderHealth(threshold: 3, cooldown: .seconds(30))
            fake.script("openai", .json(500, [:]), .json(500, [:]), .json(500, [:]))
            _ = try await router(catalog, [.openai, .anthropic], health: health).complete(AIRequest(prompt: "x"))
            let before = fake.requests("openai").count
            let (completion, attempts) = try await router(catalog, [.openai, .anthropic], health: health).complete(AIRequest(prompt: "x"))
            #expect(completion.provider == .anthropic)
            #expect(attempts.map(\.provider) == [.anthropic])
            #expect(fake.requests("openai").count == before)
        }
    }

    @Test func providerCallsCarryTheRequestsTraceContext() async throws {
        try await withFake { fake, catalog in
            let trace = TraceContext.continuing("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
            _ = try await TraceContext.$current.withValue(trace) {
                try await router(catalog, [.openai]).complete(AIRequest(prompt: "x"))
            }
            #expect(fake.requests("openai").last?.headers["traceparent"] == trace.header)
        }
    }

    /// A user's own revoked key answers 401 every time; that must not take the provider
    /// away from everybody else (nor does the platform's cooldown block a user's own key).
    @Test func aUsersOwnBadKeyDoesNotCoolTheProviderDownForOthers() async throws {
        try await withFake { fake, catalog in
            let health = ProviderHealth(threshold: 3, cooldown: .seconds(30))
            let mine = AIRouter(
                providers: [catalog.provider(.openai, userKey: "sk-revoked"), catalog.provider(.anthropic)].compactMap { $0 }, health: health,
                ownKeyProviders: [.openai], baseDelay: .milliseconds(10), logger: quietLogger)
            for _ in 0..<5 {
                fake.script("openai", .json(401, ["error": ["message": "invalid key"]]))
                _ = try await mine.complete(AIRequest(prompt: "x"))
            }
            #expect(await health.isAvailable(.openai))
            let (completion, _) = try await router(catalog, [.openai, .anthropic], health: health).complete(AIRequest(prompt: "x"))
            #expect(completion.provider == .openai)

            // And the other way round: a platform cooldown does not skip a user's own key.
            fake.script("openai", .json(500, [:]), .json(500, [:]), .json(500, [:]))
            _ = try await router(catalog, [.openai, .anthropic], health: health).complete(AIRequest(prompt: "x"))
            #expect(!(await health.isAvailable(.openai)))
            #expect(try await mine.complete(AIRequest(prompt: "x")).0.provider == .openai)
        }
    }

    @Test func streamsFallBackOnlyBeforeTheFirstPiece() async throws {
        try await withFake { fake, catalog in
            // Fails before any output: the next provider streams.
            fake.script("anthropic", .json(529, ["type": "error", "error": ["type": "overloaded_error", "message": "Overloaded"]]))
            var routing = router(catalog, [.anthropic, .openai])
            routing.maxRetries = 0
            let received = Received()
            let (completion, _) = try await routing.stream(AIRequest(prompt: "x")) { await received.add($0) }
            #expect(completion.provider == .openai)
            #expect(await received.pieces == ["Hello", " stream"])

            // Fails after output: no splice with another provider's answer.
            fake.script(
                "anthropic",
                .sse([
                    ("message_start", #"{"type":"message_start","message":{"model":"claude-test","usage":{"input_tokens":3}}}"#),
                    ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Half"}}"#),
                    ("error", #"{"type":"error","error":{"type":"api_error","message":"boom"}}"#),
                ]))
            let partial = Received()
            await #expect(throws: AIRoutingError.self) {
                _ = try await routing.stream(AIRequest(prompt: "x")) { await partial.add($0) }
            }
            #expect(await partial.pieces == ["Half"])
        }
    }
}

actor Received {
    var pieces: [String] = []
    func add(_ piece: String) { pieces.append(piece) }
}
