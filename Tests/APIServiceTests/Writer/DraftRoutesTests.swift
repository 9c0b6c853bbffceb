import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

@testable import APIService

@Suite struct DraftRoutesTests {
    @Test func savesAreVersionedAndAStaleVersionIsAConflict() async throws {
        try await APIHarness.run { harness, client in
            let (_, auth) = try await writerUser(harness)
            let (status, created) = try await writerCall(
                client, .post, "/api/drafts", auth,
                [
                    "title": "Draft one", "config": ["topic": "coffee", "tone": "friendly"],
                    "sections": [["title": "Intro", "content": "<p>Hi</p>"]],
                    "ctaContent": "<p>Buy</p>",
                ])
            #expect(status == .created)
            let draft = try #require(created["data"])
            #expect(draft["version"] == 1)
            #expect(draft["metadata"] == [:])
            #expect(draft["config"]?["topic"] == "coffee")
            let id = try #require(draft["id"]?.stringValue)

            // Read (and cache), save with the current version, read again: never stale.
            #expect(try await writerCall(client, .get, "/api/drafts/\(id)", auth).1["data"]?["title"] == "Draft one")
            let (saveStatus, saved) = try await writerCall(client, .put, "/api/drafts/\(id)", auth, ["title": "Draft two", "version": 1])
            #expect(saveStatus == .ok)
            #expect(saved["data"]?["version"] == 2)
            #expect(saved["data"]?["ctaContent"] == "<p>Buy</p>", "absent fields are kept")
            let reread = try await writerCall(client, .get, "/api/v1/drafts/\(id)", auth).1["data"]
            #expect(reread?["title"] == "Draft two")
            #expect(reread?["version"] == 2)

            // The other tab still holds version 1: refused, nothing lost.
            let (staleStatus, stale) = try await writerCall(client, .put, "/api/drafts/\(id)", auth, ["title": "Old tab", "version": 1])
            #expect(staleStatus == .conflict)
            #expect(stale["error"]?["code"] == "CONFLICT")
            #expect(try await writerCall(client, .get, "/api/drafts/\(id)", auth).1["data"]?["title"] == "Draft two")

            // Missing or bad version, bad sections: 400.
            for body: JSONValue in [["title": "x"], ["version": "2"], ["version": 2, "sections": "no"], ["version": 2, "config": [1]]] {
                let (badStatus, bad) = try await writerCall(client, .put, "/api/drafts/\(id)", auth, body)
                #expect(badStatus == .badRequest, "\(body)")
                #expect(bad["error"]?["code"] == "VALIDATION_ERROR")
            }

            #expect(try await writerCall(client, .get, "/api/drafts", auth).1["data"]?["pagination"]?["total"] == 1)
            #expect(try await writerCall(client, .delete, "/api/drafts/\(id)", auth).0 == .ok)
            #expect(try await writerCall(client, .get, "/api/drafts/\(id)", auth).0 == .notFound, "the cache entry went with the row")
            #expect(try await writerCall(client, .put, "/api/drafts/\(id)", auth, ["version": 2]).0 == .notFound)
        }
    }

    @Test func concurrentSavesOfOneVersionHaveExactlyOneWinner() async throws {
        try await APIHarness.run { harness, client in
            let (_, auth) = try await writerUser(harness)
            let id = try #require(try await writerCall(client, .post, "/api/drafts", auth, ["title": "race"]).1["data"]?["id"]?.stringValue)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        try await writerCall(client, .put, "/api/drafts/\(id)", auth, ["title": .string("tab \(index)"), "version": 1]).0
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1)
            #expect(statuses.filter { $0 == .conflict }.count == 5)
            #expect(try await writerCall(client, .get, "/api/drafts/\(id)", auth).1["data"]?["version"] == 2)
        }
    }

    @Test func anotherUsersDraftIsNotFound() async throws {
        try await APIHarness.run { harness, client in
            let (_, owner) = try await writerUser(harness)
            let (_, other) = try await writerUser(harness)
            let id = try #require(try await writerCall(client, .post, "/api/drafts", owner, ["title": "mine"]).1["data"]?["id"]?.stringValue)
            #expect(try await writerCall(client, .get, "/api/drafts/\(id)", owner).0 == .ok)
            #expect(try await writerCall(client, .get, "/api/drafts/\(id)", other).0 == .notFound)
            #expect(try await writerCall(client, .put, "/api/drafts/\(id)", other, ["version": 1, "title": "x"]).0 == .notFound)
            #expect(try await writerCall(client, .delete, "/api/drafts/\(id)", other).0 == .notFound)
        }
    }
}
