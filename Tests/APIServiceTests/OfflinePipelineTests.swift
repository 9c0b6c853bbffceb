import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import APIService

/// The product's main path with no AI key at all: the offline provider answers every step.
@Suite struct OfflinePipelineTests {
    @Test func generateStoreAnalyseResearchAndIllustrateWithoutKeys() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await APIHarness.run(["MEDIA_STORAGE_PATH": root]) { harness, client in
            let (_, auth) = try await harness.user()
            func post(_ path: String, _ body: JSONValue) async throws -> JSONValue {
                try await client.execute(
                    uri: path, method: .post, headers: auth.merging([.contentType: "application/json"]), body: ByteBuffer(data: body.encodedData())
                ) { response in
                    #expect((200...201).contains(response.status.code), "\(path): \(response.status)")
                    return response.json["data"] ?? .null
                }
            }
            // 1. Generate: the article is stored.
            let article = try await post(
                "/api/articles/generate", ["topic": "Home coffee brewing", "keywords": ["coffee brewing"], "articleSize": "small"])
            let id = try #require(article["id"]?.stringValue)
            #expect(article["provider"] == "offline")
            let stored = try await client.execute(uri: "/api/v1/articles/\(id)", method: .get, headers: auth) { $0.json["data"] ?? .null }
            let html = try #require(stored["htmlContent"]?.stringValue)
            #expect(!html.isEmpty)
            // 2. SEO analysis of what was stored.
            let seo = try await post("/api/seo/analyze", ["content": .string(html), "keywords": ["coffee brewing"]])
            #expect(seo["metrics"]?["wordCount"]?.intValue ?? 0 > 0)
            #expect(seo["overallScore"]?.intValue != nil)
            // 3. Research, labelled and ungrounded.
            let research = try await post("/api/research/query", ["query": "How fine should coffee be ground for a French press?"])
            #expect(research["grounded"] == false)
            #expect(research["sources"] == [])
            // 4. An image for it, stored and served.
            let image = try await post("/api/media/images", ["prompt": "A French press on a kitchen table"])
            let mediaID = try #require(image["id"]?.stringValue)
            try await client.execute(uri: "/api/media/\(mediaID)/file", method: .get, headers: auth) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "image/svg+xml")
            }
        }
    }
}
