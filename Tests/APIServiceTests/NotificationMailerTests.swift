import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import APIService

@Suite struct NotificationMailerTests {
    let links = UnsubscribeLinks(secret: testSecret, baseURL: "http://api.test")

    /// A database of its own: any other mailer running on the shared test database (the
    /// live-system test starts the real API service) would take these notifications.
    func withIsolatedDatabase(_ body: @Sendable (Database) async throws -> Void) async throws {
        let url = try await TestDatabase.makeMigrated()
        try await TestDatabase.with(url: url, body)
        try await TestDatabase.drop(url)
    }

    func mailer(_ database: Database) throws -> NotificationMailer {
        NotificationMailer(
            database: database, renderer: try NotificationMailer.makeRenderer(frontendURL: "http://app.test"), unsubscribe: links,
            interval: .seconds(60))
    }

    func notify(_ database: Database, _ userID: UUID, type: String) async throws -> UUID {
        let rows = try await database.client.query(
            """
            INSERT INTO notifications (user_id, type, title, message) VALUES (\(userID), \(type), 'Articles quota at 80 %', 'You have used 8 of 10 articles this period.')
            RETURNING id
            """, logger: database.logger)
        for try await id in rows.decode(UUID.self) { return id }
        struct NoRow: Error {}
        throw NoRow()
    }

    func outbox(_ database: Database, _ userID: UUID) async throws -> [(kind: String, text: String, html: String, dedupe: String?)] {
        var result: [(String, String, String, String?)] = []
        let rows = try await database.client.query(
            "SELECT kind, text_body, html_body, dedupe_key FROM email_outbox WHERE user_id = \(userID) ORDER BY created_at", logger: database.logger)
        for try await row in rows.decode((String, String, String, String?).self) { result.append(row) }
        return result.map { (kind: $0.0, text: $0.1, html: $0.2, dedupe: $0.3) }
    }

    @Test func aQuotaNoticeIsMailedOnceWithAnUnsubscribeLink() async throws {
        try await withIsolatedDatabase { database in
            let user = try await TestUsers.create(on: database)
            let id = try await notify(database, user, type: "quota_warning")
            let other = try await notify(database, user, type: "referral_joined")  // not an e-mail kind
            let mailer = try mailer(database)
            try await mailer.processBatch()
            try await mailer.processBatch()
            let mails = try await outbox(database, user)
            #expect(mails.count == 1)
            let mail = try #require(mails.first)
            #expect(mail.kind == "quota_warning")
            #expect(mail.dedupe == "notification:\(id.uuidString.lowercased())")
            #expect(mail.text.contains("You have used 8 of 10 articles"))
            #expect(mail.text.contains("http://app.test/subscription"))
            let link = links.link(userID: user, category: "quotaWarnings")
            #expect(mail.text.contains(link))
            #expect(mail.html.contains("Unsubscribe"))
            #expect(
                try await TestUsers.integer("SELECT count(*)::int FROM notifications WHERE id = \(other) AND emailed_at IS NULL", on: database) == 1)
        }
    }

    @Test func anOptedOutCategoryIsMarkedButNotMailed() async throws {
        try await withIsolatedDatabase { database in
            let user = try await TestUsers.create(on: database)
            try await database.client.query(
                "INSERT INTO user_settings (user_id, email_settings) VALUES (\(user), '{\"subscription\": false}'::jsonb)", logger: database.logger)
            let cancelled = try await notify(database, user, type: "subscription_cancelled")
            _ = try await notify(database, user, type: "quota_reached")
            try await mailer(database).processBatch()
            #expect(try await outbox(database, user).map(\.kind) == ["quota_reached"])
            #expect(
                try await TestUsers.integer(
                    "SELECT count(*)::int FROM notifications WHERE id = \(cancelled) AND emailed_at IS NOT NULL", on: database) == 1)
        }
    }

    @Test func theSignedLinkUnsubscribesWithoutLoggingIn() async throws {
        try await APIHarness.run { harness, client in
            let (id, auth) = try await harness.user()
            let token = links.token(userID: id, category: "quotaWarnings")
            try await client.execute(uri: "/api/v1/email/unsubscribe?token=\(token)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.json["data"]?["category"] == "quotaWarnings")
            }
            try await client.execute(uri: "/api/settings/email", method: .get, headers: auth) { response in
                #expect(response.json["data"]?["quotaWarnings"] == false)
                #expect(response.json["data"]?["subscription"] == true)
            }
            let forged = links.token(userID: UUID(), category: "quotaWarnings").split(separator: ".")[0] + "." + token.split(separator: ".")[1]
            try await client.execute(uri: "/api/email/unsubscribe?token=\(forged)", method: .post) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/api/email/unsubscribe", method: .get) { #expect($0.status == .badRequest) }
            let unknown = links.token(userID: id, category: "everything")
            try await client.execute(uri: "/api/email/unsubscribe?token=\(unknown)", method: .get) { #expect($0.status == .notFound) }
        }
    }
}
