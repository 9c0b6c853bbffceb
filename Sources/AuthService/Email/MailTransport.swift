import CSMTP
import Core
import Foundation
import Logging
import NIOPosix

/// Where rendered messages go. A seam: SMTP in production, the log in development.
protocol MailTransport: Sendable {
    /// What the outbox row says once this transport has taken the message.
    var deliveredStatus: String { get }
    func send(_ message: EmailMessage) async throws
}

struct MailDeliveryError: Error, CustomStringConvertible {
    var description: String
    var smtpCode: Int
}

/// SMTP through libcurl: STARTTLS on 587, implicit TLS on 465, plain only to loopback;
/// AUTH PLAIN or LOGIN when credentials are set.
struct SMTPTransport: MailTransport {
    let config: MailConfig
    let threadPool: NIOThreadPool
    var deliveredStatus: String { "sent" }

    init(config: MailConfig, threadPool: NIOThreadPool = .singleton) {
        nova_smtp_global_init()
        self.config = config
        self.threadPool = threadPool
    }

    var url: String {
        let host = config.host ?? "localhost"
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return (config.security == .implicitTLS ? "smtps://" : "smtp://") + "\(bracketed):\(config.port)"
    }

    func send(_ message: EmailMessage) async throws {
        let domain = config.fromEmail.split(separator: "@").last.map(String.init) ?? "localhost"
        let payload = MIMEMessage.render(
            message, fromAddress: config.fromEmail, fromName: config.fromName, messageID: "\(UUID().lowercasedString)@\(domain)")
        let config = self.config
        let url = self.url
        // libcurl blocks: keep it off the event loops.
        try await threadPool.runIfActive {
            try Self.perform(url: url, config: config, to: message.to, payload: payload)
        }
    }

    static func perform(url: String, config: MailConfig, to recipient: String, payload: String) throws {
        var errorBuffer = [CChar](repeating: 0, count: 512)
        var smtpCode: Int = 0
        let result: Int32 = url.withCString { urlPointer in
            config.fromEmail.withCString { fromPointer in
                recipient.withCString { recipientPointer in
                    payload.withCString { payloadPointer in
                        withOptionalCString(config.username) { usernamePointer in
                            withOptionalCString(config.password) { passwordPointer in
                                withOptionalCString(config.caFile) { caPointer in
                                    var recipients: [UnsafePointer<CChar>?] = [recipientPointer]
                                    return recipients.withUnsafeMutableBufferPointer { recipientsBuffer in
                                        var message = nova_smtp_message(
                                            url: urlPointer, username: usernamePointer, password: passwordPointer,
                                            mail_from: fromPointer,
                                            recipients: UnsafePointer(recipientsBuffer.baseAddress), recipient_count: 1,
                                            payload: payloadPointer, payload_length: strlen(payloadPointer),
                                            require_tls: config.security == .none ? 0 : 1,
                                            verify_peer: config.verifyCertificates ? 1 : 0, ca_file: caPointer,
                                            timeout_seconds: config.timeoutSeconds)
                                        var code: Int = 0
                                        let status = nova_smtp_send(&message, &errorBuffer, errorBuffer.count, &code)
                                        smtpCode = code
                                        return status
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        guard result == 0 else {
            throw MailDeliveryError(description: String(cString: errorBuffer), smtpCode: smtpCode)
        }
    }
}

private func withOptionalCString<T>(_ value: String?, _ body: (UnsafePointer<CChar>?) -> T) -> T {
    guard let value else { return body(nil) }
    return value.withCString { body($0) }
}

/// Development without SMTP: the message (and so its link) goes to the log, and the
/// outbox row keeps it.
struct LogTransport: MailTransport {
    let logger: Logger
    var deliveredStatus: String { "logged" }

    func send(_ message: EmailMessage) async throws {
        logger.notice(
            "e-mail not sent (mail disabled); its text follows",
            metadata: ["kind": .string(message.kind), "to": .string(message.to), "subject": .string(message.subject), "text": .string(message.text)])
    }
}
