import Core
import Foundation
import Hummingbird

/// GET (the link in the mail) and POST (RFC 8058 one-click) `/email/unsubscribe?token=`:
/// turns one category of automatic e-mails off without logging in.
struct UnsubscribeRoutes: TypedRouteCollection {
    let links: UnsubscribeLinks
    let settings: SettingsStore
    let requiresAuth = false
    let tag = "settings"

    struct Unsubscribed: ResponseContent {
        /// The e-mail setting turned off (`quotaWarnings`, …).
        var category: String
        var subscribed: Bool
    }

    func routes(_ routes: inout APIRoutes) {
        // Custom routes: a browser following the link gets a page, not the envelope.
        for (method, summary) in [
            (HTTPRequest.Method.get, "Unsubscribe from one kind of automatic e-mail (signed link from the e-mail)"),
            (.post, "One-click unsubscribe (RFC 8058)"),
        ] {
            routes.custom(method, "/email/unsubscribe", operation(method, summary)) { request, context in
                try await unsubscribe(request, context)
            }
        }
    }

    /// The envelope (or, for `Accept: text/html`, a page) and the errors: 400 for a bad
    /// token, 404 for a category that is no e-mail setting.
    func operation(_ method: HTTPRequest.Method, _ summary: String) -> OpenAPIOperation {
        var components = WireSchema.Components()
        let data = WireSchema.schema(for: Unsubscribed.self, components: &components)
        return OpenAPIOperation(
            method.rawValue, "/email/unsubscribe", summary: summary, tag: tag,
            responses: [200: "Unsubscribed (an HTML page for Accept: text/html)", 404: "The link names no e-mail setting"],
            parameters: [OpenAPIOperation.query("token", ["type": "string"], description: "The signed token from the e-mail")],
            responseBody: EnvelopeSchema.schema(data: data), components: components)
    }

    private func unsubscribe(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let token = request.uri.queryParameters["token"].map(String.init), let (userID, category) = links.verify(token) else {
            throw CoreError.invalidInput([ValidationIssue(type: "value_error", location: .query, path: ["token"], message: "token is invalid")])
        }
        var current = try await settings.settings(userID: userID)
        var email = current.email.json
        guard case .object(var fields) = email, fields[category] != nil else { throw CoreError.notFound }
        fields[category] = false
        email = .object(fields)
        current.email = SettingsStore.EmailSettings(stored: email)
        try await settings.save(userID: userID, current)
        if request.headers[.accept]?.contains("text/html") == true {
            return Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                body: .init(
                    byteBuffer: ByteBuffer(
                        string:
                            "<!doctype html><meta charset=\"utf-8\"><title>Unsubscribed</title><p>You will no longer receive these e-mails. You can change this any time in your settings.</p>"
                    )))
        }
        return try Envelope(Unsubscribed(category: category, subscribed: false), message: "Unsubscribed").response(from: request, context: context)
    }
}
