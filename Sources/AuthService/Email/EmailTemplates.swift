import Core
import Foundation

/// The auth service's e-mails (verification, reset, welcome), rendered by Core's
/// `EmailRenderer` in the shared layout.
struct EmailComposer: Sendable {
    let renderer: EmailRenderer
    var frontendURL: String { renderer.frontendURL }
    var productName: String { renderer.productName }

    init(frontendURL: String, productName: String = "Nova-XFinity") throws {
        renderer = try EmailRenderer(frontendURL: frontendURL, productName: productName, templates: Self.templates)
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
        message.dedupeKey = "welcome:\(userID.lowercasedString)"
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
        renderer.render(kind: kind, userID: userID, to: to, subject: subject, template: template, values: values)
    }

    static let templates: [String: String] = [
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
