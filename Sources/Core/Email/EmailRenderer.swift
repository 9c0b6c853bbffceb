import Foundation
import Mustache

/// Renders e-mails (HTML inside the shared layout, and plain text) from Mustache
/// templates registered as `<name>.html` and `<name>.text`. Text templates use `{{{…}}}`:
/// HTML escaping belongs to the HTML part only.
public struct EmailRenderer: Sendable {
    public let frontendURL: String
    public let productName: String
    let library: MustacheLibrary

    public init(frontendURL: String, productName: String = "Nova-XFinity", templates: [String: String]) throws {
        self.frontendURL = frontendURL
        self.productName = productName
        var library = MustacheLibrary()
        for (name, source) in templates.merging(["layout.html": Self.layout]) { $1 } {
            try library.register(source, named: name)
        }
        self.library = library
    }

    /// `footer` replaces the layout's default last line (e.g. with an unsubscribe link).
    public func render(
        kind: String, userID: UUID, to: String, subject: String, template: String, values: [String: String], footerLink: String? = nil
    ) -> EmailMessage {
        // A blank value counts as absent, so `{{#name}} {{name}}{{/name}}` leaves no gap:
        // "Hi," for a user without a name, never "Hi ,".
        var context: [String: Any] = [:]
        for (key, value) in values {
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { context[key] = trimmed }
        }
        context["product"] = productName
        context["subject"] = subject
        context["frontendURL"] = frontendURL
        if let footerLink { context["unsubscribe"] = footerLink }
        let htmlBody = library.render(context, withTemplate: "\(template).html") ?? ""
        context["body"] = htmlBody
        let html = library.render(context, withTemplate: "layout.html") ?? htmlBody
        var text = library.render(context, withTemplate: "\(template).text") ?? ""
        if let footerLink { text += "\n\n--\nTo stop these e-mails: \(footerLink)\n" }
        return EmailMessage(kind: kind, userID: userID, to: to, subject: subject, text: text, html: html)
    }

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{subject}}</title></head>
        <body style="margin:0;padding:0;background:#f4f5f7;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1f2933">
        <table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:32px 16px">
        <table role="presentation" width="560" cellpadding="0" cellspacing="0" style="background:#ffffff;border-radius:8px;padding:32px">
        <tr><td style="font-size:20px;font-weight:600;padding-bottom:16px">{{product}}</td></tr>
        <tr><td style="font-size:15px;line-height:1.6">{{{body}}}</td></tr>
        <tr><td style="font-size:12px;color:#7b8794;padding-top:24px">{{#unsubscribe}}You receive this e-mail because of your {{product}} notification settings. <a href="{{unsubscribe}}" style="color:#7b8794">Unsubscribe</a> from e-mails like this.{{/unsubscribe}}{{^unsubscribe}}You received this e-mail because of an action on your {{product}} account.{{/unsubscribe}}</td></tr>
        </table></td></tr></table>
        </body>
        </html>
        """
}
