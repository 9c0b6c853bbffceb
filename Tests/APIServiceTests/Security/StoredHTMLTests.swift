import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

@testable import APIService

/// Stored `htmlContent` is rendered as HTML by the frontend (`dangerouslySetInnerHTML`):
/// whatever a client sends is put through the allow-list before it is stored.
@Suite struct StoredHTMLTests {
    static let hostile =
        #"<h2 onmouseover="steal()">Beans</h2><p>Fresh <a href="jav&#x61;script:steal()">beans</a>.</p><img src="x" onerror="steal()"><script>steal()</script><iframe src="https://evil.example"></iframe>"#
    static let safe = #"<h2>Beans</h2><p>Fresh <a>beans</a>.</p><img src="x">"#

    func stored(_ harness: APIHarness, _ id: String) async throws -> String? {
        let uuid = try #require(UUID(uuidString: id))
        for try await html in try await harness.database.client.query("SELECT html_content FROM articles WHERE id = \(uuid)").decode(String.self) {
            return html
        }
        return nil
    }

    @Test func createAndUpdateStoreOnlyAllowListedHTML() async throws {
        try await APIHarness.run { harness, client in
            let (_, auth) = try await writerUser(harness)
            let (status, created) = try await writerCall(
                client, .post, "/api/articles", auth, ["title": "Beans", "htmlContent": .string(Self.hostile)])
            #expect(status == .created)
            #expect(created["data"]?["htmlContent"] == .string(Self.safe))
            let id = try #require(created["data"]?["id"]?.stringValue)
            #expect(try await stored(harness, id) == Self.safe)

            let (_, updated) = try await writerCall(
                client, .put, "/api/v1/articles/\(id)", auth, ["htmlContent": .string("<p>ok</p>" + Self.hostile)])
            #expect(updated["data"]?["htmlContent"] == .string("<p>ok</p>" + Self.safe))
            #expect(try await stored(harness, id) == "<p>ok</p>" + Self.safe)
        }
    }
}
