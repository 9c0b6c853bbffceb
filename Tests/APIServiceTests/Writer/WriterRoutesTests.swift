import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import APIService

/// The writer routes: offline (no provider configured) for the whole pipeline, and the
/// fake providers over real HTTP for validation, failures and charging.
@Suite struct WriterRoutesTests {
    static let topic: JSONValue = ["topic": "Home coffee brewing", "keywords": ["coffee", "brewing"], "articleSize": "small", "tone": "friendly"]

    func withAI(_ extra: [String: String] = [:], _ body: @Sendable (FakeAIProviders, APIHarness, any TestClientProtocol) async throws -> Void)
        async throws
    {
        let fake = try FakeAIProviders()
        try await fake.start()
        defer { fake.stop() }
        // Only Gemini is configured: the admin settings on the shared test database may name
        // another fallback order, but providers without a key drop out of any chain.
        let environment = fake.environment.filter { $0.key.hasPrefix("GEMINI_") }.merging(["AI_TIMEOUT_SECONDS": "5", "AI_MAX_RETRIES": "0"]) { $1 }
        try await APIHarness.run(environment.merging(extra) { $1 }) { harness, client in try await body(fake, harness, client) }
    }

    static func gemini(_ text: String) -> FakeAIProviders.Reply {
        .json(
            200,
            [
                "candidates": [["content": ["role": "model", "parts": [["text": .string(text)]]], "finishReason": "STOP"]],
                "usageMetadata": ["promptTokenCount": 8, "candidatesTokenCount": 3], "modelVersion": "gemini-test",
            ])
    }

    static func articleCount(_ harness: APIHarness, _ user: UUID) async throws -> Int {
        var count = 0
        for try await value in try await harness.database.client.query(
            "SELECT count(*) FROM articles WHERE user_id = \(user)", logger: harness.database.logger
        )
        .decode(Int.self) { count = value }
        return count
    }

    /// `(event, data)` pairs of an SSE body.
    static func events(_ text: String) -> [(String, JSONValue)] {
        text.components(separatedBy: "\n\n").compactMap { block in
            var name: String?
            var data = ""
            for line in block.split(separator: "\n") {
                if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data += line.dropFirst(6) }
            }
            guard let name else { return nil }
            return (name, (try? JSONDecoder().decode(JSONValue.self, from: Data(data.utf8))) ?? .null)
        }
    }

    @Test func offlineStepsHaveTheContractShapesAndAreLabelled() async throws {
        try await APIHarness.run { harness, client in
            let (_, auth) = try await writerUser(harness)
            let before = try #require(try await writerBalance(client, auth))
            let (status, metadata) = try await writerCall(client, .post, "/api/articles/metadata", auth, Self.topic)
            #expect(status == .ok)
            let data = try #require(metadata["data"])
            #expect((data["seoTitle"]?.stringValue?.count ?? 99) <= 60)
            #expect(data["seoTitle"]?.stringValue?.contains("Offline") == true)
            #expect(data["slug"] == "home-coffee-brewing")
            #expect((data["metaDescription"]?.stringValue?.count ?? 999) <= 160)
            #expect(data["focusKeyphrase"] == "coffee")
            for field in ["style", "aspect", "alt", "filename", "caption", "prompt"] {
                #expect(data["featuredImage"]?[field]?.stringValue != nil, "\(field)")
            }
            let outline = try await writerCall(client, .post, "/api/v1/articles/outline", auth, Self.topic).1["data"]
            #expect(outline?.arrayItems.count == 3)
            #expect(outline?.arrayItems.allSatisfy { $0.stringValue != nil } == true)
            let section = try await writerCall(
                client, .post, "/api/articles/section", auth,
                [
                    "sectionTitle": "Choosing beans", "topic": "Home coffee brewing", "imageQuantity": 1,
                ]
            ).1["data"]?.stringValue
            #expect(section?.contains("[Offline draft]") == true)
            #expect(section?.contains("<!-- IMAGE_PROMPT: {") == true)
            let cta = try await writerCall(client, .post, "/api/articles/cta", auth, ["topic": "Home coffee brewing", "focusKeyphrase": "coffee"]).1[
                "data"]
            #expect(cta?.stringValue?.hasPrefix("<p>") == true)
            // metadata 2 + outline 3 + section 5 + cta 2
            #expect(try await writerBalance(client, auth) == before - 12)
        }
    }

    @Test func offlineGenerationStoresTheArticleOnceAndStreamsEveryStep() async throws {
        try await APIHarness.run { harness, client in
            let (id, auth) = try await writerUser(harness)
            let before = try #require(try await writerBalance(client, auth))
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "gen-1"]
            let (status, answer) = try await writerCall(client, .post, "/api/articles/generate", auth, Self.topic, headers: key)
            #expect(status == .created)
            let article = try #require(answer["data"])
            #expect(article["provider"] == "offline")
            #expect(article["status"] == "DRAFT")
            #expect(article["slug"]?.stringValue?.hasPrefix("offline-draft-home-coffee-brewing") == true)
            #expect(article["htmlContent"]?.stringValue?.components(separatedBy: "<h2>").count == 4, "three sections")
            #expect((article["wordCount"]?.intValue ?? 0) > 20)
            #expect(try await writerBalance(client, auth) == before - 10)
            // The same key: the same article, no second charge nor row.
            let retry = try await writerCall(client, .post, "/api/articles/generate", auth, Self.topic, headers: key).1["data"]
            #expect(retry?["id"] == article["id"])
            #expect(try await writerBalance(client, auth) == before - 10)
            #expect(try await Self.articleCount(harness, id) == 1)

            var headers = auth
            headers[.accept] = "text/event-stream"
            headers[.contentType] = "application/json"
            let (streamStatus, contentType, text) = try await client.execute(
                uri: "/api/articles/generate", method: .post, headers: headers, body: ByteBuffer.json(Self.topic)
            ) { ($0.status, $0.headers[.contentType], $0.text) }
            #expect(streamStatus == .ok)
            #expect(contentType == "text/event-stream")
            let events = Self.events(text)
            #expect(events.map(\.0) == ["metadata", "outline", "section", "section", "section", "cta", "done"])
            #expect(events.first?.1["seoTitle"]?.stringValue != nil)
            #expect(events[2].1["heading"]?.stringValue != nil)
            #expect(events.last?.1["id"]?.stringValue != nil)
            #expect(try await Self.articleCount(harness, id) == 2)
            #expect(try await writerBalance(client, auth) == before - 20)
        }
    }

    @Test func providerAnswersAreValidatedAndClamped() async throws {
        try await withAI { fake, harness, client in
            let (_, auth) = try await writerUser(harness)
            let long = String(repeating: "Brewing coffee at home is easy ", count: 5)
            fake.script(
                "gemini",
                Self.gemini(
                    """
                    ```json
                    {"focusKeyphrase": "coffee brewing", "seoTitle": "\(long)", "slug": "Brew Coffee AT Home!!", "metaDescription": "\(long)\(long)",
                     "featuredImage": {"style": "photo", "aspect": "16:9", "alt": "A cup", "filename": "My Cup.PNG", "caption": "Cup", "prompt": "a cup"}}
                    ```
                    """))
            let data = try #require(try await writerCall(client, .post, "/api/articles/metadata", auth, Self.topic).1["data"])
            #expect((data["seoTitle"]?.stringValue?.count ?? 99) <= 60)
            #expect((data["metaDescription"]?.stringValue?.count ?? 999) <= 160)
            #expect(data["slug"] == "brew-coffee-at-home")
            #expect(data["featuredImage"]?["filename"] == "my-cup.png")
            fake.script("gemini", Self.gemini(###"{"outline": ["1. Beans", "## Grinding", "<b>Water</b>"]}"###))
            #expect(try await writerCall(client, .post, "/api/articles/outline", auth, Self.topic).1["data"] == ["Beans", "Grinding", "Water"])
            fake.script("gemini", Self.gemini("```html\n<p>Good</p><script>alert(1)</script>\n```"))
            #expect(try await writerCall(client, .post, "/api/articles/section", auth, ["sectionTitle": "Beans"]).1["data"] == "<p>Good</p>")
            // A model's HTML goes through the allow-list: handlers and script URLs go, the text stays.
            fake.script("gemini", Self.gemini(#"<p onclick="steal()">Good <a href="javascript:steal()">beans</a><img src=x onerror=steal()></p>"#))
            #expect(
                try await writerCall(client, .post, "/api/articles/section", auth, ["sectionTitle": "Beans"]).1["data"]
                    == #"<p>Good <a>beans</a><img src="x"></p>"#)
            // Not JSON twice (answer and repair): 502, nothing charged.
            let before = try #require(try await writerBalance(client, auth))
            fake.script("gemini", Self.gemini("no json here"), Self.gemini("still none"))
            let (status, answer) = try await writerCall(client, .post, "/api/articles/outline", auth, Self.topic)
            #expect(status == .badGateway)
            #expect(answer["error"]?["code"] == "AI_PROVIDER_ERROR")
            #expect(try await writerBalance(client, auth) == before)
        }
    }

    @Test func aProviderFailureIs502AndCostsAndStoresNothing() async throws {
        try await withAI { fake, harness, client in
            let (id, auth) = try await writerUser(harness)
            let before = try #require(try await writerBalance(client, auth))
            fake.script("gemini", .json(500, ["error": ["message": "boom"]]))
            let (status, answer) = try await writerCall(client, .post, "/api/articles/section", auth, ["sectionTitle": "Beans"])
            #expect(status == .badGateway)
            #expect(answer["error"]?["code"] == "AI_PROVIDER_ERROR")

            // The pipeline fails at the outline, after the metadata succeeded.
            fake.script(
                "gemini", Self.gemini(#"{"seoTitle": "Coffee", "metaDescription": "About coffee"}"#), .json(500, ["error": ["message": "boom"]]))
            let (generateStatus, generated) = try await writerCall(client, .post, "/api/articles/generate", auth, Self.topic)
            #expect(generateStatus == .badGateway)
            #expect(generated["error"]?["code"] == "AI_PROVIDER_ERROR")
            #expect(try await writerBalance(client, auth) == before)
            #expect(try await Self.articleCount(harness, id) == 0)

            // Streamed: the steps that succeeded, then an error event; still free.
            fake.script(
                "gemini", Self.gemini(#"{"seoTitle": "Coffee", "metaDescription": "About coffee"}"#), .json(500, ["error": ["message": "boom"]]))
            var headers = auth
            headers[.accept] = "text/event-stream"
            headers[.contentType] = "application/json"
            let text = try await client.execute(uri: "/api/articles/generate", method: .post, headers: headers, body: ByteBuffer.json(Self.topic)) {
                $0.text
            }
            let events = Self.events(text)
            #expect(events.map(\.0) == ["metadata", "error"])
            #expect(events.last?.1["code"] == "AI_PROVIDER_ERROR")
            #expect(events.last?.1["status"] == 502)
            #expect(try await writerBalance(client, auth) == before)
            #expect(try await Self.articleCount(harness, id) == 0)
        }
    }

    @Test func badWritingRequestsAreValidationErrors() async throws {
        try await APIHarness.run { harness, client in
            let (_, auth) = try await writerUser(harness)
            for (path, body) in [
                ("/api/articles/metadata", [:]), ("/api/articles/outline", ["topic": 5]), ("/api/articles/section", ["topic": "x"]),
                ("/api/articles/generate", ["topic": "x", "keywords": [1, 2]]),
                ("/api/articles/section", ["sectionTitle": "x", "imageQuantity": 99]),
            ] as [(String, JSONValue)] {
                let (status, answer) = try await writerCall(client, .post, path, auth, body)
                #expect(status == .badRequest, "\(path) \(body)")
                #expect(answer["error"]?["code"] == "VALIDATION_ERROR")
            }
        }
    }
}
