import Core
import Foundation
import Hummingbird

/// GET (the link in the mail) and POST (RFC 8058 one-click) `/email/unsubscribe?token=`:
/// turns one category of automatic e-mails off without logging in.
struct UnsubscribeRoutes: APIRouteCollection {
    let links: UnsubscribeLinks
    let settings: SettingsStore
    let requiresAuth = false

    var operations: [OpenAPIOperation] {
        [
            OpenAPIOperation("GET", "/email/unsubscribe", summary: "Unsubscribe from one kind of automatic e-mail (signed link from the e-mail)", tag: "settings"),
            OpenAPIOperation("POST", "/email/unsubscribe", summary: "One-click unsubscribe (RFC 8058)", tag: "settings"),
        ]
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("/email/unsubscribe") { request, _ in try await unsubscribe(request) }
        group.post("/email/unsubscribe") { request, _ in try await unsubscribe(request) }
    }

    private func unsubscribe(_ request: Request) async throws -> Response {
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
                body: .init(byteBuffer: ByteBuffer(string: "<!doctype html><meta charset=\"utf-8\"><title>Unsubscribed</title><p>You will no longer receive these e-mails. You can change this any time in your settings.</p>")))
        }
        return Envelope.ok(["category": .string(category), "subscribed": false], message: "Unsubscribed")
    }
}
