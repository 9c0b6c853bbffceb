import HTTPTypes
import Hummingbird

/// Credentialed CORS for an exact list of origins. Never `*`: the frontend sends cookies,
/// and echoing any origin with credentials would let every site act as the user.
public struct CORSPolicy: Sendable {
    let allowedOrigins: Set<String>
    static let allowedMethods = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
    static let defaultAllowedHeaders = "Authorization, Content-Type, Accept, X-Request-ID, X-CSRF-Token, Idempotency-Key"
    static let exposedHeaders = "X-Request-ID, Retry-After, ETag, Content-Disposition"

    public init(allowedOrigins: [String]) {
        self.allowedOrigins = Set(allowedOrigins.map { $0.lowercased() })
    }

    /// The answer to a preflight (`OPTIONS` with `Access-Control-Request-Method`), or nil
    /// for any other request.
    func preflight(_ request: Request, origin: String) -> Response? {
        guard request.method == .options, request.headers[.accessControlRequestMethod] != nil else { return nil }
        guard allowedOrigins.contains(origin.lowercased()) else {
            return Response(
                status: .badRequest, headers: [.contentType: "text/plain; charset=utf-8", .vary: "Origin"],
                body: .init(byteBuffer: ByteBuffer(string: "Disallowed CORS origin")))
        }
        var headers: HTTPFields = [:]
        headers[.accessControlAllowOrigin] = origin
        headers[.accessControlAllowCredentials] = "true"
        headers[.accessControlAllowMethods] = Self.allowedMethods
        headers[.accessControlAllowHeaders] = request.headers[.accessControlRequestHeaders] ?? Self.defaultAllowedHeaders
        headers[.accessControlMaxAge] = "600"
        headers[.vary] = "Origin"
        return Response(status: .noContent, headers: headers)
    }

    /// The headers of an answer to a cross-origin request.
    func decorate(_ response: inout Response, origin: String) {
        response.headers[.vary] = "Origin"
        if allowedOrigins.contains(origin.lowercased()) {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlAllowCredentials] = "true"
            response.headers[.accessControlExposeHeaders] = Self.exposedHeaders
        }
    }
}
