import Foundation
import HTTPTypes
import Hummingbird

// What the auth service's GET /users/me answers for a new account, byte for byte in size.
let body = ByteBuffer(
    string: #"{"id":"5674207c-dc3a-4b7c-ab77-eb0bfa1ef874","email":"bench-12345@example.com","is_active":true,"#
        + #""is_superuser":false,"is_verified":false,"name":null,"role":"user","avatar_url":null,"created_at":"2026-12-01T19:00:00.000Z"}"#)
let router = Router()
router.get("/users/me") { _, _ in
    Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
}
// The same answer with the headers the contract puts on every response (security headers,
// a request id) and the server name the services send: what of the distance to the
// ceiling is those bytes alone.
let contractHeaders: HTTPFields = [
    .contentType: "application/json", HTTPField.Name("X-Content-Type-Options")!: "nosniff", HTTPField.Name("X-Frame-Options")!: "DENY",
    HTTPField.Name("Referrer-Policy")!: "strict-origin-when-cross-origin", HTTPField.Name("X-Request-ID")!: "21242e3df188dd25a3ad1d4895c6e315",
    .server: "AuthService",
]
router.get("/with-headers/users/me") { _, _ in
    Response(status: .ok, headers: contractHeaders, body: .init(byteBuffer: body))
}
let port = Int(ProcessInfo.processInfo.environment["PORT"] ?? "") ?? 8099
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
