import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

@testable import APIService

@Suite struct ArticleRoutesTests {
    static let html = "<h2>Coffee brewing basics</h2><p>Coffee brewing is simple. Good coffee brewing needs fresh beans and clean water.</p>"

    @Test func createReadUpdateListAndDelete() async throws {
        try await APIHarness.run { harness, client in
            let (_, auth) = try await writerUser(harness)
            let (status, created) = try await writerCall(
                client, .post, "/api/articles", auth,
                [
                    "title": "Ten Tips for Café Owners!", "htmlContent": .string(Self.html), "content": "Coffee brewing is simple.",
                    "focusKeyphrase": "coffee brewing", "metaDescription": "How to brew coffee.",
                ])
            #expect(status == .created)
            let article = try #require(created["data"])
            #expect(article["slug"] == "ten-tips-for-cafe-owners")
            #expect(article["status"] == "DRAFT")
            #expect((article["wordCount"]?.intValue ?? 0) > 10)
            #expect(article["seoScore"]?.intValue != nil)
            #expect(article["publishedAt"] == .null)
            #expect(article["provider"] == .null)
            let id = try #require(article["id"]?.stringValue)

            // The same title again gets a suffixed slug.
            let second = try await writerCall(client, .post, "/api/v1/articles", auth, ["title": "Ten tips for cafe owners"]).1
            #expect(second["data"]?["slug"] == "ten-tips-for-cafe-owners-2")

            let (_, read) = try await writerCall(client, .get, "/api/v1/articles/\(id)", auth)
            #expect(read["data"]?["title"] == "Ten Tips for Café Owners!")
            #expect(read["data"]?["seoTitle"] == .null)

            let (updateStatus, updated) = try await writerCall(
                client, .put, "/api/articles/\(id)", auth, ["status": "published", "seoTitle": "Brew better"])
            #expect(updateStatus == .ok)
            #expect(updated["data"]?["status"] == "PUBLISHED")
            #expect(updated["data"]?["seoTitle"] == "Brew better")
            #expect(updated["data"]?["publishedAt"]?.stringValue != nil)
            #expect(updated["data"]?["slug"] == "ten-tips-for-cafe-owners", "an unchanged title keeps its slug")
            #expect(updated["data"]?["htmlContent"] == .string(Self.html), "absent fields are kept")

            let (_, list) = try await writerCall(client, .get, "/api/articles?limit=1", auth)
            #expect(list["data"]?["pagination"]?["total"] == 2)
            #expect(list["data"]?["pagination"]?["totalPages"] == 2)
            #expect(list["data"]?["items"]?.arrayValue?.first?["title"] == "Ten tips for cafe owners", "newest first")
            let (_, published) = try await writerCall(client, .get, "/api/articles?status=PUBLISHED", auth)
            #expect(published["data"]?["items"]?.arrayValue?.map { $0["id"] } == [.string(id)])
            #expect(try await writerCall(client, .get, "/api/articles?status=GONE", auth).0 == .badRequest)

            #expect(try await writerCall(client, .delete, "/api/articles/\(id)", auth).0 == .ok)
            #expect(try await writerCall(client, .get, "/api/articles/\(id)", auth).0 == .notFound)
            #expect(try await writerCall(client, .delete, "/api/articles/\(id)", auth).0 == .notFound)
        }
    }

    @Test func badInputIsAValidationErrorNamingTheField() async throws {
        try await APIHarness.run { harness, client in
            let (_, auth) = try await writerUser(harness)
            let bodies: [(JSONValue, String)] = [
                ([:], "title"), (["title": ""], "title"), (["title": .string(String(repeating: "a", count: 301))], "title"),
                (["title": "ok", "status": "LIVE"], "status"), (["title": 3], "title"), (["title": "ok", "content": ["x": 1]], "content"),
                (["title": "ok", "metaDescription": .string(String(repeating: "m", count: 501))], "metaDescription"),
            ]
            for (body, field) in bodies {
                let (status, answer) = try await writerCall(client, .post, "/api/articles", auth, body)
                #expect(status == .badRequest, "\(body)")
                #expect(answer["error"]?["code"] == "VALIDATION_ERROR")
                #expect(answer["error"]?["details"]?.arrayValue?.first?["field"]?.stringValue?.contains(field) == true, "\(body)")
            }
            #expect(try await writerCallRaw(client, .post, "/api/articles", auth, "{not json").0 == .badRequest)
            #expect(try await writerCallRaw(client, .post, "/api/articles", auth, "[1]").0 == .badRequest)
            #expect(try await writerCall(client, .get, "/api/articles/not-a-uuid", auth).0 == .notFound)
        }
    }

    @Test func anotherUsersArticleIsNotFound() async throws {
        try await APIHarness.run { harness, client in
            let (_, owner) = try await writerUser(harness)
            let (_, other) = try await writerUser(harness)
            let id = try #require(try await writerCall(client, .post, "/api/articles", owner, ["title": "Mine"]).1["data"]?["id"]?.stringValue)
            #expect(try await writerCall(client, .get, "/api/articles/\(id)", other).0 == .notFound)
            #expect(try await writerCall(client, .put, "/api/articles/\(id)", other, ["title": "Theirs"]).0 == .notFound)
            #expect(try await writerCall(client, .delete, "/api/articles/\(id)", other).0 == .notFound)
            #expect(try await writerCall(client, .get, "/api/articles", other).1["data"]?["pagination"]?["total"] == 0)
            #expect(try await writerCall(client, .get, "/api/articles/\(id)", owner).1["data"]?["title"] == "Mine")
            #expect(try await writerCall(client, .get, "/api/articles", [:]).0 == .unauthorized)
        }
    }

    @Test func slugsAreKebabCase() {
        #expect(Slug.make("Hello, World!  How's it going?") == "hello-world-how-s-it-going")
        #expect(Slug.make("  --  ") == "article")
        #expect(Slug.make("Ünïcödé Crème") == "unicode-creme")
        #expect(Slug.make(String(repeating: "word ", count: 40)).count <= Slug.maximumLength)
        #expect(Slug.isValid("a-b-c"))
        #expect(!Slug.isValid("A b"))
    }
}
