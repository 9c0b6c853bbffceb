import Core
import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import APIService

@Suite struct FeedbackRoutesTests {
    @Test func feedbackIsStoredAndListedForItsOwnerOnly() async throws {
        try await APIHarness.run { harness, client in
            let (_, auth) = try await harness.user()
            let (_, otherAuth) = try await harness.user()
            let created = try await exchange(
                client, .post, "/api/v1/feedback", auth,
                #"{"contentType":"ARTICLE","provider":"OPENAI","rating":5,"comment":"Great","contentId":"a-1","metadata":{"words":900}}"#)
            #expect(created.status == .created)
            let item = created.json["data"]
            #expect(item?["contentType"] == "ARTICLE")
            #expect(item?["provider"] == "OPENAI")
            #expect(item?["rating"] == 5)
            #expect(item?["comment"] == "Great")
            #expect(item?["contentId"] == "a-1")
            #expect(item?["metadata"] == ["words": 900])
            #expect(item?["id"]?.stringValue != nil)
            // Thumbs: -1 and +1; provider optional; lowercase names accepted.
            #expect(try await exchange(client, .post, "/api/feedback", auth, #"{"contentType":"image","rating":-1}"#).status == .created)
            #expect(
                try await exchange(client, .post, "/api/feedback", auth, #"{"contentType":"ARTICLE_CTA","provider":"llama","rating":1}"#).status
                    == .created)
            for prefix in ["/api/v1", "/api"] {
                let page = try await exchange(client, .get, "\(prefix)/feedback/history?limit=2", auth)
                #expect(page.status == .ok)
                #expect(page.json["data"]?["pagination"] == ["page": 1, "limit": 2, "total": 3, "totalPages": 2, "nextCursor": .null])
                #expect(page.json["data"]?["items"]?.arrayValue?.first?["contentType"] == "ARTICLE_CTA")
                #expect(page.json["data"]?["items"]?.arrayValue?.first?["provider"] == "LLAMA")
            }
            let theirs = try await exchange(client, .get, "/api/feedback/history", otherAuth)
            #expect(theirs.json["data"]?["pagination"]?["total"] == 0)
            let bad = try await exchange(client, .get, "/api/feedback/history?limit=1000", auth)
            #expect(bad.status == .badRequest)
            #expect(bad.json.firstDetailField == "limit")
        }
    }

    @Test func invalidFeedbackIsA400NamingTheField() async throws {
        try await APIHarness.run { harness, client in
            let (_, auth) = try await harness.user()
            let cases: [(String, String)] = [
                (#"{"contentType":"POEM","rating":5}"#, "contentType"),
                (#"{"rating":5}"#, "contentType"),
                (#"{"contentType":7,"rating":5}"#, "contentType"),
                (#"{"contentType":"ARTICLE","provider":"MISTRAL","rating":5}"#, "provider"),
                (#"{"contentType":"ARTICLE","rating":0}"#, "rating"),
                (#"{"contentType":"ARTICLE","rating":6}"#, "rating"),
                (#"{"contentType":"ARTICLE","rating":-2}"#, "rating"),
                (#"{"contentType":"ARTICLE","rating":2.5}"#, "rating"),
                (#"{"contentType":"ARTICLE","rating":"5"}"#, "rating"),
                (#"{"contentType":"ARTICLE"}"#, "rating"),
                (#"{"contentType":"ARTICLE","rating":5,"metadata":"x"}"#, "metadata"),
                (#"{"contentType":"ARTICLE","rating":5,"comment":true}"#, "comment"),
                (#"{"contentType":"ARTICLE","rating":5,"comment":"a\u0000b"}"#, "comment"),
                (#"{"contentType":"ARTICLE","rating":5,"metadata":{"k":"\u0000"}}"#, "metadata"),
            ]
            for (body, field) in cases {
                let reply = try await exchange(client, .post, "/api/v1/feedback", auth, body)
                #expect(reply.status == .badRequest, "\(body)")
                #expect(reply.json.envelopeErrorCode == "VALIDATION_ERROR")
                #expect(reply.json.firstDetailField == .string(field), "\(body)")
            }
            #expect(try await exchange(client, .post, "/api/v1/feedback", auth, "not json").status == .badRequest)
            #expect(try await exchange(client, .post, "/api/v1/feedback", [:], #"{"contentType":"ARTICLE","rating":5}"#).status == .unauthorized)
            let recommend = try await exchange(client, .get, "/api/feedback/recommend?contentType=POEM", auth)
            #expect(recommend.status == .badRequest)
            #expect(recommend.json.firstDetailField == "contentType")
            #expect(try await exchange(client, .get, "/api/feedback/recommend", auth).status == .badRequest)
        }
    }

    @Test func statsAverageAndRecommendationNeedEnoughSamples() async throws {
        // Platform-wide averages: a database of its own, so earlier runs' ratings do not count.
        try await APIHarness.run(isolatedDatabase: true) { harness, client in
            let (_, auth) = try await harness.user()
            func rate(_ provider: String, _ rating: Int, times: Int) async throws {
                for _ in 0..<times {
                    let reply = try await exchange(
                        client, .post, "/api/feedback", auth, #"{"contentType":"AUDIO","provider":"\#(provider)","rating":\#(rating)}"#)
                    #expect(reply.status == .created)
                }
            }
            try await rate("OPENAI", 4, times: 5)
            try await rate("GEMINI", 3, times: 5)
            try await rate("ANTHROPIC", 5, times: FeedbackStore.minimumSamples - 1)  // too few to count
            let reply = try await exchange(client, .get, "/api/v1/feedback/recommend?contentType=audio", auth)
            #expect(reply.status == .ok)
            let data = reply.json["data"]
            #expect(data?["contentType"] == "AUDIO")
            #expect(data?["provider"] == "OPENAI")
            #expect(data?["basedOnFeedback"] == true)
            #expect(data?["averageRating"]?.numericValue == 4)
            #expect(data?["sampleSize"] == 5)
            #expect(data?["ranking"]?.arrayValue?.map { $0["provider"] } == ["OPENAI", "GEMINI"])
            // No feedback for the type: the default order's first provider.
            let fallback = try await exchange(client, .get, "/api/feedback/recommend?contentType=RESEARCH", auth)
            #expect(fallback.json["data"]?["provider"] == "GEMINI")
            #expect(fallback.json["data"]?["basedOnFeedback"] == false)
            #expect(fallback.json["data"]?["defaultOrder"] == ["GEMINI", "OPENAI", "ANTHROPIC", "LLAMA"])
            let stats = try await exchange(client, .get, "/api/feedback/stats", auth)
            #expect(stats.status == .ok)
            let audio = stats.json["data"]?["byContentType"]?["AUDIO"]
            #expect(audio?["count"] == 14)
            #expect(audio?["averageRating"]?.numericValue == 3.93)  // 55 / 14, two decimals
            #expect((stats.json["data"]?["byProvider"]?["OPENAI"]?["count"]?.intValue ?? 0) >= 5)
            #expect((stats.json["data"]?["total"]?.intValue ?? 0) >= 14)
        }
    }
}
