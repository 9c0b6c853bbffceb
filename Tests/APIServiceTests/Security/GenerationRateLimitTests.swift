import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import APIService

/// API.md: 20 generations a minute per user in each family (articles, media, research),
/// here lowered to 2; each family has its own budget, and a refused generation costs nothing.
@Suite struct GenerationRateLimitTests {
    @Test func everyGenerationFamilyIsLimitedOnItsOwn() async throws {
        let overrides = ["RATE_LIMIT_ENABLED": "true", "RATE_LIMIT_API_PER_MINUTE": "1000", "RATE_LIMIT_GENERATION_PER_MINUTE": "2"]
        try await APIHarness.run(overrides) { harness, client in
            let (_, auth) = try await writerUser(harness)
            let families: [(String, @Sendable (Int) -> JSONValue)] = [
                ("/api/media/images", { ["prompt": .string("A cup of coffee number \($0)")] }),
                ("/api/research/query", { ["query": .string("History of espresso machines, part \($0)")] }),
                ("/api/v1/articles/metadata", { ["topic": .string("Home coffee brewing \($0)")] }),
            ]
            for (uri, body) in families {
                for attempt in 0..<2 {
                    let (status, _) = try await writerCall(client, .post, uri, auth, body(attempt))
                    #expect(status == .ok || status == .created, "\(uri) #\(attempt)")
                }
                let balance = try await writerBalance(client, auth)
                try await client.execute(
                    uri: uri, method: .post, headers: auth.merging([.contentType: "application/json"]), body: ByteBuffer(data: body(9).encodedData())
                ) { response in
                    #expect(response.status == .tooManyRequests, "\(uri)")
                    #expect(response.json["error"]?["code"] == "RATE_LIMIT_EXCEEDED")
                    #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 >= 1)
                }
                #expect(try await writerBalance(client, auth) == balance, "\(uri): a refused generation costs nothing")
            }
            // Another user has budgets of their own.
            let (_, other) = try await writerUser(harness)
            #expect(try await writerCall(client, .post, "/api/media/images", other, ["prompt": "A teapot"]).0 == .ok)
        }
    }
}
