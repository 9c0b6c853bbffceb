import Foundation
import Mustache

/// Renders the auth service's e-mails (HTML and text parts) from Mustache templates.
/// Text templates use `{{{…}}}`: HTML escaping belongs to the HTML part only.
struct EmailComposer: Sendable {
    let frontendURL: String
    let productName: String
    let library: MustacheLibrary

    init(frontendURL: String, productName: String = "Nova-XFinity") throws {
        self.frontendURL = frontendURL
        self.productName = productName
        var library = MustacheLibrary()
        for (name, source) in Self.templates {
            try library.register(source, named: name)
        }
        self.library = library
    }

    func verification(userID: UUID, email: String, name: String?, token: String) -> EmailMessage {
        let link = link("/verify-email", token: token)
        return render(
            kind: "verify_email", userID: userID, to: email, subject: "Confirm your e-mail address",
            template: "verify", values: ["name": name ?? "", "link": link, "hours": "1"])
    }

    func passwordReset(userID: UUID, email: String, name: String?, token: String) -> EmailMessage {
        let link = link("/reset-password", token: token)
        return render(
            kind: "reset_password", userID: userID, to: email, subject: "Reset your password",
            template: "reset", values: ["name": name ?? "", "link": link, "hours": "1"])
    }

    func welcome(userID: UUID, email: String, name: String?) -> EmailMessage {
        var message = render(
            kind: "welcome", userID: userID, to: email, subject: "Welcome to \(productName)",
            template: "welcome", values: ["name": name ?? "", "link": frontendURL + "/dashboard"])
        message.dedupeKey = "welcome:\(userID.uuidString.lowercased())"
        return message
    }

    func link(_ path: String, token: String) -> String {
        var components = URLComponents()
        components.queryItems = [URLQueryItem(name: "token", value: token)]
        return frontendURL + path + "?" + (components.percentEncodedQuery ?? "")
    }

    private func render(kind: String, userID: UUID, to: String, subject: String, template: String, values: [String: String])
        -> EmailMessage
    {
        var context: [String: Any] = values
        context["product"] = productName
        context["subject"] = subject
        context["frontendURL"] = frontendURL
        let htmlBody = library.render(context, withTemplate: "\(template).html") ?? ""
        context["body"] = htmlBody
        let html = library.render(context, withTemplate: "layout.html") ?? htmlBody
        let text = library.render(context, withTemplate: "\(template).text") ?? ""
        return EmailMessage(kind: kind, userID: userID, to: to, subject: subject, text: text, html: html)
    }

    static let templates: [String: String] = [
        "layout.html": """
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{subject}}</title></head>
            <body style="margin:0;padding:0;background:#f4f5f7;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1f2933">
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:32px 16px">
            <table role="presentation" width="560" cellpadding="0" cellspacing="0" style="background:#ffffff;border-radius:8px;padding:32px">
            <tr><td style="font-size:20px;font-weight:600;padding-bottom:16px">{{product}}</td></tr>
            <tr><td style="font-size:15px;line-height:1.6">{{{body}}}</td></tr>
            <tr><td style="font-size:12px;color:#7b8794;padding-top:24px">You received this e-mail because of an action on your {{product}} account.</td></tr>
            </table></td></tr></table>
            </body>
            </html>
            """,
        "verify.html": """
            <p>Hi{{#name}} {{name}}{{/name}},</p>
            <p>Please confirm your e-mail address to finish setting up your account.</p>
            <p><a href="{{link}}" style="display:inline-block;background:#4f46e5;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none">Confirm e-mail</a></p>
            <p>Or paste this link into your browser:<br><a href="{{link}}">{{link}}</a></p>
            <p>The link expires in {{hours}} hour.</p>
            """,
        "verify.text": """
            Hi{{#name}} {{{name}}}{{/name}},

            Please confirm your e-mail address to finish setting up your {{{product}}} account:

            {{{link}}}

            The link expires in {{{hours}}} hour. If you did not create an account, ignore this e-mail.
            """,
        "reset.html": """
            <p>Hi{{#name}} {{name}}{{/name}},</p>
            <p>Someone asked to reset the password of your account. If it was you, choose a new password:</p>
            <p><a href="{{link}}" style="display:inline-block;background:#4f46e5;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none">Reset password</a></p>
            <p>Or paste this link into your browser:<br><a href="{{link}}">{{link}}</a></p>
            <p>The link expires in {{hours}} hour and works once. If you did not ask for it, ignore this e-mail: your password stays as it is.</p>
            """,
        "reset.text": """
            Hi{{#name}} {{{name}}}{{/name}},

            Someone asked to reset the password of your {{{product}}} account. If it was you, choose a new password here:

            {{{link}}}

            The link expires in {{{hours}}} hour and works once. If you did not ask for it, ignore this e-mail.
            """,
        "welcome.html": """
            <p>Hi{{#name}} {{name}}{{/name}},</p>
            <p>Your e-mail address is confirmed. Welcome to {{product}}!</p>
            <p><a href="{{link}}" style="display:inline-block;background:#4f46e5;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none">Open your dashboard</a></p>
            """,
        "welcome.text": """
            Hi{{#name}} {{{name}}}{{/name}},

            Your e-mail address is confirmed. Welcome to {{{product}}}!

            Open your dashboard: {{{link}}}
            """,
    ]
}
