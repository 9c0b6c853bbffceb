import Core
import Foundation
import Hummingbird

/// A feature's routes, registered once per API prefix. Paths are relative to the prefix
/// and use Hummingbird's `:id` syntax.
protocol APIRouteCollection: Sendable {
    /// Whether the routes need an authenticated user.
    var requiresAuth: Bool { get }
    var operations: [OpenAPIOperation] { get }
    /// `authentication`: given when `requiresAuth`; each route runs it first.
    func register(on group: RouterGroup<AppRequestContext>, authentication: APIAuthentication?)
}

enum APIPrefixes {
    /// `/api/v1` is canonical; the frontend calls `/api`. Both serve the same routes, and
    /// the document lists each path once with both as servers.
    static let all = ["/api/v1", "/api"]
}

extension Request {
    /// A path parameter as a UUID; anything else cannot name a row, so 404.
    func uuidParameter(_ name: String, context: AppRequestContext) throws -> UUID {
        guard let raw = context.parameters.get(name), let id = UUID(parsing: raw) else { throw CoreError.notFound }
        return id
    }
}

extension Request {
    /// The `Idempotency-Key` header of a credit-spending POST (1–255 visible ASCII
    /// characters), or nil when absent.
    func idempotencyKey() throws -> String? {
        guard let raw = headers.first(where: { $0.name.canonicalName == "idempotency-key" })?.value else { return nil }
        guard (1...255).contains(raw.utf8.count), raw.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw CoreError.invalidInput([
                ValidationIssue(
                    type: "value_error", location: .header, path: ["Idempotency-Key"],
                    message: "Idempotency-Key must be 1 to 255 visible ASCII characters")
            ])
        }
        return raw
    }
}
