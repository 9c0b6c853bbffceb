import Core
import Foundation
import HummingbirdTesting
import TestSupport
import Testing

@testable import AuthService

/// E-mail end to end: the service's own sender, libcurl, and a real SMTP server.
@Suite(.serialized) struct EmailDeliveryTests {
    func harness(smtpPort: Int, extra: [String: String] = [:]) async throws -> AuthHarness {
        try await AuthHarness(
            [
                "EMAILS_ENABLED": "true", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": String(smtpPort),
                "EMAILS_FROM_EMAIL": "no-reply@nova.test", "EMAILS_FROM_NAME": "Nova Tést",
                "EMAIL_POLL_INTERVAL_MS": "100", "EMAIL_RETRY_BASE_MS": "200", "FRONTEND_URL": "https://app.nova.test",
            ].merging(extra) { $1 }, isolatedDatabase: true)
    }

    @Test func verificationMailArrivesWithTextAndHTMLParts() async throws {
        let sink = try SMTPSink()
        try await sink.start()
        defer { sink.kill() }
        let harness = try await harness(smtpPort: sink.port)
        let email = AuthHarness.uniqueEmail("mail")
        try await harness.app().test(.router) { client in
            try await client.postJSON("/auth/register", ["email": .string(email), "password": "a sound password", "name": "Zoë"]) { response in
                #expect(response.status == .created)
            }
            let messages = try await sink.waitForMessages(1)
            let message = try #require(messages.first)
            #expect(message.envelope.contains("to=\(email)"))
            #expect(message.envelope.contains("from=no-reply@nova.test"))
            #expect(message.header("Subject") == "Confirm your e-mail address")
            #expect(message.header("From")?.contains("=?UTF-8?B?") == true)
            #expect(message.raw.contains("multipart/alternative"))
            #expect(message.raw.contains("Content-Type: text/plain; charset=utf-8"))
            #expect(message.raw.contains("Content-Type: text/html; charset=utf-8"))
            let body = message.decodedBody
            #expect(body.contains("Hi Zoë,"))
            #expect(body.contains("<a href=\"https://app.nova.test/verify-email?token="))
            // The mailed link verifies the account.
            let token = try #require(AuthHarness.token(inLinkOf: body))
            try await client.postJSON("/auth/verify", ["token": .string(token)]) { response in
                #expect(response.status == .ok)
                #expect(response.json["is_verified"] == true)
            }
            // Verification sends the welcome mail.
            let afterVerify = try await sink.waitForMessages(2)
            #expect(afterVerify.last?.header("Subject")?.hasPrefix("Welcome") == true)
            for _ in 0..<100 where try await harness.outbox(to: email).map(\.status) != ["sent", "sent"] {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        let statuses = try await harness.outbox(to: email).map(\.status)
        #expect(statuses == ["sent", "sent"])
    }

    @Test func authenticatesWhenCredentialsAreConfigured() async throws {
        let sink = try SMTPSink(credentials: ("mailer", "s3cret pass"))
        try await sink.start()
        defer { sink.kill() }
        let harness = try await harness(smtpPort: sink.port, extra: ["SMTP_USERNAME": "mailer", "SMTP_PASSWORD": "s3cret pass"])
        let user = try await harness.createUser()
        try await harness.app().test(.router) { client in
            try await client.postJSON("/auth/forgot-password", ["email": .string(user.email)]) { response in
                #expect(response.status == .accepted)
            }
            let message = try #require(try await sink.waitForMessages(1).first)
            #expect(message.envelope.contains("auth=yes"))
            #expect(message.decodedBody.contains("https://app.nova.test/reset-password?token="))
        }
    }

    @Test func aMailServerOutageDelaysMailButLosesNone() async throws {
        let port = try freePort()
        let harness = try await harness(smtpPort: port)
        let email = AuthHarness.uniqueEmail("outage")
        try await harness.app().test(.router) { client in
            // The server is down: registration still succeeds, the mail waits.
            try await client.postJSON("/auth/register", ["email": .string(email), "password": "a sound password"]) { response in
                #expect(response.status == .created)
            }
            try await Task.sleep(for: .milliseconds(800))
            let pending = try await harness.outbox(to: email)
            #expect(pending.map(\.status) == ["pending"])
            // The server comes back on the same port: the retry delivers it.
            let sink = try SMTPSink(port: port)
            try await sink.start()
            defer { sink.kill() }
            let messages = try await sink.waitForMessages(1, timeout: .seconds(20))
            #expect(messages.count == 1)
            #expect(messages.first?.envelope.contains("to=\(email)") == true)
            // Marked sent right after delivery.
            for _ in 0..<100 where try await harness.outbox(to: email).map(\.status) != ["sent"] {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        #expect(try await harness.outbox(to: email).map(\.status) == ["sent"])
    }

    /// Production mail servers speak TLS: STARTTLS (587 style) and TLS from the first byte
    /// (465 style), each checked against a self-signed certificate given as SMTP_CA_FILE.
    @Test(arguments: [false, true])
    func mailGoesOverTLSAsProductionServersSpeakIt(implicit: Bool) async throws {
        let certificate = try SMTPSink.Certificate.selfSigned()
        let sink = try SMTPSink(credentials: ("mailer", "s3cret pass"), tls: implicit ? .implicit(certificate) : .startTLS(certificate))
        try await sink.start()
        defer { sink.kill() }
        let harness = try await harness(
            smtpPort: sink.port,
            extra: [
                implicit ? "SMTP_SSL" : "SMTP_TLS": "true", "SMTP_CA_FILE": certificate.certificatePath,
                "SMTP_USERNAME": "mailer", "SMTP_PASSWORD": "s3cret pass",
            ])
        #expect(harness.config.mail.security == (implicit ? .implicitTLS : .startTLS))
        let user = try await harness.createUser()
        try await harness.app().test(.router) { client in
            try await client.postJSON("/auth/forgot-password", ["email": .string(user.email)]) { #expect($0.status == .accepted) }
            let message = try #require(try await sink.waitForMessages(1).first)
            #expect(message.envelope.contains("auth=yes"))
            #expect(message.decodedBody.contains("https://app.nova.test/reset-password?token="))
        }
    }

    @Test func metricsShowTheOutboxBacklog() async throws {
        let harness = try await harness(smtpPort: try freePort())
        let user = try await harness.createUser()
        try await harness.app().test(.router) { client in
            try await client.postJSON("/auth/forgot-password", ["email": .string(user.email)]) { #expect($0.status == .accepted) }
            let text = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(text.contains("nova_email_outbox_depth 1"), "\(text.prefix(1500))")
            #expect(text.contains("nova_email_outbox_oldest_age_seconds"))
            #expect(text.contains(#"nova_build_info{service="AuthService""#))
        }
    }

    /// A server that offers no STARTTLS gets nothing (credentials included): the mail
    /// stays queued with an error that says why.
    @Test func aServerRefusingSTARTTLSGetsNothingAndTheMailWaits() async throws {
        let sink = try SMTPSink()
        try await sink.start()
        defer { sink.kill() }
        let harness = try await harness(smtpPort: sink.port, extra: ["SMTP_TLS": "true"])
        let user = try await harness.createUser()
        try await harness.app().test(.router) { client in
            try await client.postJSON("/auth/forgot-password", ["email": .string(user.email)]) { #expect($0.status == .accepted) }
            var error: String?
            for _ in 0..<100 where error == nil {
                try await Task.sleep(for: .milliseconds(50))
                error = try await TestDatabase.with(url: harness.config.core.database.urlString) { database in
                    var found: String?
                    let rows = try await database.client.query(
                        "SELECT last_error FROM email_outbox WHERE lower(to_address) = lower(\(user.email)) AND last_error IS NOT NULL")
                    for try await text in rows.decode(String.self) { found = text }
                    return found
                }
            }
            let reason = try #require(error)
            #expect(reason.lowercased().contains("tls") || reason.lowercased().contains("ssl"), "\(reason)")
            #expect(try await harness.outbox(to: user.email).map(\.status) == ["pending"])
            #expect(sink.messages().isEmpty)
        }
        #expect(throws: ConfigError.self) {
            try AuthConfig(env: EnvironmentReader(["SECRET": testSecret, "SMTP_HOST": "mail.example.com", "SMTP_PORT": "2525", "SMTP_TLS": "false"]))
        }
    }
}

@Suite struct EmailGreetingTests {
    /// A user without a name (or with a blank one) is greeted "Hi," — never "Hi ,".
    @Test func aMissingNameLeavesNoGapInTheGreeting() throws {
        let composer = try EmailComposer(frontendURL: "https://app.example.com")
        for name in [nil, "", "   "] as [String?] {
            for message in [
                composer.verification(userID: UUID(), email: "a@example.com", name: name, token: "t"),
                composer.passwordReset(userID: UUID(), email: "a@example.com", name: name, token: "t"),
                composer.welcome(userID: UUID(), email: "a@example.com", name: name),
            ] {
                #expect(message.text.contains("Hi,"), "\(message.kind)")
                #expect(!message.text.contains("Hi ,") && !message.html.contains("Hi ,"), "\(message.kind)")
                #expect(message.html.contains("Hi,"))
            }
        }
        let named = composer.welcome(userID: UUID(), email: "a@example.com", name: " Ada ")
        #expect(named.text.contains("Hi Ada,"))
    }
}
