import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

@testable import APIService

/// One user cannot fill the database: drafts and articles are bounded per user, with a
/// 409 beyond the bound, checked before any credit is spent.
@Suite struct StoredContentLimitTests {
    @Test func draftsAndArticlesStopAtTheirPerUserBound() async throws {
        try await APIHarness.run { harness, client in
            let (id, auth) = try await harness.user()
            try await harness.database.client.query(
                """
                INSERT INTO drafts (user_id, title) SELECT \(id), 'bulk ' || i FROM generate_series(1, \(DraftStore.maximumPerUser - 1)) AS i
                """)
            let (first, _) = try await writerCall(client, .post, "/api/drafts", auth, ["title": "the last one that fits"])
            #expect(first == .created)
            let (over, refusal) = try await writerCall(client, .post, "/api/drafts", auth, ["title": "one too many"])
            #expect(over == .conflict)
            #expect(refusal["error"]?["code"] == "CONFLICT")

            try await harness.database.client.query(
                """
                INSERT INTO articles (user_id, title, slug, content, html_content)
                SELECT \(id), 'bulk ' || i, 'bulk-' || i, '', '' FROM generate_series(1, \(ArticleStore.maximumPerUser)) AS i
                """)
            let (stored, _) = try await writerCall(client, .post, "/api/articles", auth, ["title": "one more", "content": "text"])
            #expect(stored == .conflict)
            let before = try await writerBalance(client, auth)
            let (generated, _) = try await writerCall(client, .post, "/api/articles/generate", auth, ["topic": "Home coffee brewing"])
            #expect(generated == .conflict)
            #expect(try await writerBalance(client, auth) == before)
            #expect(
                try await TestUsers.integer("SELECT count(*)::int FROM articles WHERE user_id = \(id)", on: harness.database)
                    == ArticleStore.maximumPerUser)
        }
    }
}
