import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import APIService

/// API.md, "Cookie-authenticated writes": a page on another site can make the browser send
/// the `access_token` cookie, so a write carried by the cookie alone needs the CSRF header
/// or an allowed Origin.
@Suite struct CookieCSRFTests {
    static let draft = ByteBuffer(string: #"{"title":"Planted"}"#)

    func draftCount(_ harness: APIHarness, _ user: UUID) async throws -> Int {
        let rows = try await harness.database.client.query("SELECT count(*)::int FROM drafts WHERE user_id = \(user)")
        for try await count in rows.decode(Int.self) { return count }
        return -1
    }

    @Test func crossSiteCookieWritesAreRefusedAndChangeNothing() async throws {
        try await APIHarness.run { harness, client in
            let (user, auth) = try await harness.user()
            let token = String(auth[.authorization]?.dropFirst(7) ?? "")
            let cookie = "access_token=\(token); csrf_token=known-to-the-page"
            let attacks: [HTTPFields] = [
                [.cookie: cookie, .contentType: "application/json"],
                [.cookie: cookie, .contentType: "application/json", .origin: "https://evil.example"],
                [.cookie: cookie, .contentType: "application/json", .origin: "null"],
                [.cookie: cookie, .contentType: "application/json", .csrfToken: "a-guess"],
                [.cookie: "access_token=\(token)", .contentType: "application/json", .csrfToken: ""],
            ]
            for headers in attacks {
                try await client.execute(uri: "/api/drafts", method: .post, headers: headers, body: Self.draft) { response in
                    #expect(response.status == .forbidden)
                    #expect(response.json["error"]?["code"] == "FORBIDDEN")
                }
                // A route that reads no body at all.
                try await client.execute(uri: "/api/subscription/cancel", method: .post, headers: headers) { response in
                    #expect(response.status == .forbidden)
                }
            }
            #expect(try await draftCount(harness, user) == 0)
        }
    }

    @Test func theFrontendsCookieWritesStillWork() async throws {
        try await APIHarness.run { harness, client in
            let (user, auth) = try await harness.user()
            let token = String(auth[.authorization]?.dropFirst(7) ?? "")
            let allowed: [HTTPFields] = [
                // The dev frontend (Vite) is on the CORS list.
                [.cookie: "access_token=\(token)", .contentType: "application/json", .origin: "http://localhost:5173"],
                [.cookie: "access_token=\(token)", .contentType: "application/json", .origin: "HTTP://LOCALHOST:3000"],
                // Same origin as the public URL the gateway serves.
                [.cookie: "access_token=\(token)", .contentType: "application/json", .origin: "http://localhost:8000"],
                // Double submit.
                [.cookie: "access_token=\(token); csrf_token=t0k3n", .contentType: "application/json", .csrfToken: "t0k3n"],
                // Bearer requests are exempt, cookie or not.
                [.cookie: "access_token=\(token)", .authorization: "Bearer \(token)", .contentType: "application/json"],
            ]
            for headers in allowed {
                try await client.execute(uri: "/api/drafts", method: .post, headers: headers, body: Self.draft) { response in
                    #expect(response.status == .created)
                }
            }
            #expect(try await draftCount(harness, user) == allowed.count)
            // Reads stay cookie-only.
            try await client.execute(uri: "/api/drafts", method: .get, headers: [.cookie: "access_token=\(token)"]) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func aBodyWithoutContentTypeIsRefused() async throws {
        try await APIHarness.run { harness, client in
            let (user, auth) = try await harness.user()
            try await client.execute(uri: "/api/v1/drafts", method: .post, headers: auth, body: Self.draft) { response in
                #expect(response.status == .unsupportedMediaType)
                #expect(response.json["error"]?["code"] == "UNSUPPORTED_MEDIA_TYPE")
            }
            var plain = auth
            plain[.contentType] = "text/plain"
            try await client.execute(uri: "/api/v1/drafts", method: .post, headers: plain, body: Self.draft) { response in
                #expect(response.status == .unsupportedMediaType)
            }
            #expect(try await draftCount(harness, user) == 0)
        }
    }
}
