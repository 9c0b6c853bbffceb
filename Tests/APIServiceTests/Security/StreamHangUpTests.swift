import AsyncHTTPClient
import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import APIService

/// POST /articles/generate over SSE: a client that hangs up after the last `section`
/// event has read the sections, so the hold must not be released. A started article is
/// finished, stored and charged whether or not the client stays.
@Suite struct StreamHangUpTests {
    @Test func hangingUpAfterTheSectionsStillStoresAndChargesTheArticle() async throws {
        let fake = try FakeAIProviders()
        try await fake.start()
        defer { fake.stop() }
        let environment = fake.environment.filter { $0.key.hasPrefix("GEMINI_") }.merging(["AI_TIMEOUT_SECONDS": "10", "AI_MAX_RETRIES": "0"]) { $1 }
        try await APIHarness.run(environment, setup: .live) { harness, client in
            let (user, auth) = try await writerUser(harness)
            let port = try #require(client.port)
            let before = try #require(try await writerBalance(client, auth))
            fake.script(
                "gemini",
                WriterRoutesTests.gemini(
                    #"{"focusKeyphrase": "coffee", "seoTitle": "Coffee at home", "slug": "coffee", "metaDescription": "How to brew."}"#),
                WriterRoutesTests.gemini(#"{"outline": ["Beans"]}"#),
                WriterRoutesTests.gemini("<p>Fresh beans matter.</p>"),
                // The call to action comes late: the client is gone by then.
                .delayed(.milliseconds(1500), WriterRoutesTests.gemini("<p>Brew now.</p>")))

            var request = HTTPClientRequest(url: "http://localhost:\(port)/api/articles/generate")
            request.method = .POST
            for field in auth { request.headers.add(name: field.name.rawName, value: field.value) }
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "Accept", value: "text/event-stream")
            request.body = .bytes(ByteBuffer(data: WriterRoutesTests.topic.encodedData()))
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let seen: String
            do {
                // A loaded machine (the whole suite at once) may be slow: a generous deadline.
                let response = try await http.execute(request, timeout: .seconds(120))
                var text = ""
                for try await chunk in response.body {
                    text += String(buffer: chunk)
                    if text.contains("event: section") { break }
                }
                seen = text
            } catch {
                // A client must be shut down before it goes, whatever happened.
                try? await http.shutdown()
                throw error
            }
            #expect(seen.contains("Fresh beans matter."))
            // Hang up: the connection goes away with the client.
            try await http.shutdown()

            // The work goes on without the client: wait for its hold to be settled.
            var settled = 0
            for _ in 0..<200 where settled == 0 {
                try await Task.sleep(for: .milliseconds(100))
                settled = try await harness.sqlInt("SELECT count(*)::int FROM credit_reservations WHERE user_id = \(user) AND status = 'settled'")
            }
            #expect(settled == 1)
            #expect(try await WriterRoutesTests.articleCount(harness, user) == 1, "the article is finished and stored")
            #expect(try await writerBalance(client, auth) == before - 10, "and charged once")
            #expect(try await harness.sqlInt("SELECT count(*)::int FROM credit_reservations WHERE user_id = \(user) AND status = 'held'") == 0)
        }
    }
}
