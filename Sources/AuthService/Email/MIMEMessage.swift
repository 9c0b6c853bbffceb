import Core
import Foundation

/// Builds the RFC 5322 / MIME text of a message: multipart/alternative with a plain-text
/// and an HTML part, both UTF-8 in base64 so that any content survives any relay.
enum MIMEMessage {
    static func render(
        _ message: EmailMessage, fromAddress: String, fromName: String, messageID: String, date: Date = Date()
    ) -> String {
        let boundary = "nova-" + UUID().lowercasedString
        var lines = [
            "From: \(encodeHeader(fromName)) <\(fromAddress)>",
            "To: <\(message.to)>",
            "Subject: \(encodeHeader(message.subject))",
            "Date: \(rfc5322Date(date))",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "",
            "--\(boundary)",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
        ]
        lines += base64Lines(message.text)
        lines += ["", "--\(boundary)", "Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: base64", ""]
        lines += base64Lines(message.html)
        lines += ["", "--\(boundary)--", ""]
        return lines.joined(separator: "\r\n")
    }

    /// RFC 2047 encoded-word when the value is not plain ASCII.
    static func encodeHeader(_ value: String) -> String {
        let plain = value.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && $0 != "\r" && $0 != "\n" }
        if plain { return value }
        return "=?UTF-8?B?\(Data(value.utf8).base64EncodedString())?="
    }

    static func base64Lines(_ text: String) -> [String] {
        let encoded = Data(text.utf8).base64EncodedString()
        var lines: [String] = []
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(String(encoded[index..<end]))
            index = end
        }
        return lines
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }
}
