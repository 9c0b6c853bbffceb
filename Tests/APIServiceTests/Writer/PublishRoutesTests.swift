import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

@testable import APIService

/// POST /articles/{id}/publish against a fake WordPress over real HTTP.
@Suite struct PublishRoutesTests {
    func withWordPress(_ body: @Sendable (FakeWordPress, APIHarness, any TestClientProtocol) async throws -> Void) async throws {
        let fake = try FakeWordPress()
        try await fake.start()
        defer { fake.stop() }
        try await APIHarness.run(fake.environment) { harness, client in try await body(fake, harness, client) }
    }

    func article(_ client: any TestClientProtocol, _ auth: HTTPFields) async throws -> String {
        let body: JSONValue = [
            "title": "Brewing Coffee at Home", "htmlContent": "<p>Fresh beans matter.</p>", "metaDescription": "A short guide.",
        ]
        return try #require(try await writerCall(client, .post, "/api/articles", auth, body).1["data"]?["id"]?.stringValue)
    }

    func site(_ fake: FakeWordPress, password: String = FakeWordPress.password) -> JSONValue {
        ["wordpressUrl": .string(fake.base + "/"), "username": .string(FakeWordPress.username), "applicationPassword": .string(password)]
    }

    @Test func publishesOnceChargesOnceAndMarksThePublished() async throws {
        try await withWordPress { fake, harness, client in
            let (_, auth) = try await writerUser(harness, plan: "PRO")
            let id = try await article(client, auth)
            let before = try #require(try await writerBalance(client, auth))
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "publish-1"]
            let (status, answer) = try await writerCall(client, .post, "/api/articles/\(id)/publish", auth, site(fake), headers: key)
            #expect(status == .ok)
            #expect(answer["data"]?["url"] == .string(fake.base + "/brewing-coffee-at-home/"))
            #expect(answer["data"]?["remoteId"] == 101)
            let sent = try #require(fake.received.first)
            #expect(sent["title"] == "Brewing Coffee at Home")
            #expect(sent["content"] == "<p>Fresh beans matter.</p>")
            #expect(sent["status"] == "publish")
            #expect(sent["slug"] == "brewing-coffee-at-home")
            #expect(sent["excerpt"] == "A short guide.")
            #expect(try await writerBalance(client, auth) == before - 2)

            let stored = try await writerCall(client, .get, "/api/articles/\(id)", auth).1["data"]
            #expect(stored?["status"] == "PUBLISHED")
            #expect(stored?["publishedAt"]?.stringValue != nil)
            let notices = try await writerCall(client, .get, "/api/notifications", auth).1["data"]
            #expect("\(notices ?? .null)".contains("article_published"))

            // A retry with the same key answers the first result: no second post, no charge.
            let (retryStatus, retry) = try await writerCall(client, .post, "/api/articles/\(id)/publish", auth, site(fake), headers: key)
            #expect(retryStatus == .ok)
            #expect(retry["data"] == answer["data"])
            #expect(fake.received.count == 1)
            #expect(try await writerBalance(client, auth) == before - 2)
        }
    }

    @Test func wordPressFailuresAre502AndCostNothing() async throws {
        try await withWordPress { fake, harness, client in
            let (_, auth) = try await writerUser(harness, plan: "PRO")
            let id = try await article(client, auth)
            let before = try #require(try await writerBalance(client, auth))
            let (status, answer) = try await writerCall(client, .post, "/api/articles/\(id)/publish", auth, site(fake, password: "wrong password"))
            #expect(status == .badGateway)
            #expect(answer["error"]?["code"] == "BAD_GATEWAY")
            #expect(answer["error"]?["message"]?.stringValue?.contains("wrong password") == false)
            fake.fail(with: 500)
            #expect(try await writerCall(client, .post, "/api/articles/\(id)/publish", auth, site(fake)).0 == .badGateway)
            #expect(try await writerBalance(client, auth) == before)
            #expect(try await writerCall(client, .get, "/api/articles/\(id)", auth).1["data"]?["status"] == "DRAFT")
            // Nobody listening at all.
            let closed: JSONValue = ["wordpressUrl": .string("http://127.0.0.1:\(fake.closedPort)"), "username": "u", "applicationPassword": "p"]
            #expect(try await writerCall(client, .post, "/api/articles/\(id)/publish", auth, closed).0 == .badGateway)
            #expect(try await writerBalance(client, auth) == before)
        }
    }

    @Test func freePlansCannotPublishAndBadInputIsRefused() async throws {
        try await withWordPress { fake, harness, client in
            let (_, free) = try await writerUser(harness)
            let id = try await article(client, free)
            let (status, answer) = try await writerCall(client, .post, "/api/articles/\(id)/publish", free, site(fake))
            #expect(status == .forbidden)
            #expect(answer["error"]?["code"] == "FEATURE_NOT_AVAILABLE")
            #expect(fake.received.isEmpty)

            let (_, pro) = try await writerUser(harness, plan: "PRO")
            let mine = try await article(client, pro)
            for url in ["ftp://example.com", "file:///etc/passwd", "not a url", "http://user:pw@example.com"] {
                let body: JSONValue = ["wordpressUrl": .string(url), "username": "u", "applicationPassword": "p"]
                let (badStatus, bad) = try await writerCall(client, .post, "/api/articles/\(mine)/publish", pro, body)
                #expect(badStatus == .badRequest, "\(url)")
                #expect(bad["error"]?["details"]?.arrayValue?.first?["field"] == "wordpressUrl")
            }
            #expect(try await writerCall(client, .post, "/api/articles/\(mine)/publish", pro, ["wordpressUrl": .string(fake.base)]).0 == .badRequest)
            // Another user's article: 404, nothing posted.
            #expect(try await writerCall(client, .post, "/api/articles/\(id)/publish", pro, site(fake)).0 == .notFound)
            #expect(fake.received.isEmpty)
        }
    }
}
