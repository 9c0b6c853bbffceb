import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import APIService

@Suite struct ResearchTests {
    func withAI(_ body: @Sendable (FakeAIProviders, APIHarness, any TestClientProtocol) async throws -> Void) async throws {
        let fake = try FakeAIProviders()
        try await fake.start()
        defer { fake.stop() }
        try await APIHarness.run(fake.environment.merging(["AI_TIMEOUT_SECONDS": "5"]) { $1 }) { harness, client in
            try await body(fake, harness, client)
        }
    }

    func research(_ client: any TestClientProtocol, _ auth: HTTPFields, _ body: JSONValue, path: String = "/api/v1/research/query") async throws -> (
        HTTPResponse.Status, JSONValue
    ) {
        try await client.execute(
            uri: path, method: .post, headers: auth.merging([.contentType: "application/json"]), body: ByteBuffer(data: body.encodedData())
        ) {
            ($0.status, $0.json)
        }
    }

    func balance(_ client: any TestClientProtocol, _ auth: HTTPFields) async throws -> Int? {
        try await client.execute(uri: "/api/credits", method: .get, headers: auth) { $0.json["data"]?["balance"]?.intValue }
    }

    static let answer = "Kaffee kostet mehr — über 5 % in München. ☕ Nachfrage wächst."

    static func grounded() -> FakeAIProviders.Reply {
        let bytes = Array(answer.utf8)
        let first = "Kaffee kostet mehr — über 5 % in München."
        let last = "Nachfrage wächst."
        return .json(
            200,
            [
                "candidates": [
                    [
                        "content": ["parts": [["text": .string(answer)]]], "finishReason": "STOP",
                        "groundingMetadata": [
                            "groundingChunks": [
                                ["web": ["uri": "https://news.example/kaffee", "title": "news.example"]],
                                ["web": ["uri": "https://stats.example/preise", "title": "stats.example"]],
                            ],
                            "groundingSupports": [
                                [
                                    "segment": ["startIndex": 0, "endIndex": .int(Array(first.utf8).count), "text": .string(first)],
                                    "groundingChunkIndices": [0, 1],
                                ],
                                [
                                    "segment": [
                                        "startIndex": .int(bytes.count - Array(last.utf8).count), "endIndex": .int(bytes.count),
                                        "text": .string(last),
                                    ], "groundingChunkIndices": [1],
                                ],
                            ],
                        ],
                    ]
                ],
                "usageMetadata": ["promptTokenCount": 20, "candidatesTokenCount": 30],
            ])
    }

    @Test func groundedAnswersCarrySourcesAndByteOffsetCitationsAndRepeatsComeFromTheCache() async throws {
        try await withAI { fake, harness, client in
            let (id, auth) = try await harness.user()
            let before = try #require(try await balance(client, auth))
            fake.script("gemini", Self.grounded())
            let (status, body) = try await research(client, auth, ["query": "Kaffeepreise in München?", "language": "de"])
            #expect(status == .ok)
            let data = try #require(body["data"])
            #expect(data["grounded"] == true)
            #expect(data["cached"] == false)
            #expect(data["sources"]?.arrayItems.map { $0["url"] } == ["https://news.example/kaffee", "https://stats.example/preise"])
            let summary = try #require(data["summary"]?.stringValue)
            let bytes = Array(summary.utf8)
            for citation in data["citations"]?.arrayItems ?? [] {
                let start = try #require(citation["startIndex"]?.intValue), end = try #require(citation["endIndex"]?.intValue)
                #expect(String(decoding: bytes[start..<end], as: UTF8.self) == citation["text"]?.stringValue)
            }
            #expect(data["citations"]?.arrayItems.count == 2)
            #expect(fake.requests("gemini").last?.body["tools"] == [["google_search": [:]]])
            #expect(try await balance(client, auth) == before - 5)

            // Same question, other spelling: served from the cache, free, still recorded.
            let (_, again) = try await research(client, auth, ["query": "  kaffeepreise IN münchen ", "language": "de"])
            #expect(again["data"]?["cached"] == true)
            #expect(again["data"]?["summary"]?.stringValue == summary)
            #expect(try await balance(client, auth) == before - 5)
            #expect(fake.requests("gemini").count == 1)

            try await client.execute(uri: "/api/research/history?limit=1", method: .get, headers: auth) { response in
                #expect(response.json["data"]?["pagination"]?["total"] == 2)
                #expect(response.json["data"]?["items"]?.arrayItems.first?["cached"] == true)
            }
            #expect(
                try await TestUsers.integer(
                    "SELECT count(*)::int FROM tool_usage WHERE user_id = \(id) AND tool = 'research' AND status = 'success'", on: harness.database)
                    == 1)
        }
    }

    @Test func withoutGeminiTheAnswerIsUngroundedWithNoInventedSources() async throws {
        try await withAI { fake, harness, client in
            let (_, auth) = try await harness.user()
            fake.script("gemini", .json(500, [:]), .json(500, [:]), .json(500, [:]))
            let (status, body) = try await research(client, auth, ["query": .string("What is SEO \(UUID())")])
            #expect(status == .ok)
            #expect(body["data"]?["grounded"] == false)
            #expect(body["data"]?["sources"] == [])
            #expect(body["data"]?["citations"] == [])
            #expect(body["data"]?["summary"] == "Hello from OpenAI")
        }
    }

    @Test func whenEveryProviderFailsNothingIsChargedAndFailuresAreRecorded() async throws {
        try await withAI { fake, harness, client in
            let (id, auth) = try await harness.user()
            let before = try await balance(client, auth)
            for provider in ["gemini", "openai", "anthropic", "ollama"] {
                fake.script(provider, .json(503, [:]), .json(503, [:]), .json(503, [:]))
            }
            let (status, body) = try await research(client, auth, ["query": .string("outage \(UUID())")])
            #expect(status == .badGateway)
            #expect(body["error"]?["code"] == "AI_PROVIDER_ERROR")
            #expect(try await balance(client, auth) == before)
            #expect(try await TestUsers.integer("SELECT count(*)::int FROM generation_failures WHERE user_id = \(id)", on: harness.database) == 12)
            #expect(
                try await TestUsers.integer(
                    "SELECT count(*)::int FROM credit_reservations WHERE user_id = \(id) AND status = 'held'", on: harness.database) == 0)
        }
    }

    @Test func offlineResearchIsLabelledAndTheToolsAnswerTheirShape() async throws {
        try await APIHarness.run { harness, client in
            let (_, auth) = try await harness.user()
            let (_, body) = try await research(client, auth, ["query": "offline question"])
            #expect(body["data"]?["grounded"] == false)
            #expect(body["data"]?["summary"]?.stringValue?.hasPrefix("[offline]") == true)
            let (status, study) = try await research(client, auth, ["query": "How do solar panels convert sunlight?"], path: "/api/tools/study")
            #expect(status == .ok)
            #expect(study["data"]?["tags"] == ["solar", "panels", "convert", "sunlight"])
            #expect(study["data"]?["timestamp"]?.stringValue != nil)
            #expect(study["data"]?["sources"] == [])
            for bad: JSONValue in [[:], ["query": ""], ["query": 5], ["query": "x", "maxResults": 50], ["query": "x", "language": "e n!"]] {
                #expect(try await research(client, auth, bad).0 == .badRequest, "\(bad)")
            }
        }
    }
}

/// The history row of a research query is committed with its charge: when it cannot be
/// written, nothing is charged and the hold is given back at once.
@Suite struct ResearchHistoryWithChargeTests {
    @Test func aHistoryRowThatCannotBeWrittenChargesNothing() async throws {
        try await APIHarness.run(isolatedDatabase: true) { harness, client in
            // The database refuses this one query's history row.
            _ = try await harness.database.client.query(
                """
                CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.query LIKE 'poison%' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$
                """, logger: harness.database.logger)
            _ = try await harness.database.client.query(
                "CREATE TRIGGER refuse_poison BEFORE INSERT ON research_queries FOR EACH ROW EXECUTE FUNCTION refuse_poison()",
                logger: harness.database.logger)
            let (id, auth) = try await harness.user()
            func ask(_ query: String) async throws -> HTTPResponse.Status {
                try await client.execute(
                    uri: "/api/v1/research/query", method: .post, headers: auth.merging([.contentType: "application/json"]),
                    body: ByteBuffer(data: JSONValue.object(["query": .string(query)]).encodedData())
                ) { $0.status }
            }
            #expect(try await ask("a fine question about coffee") == .ok)
            let balance = try await TestUsers.integer("SELECT balance FROM credit_balances WHERE user_id = \(id)", on: harness.database)
            #expect(try await ask("poison question about coffee") != .ok)
            #expect(try await TestUsers.integer("SELECT balance FROM credit_balances WHERE user_id = \(id)", on: harness.database) == balance)
            #expect(try await TestUsers.integer("SELECT reserved FROM credit_balances WHERE user_id = \(id)", on: harness.database) == 0)
            #expect(
                try await TestUsers.integer(
                    "SELECT count(*)::int FROM credit_reservations WHERE user_id = \(id) AND status = 'held'", on: harness.database) == 0)
            #expect(try await TestUsers.integer("SELECT count(*)::int FROM research_queries WHERE user_id = \(id)", on: harness.database) == 1)
        }
    }
}
