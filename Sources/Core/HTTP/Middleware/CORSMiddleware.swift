import HTTPTypes
import Hummingbird

/// Credentialed CORS for an exact list of origins. Never `*`: the frontend sends cookies,
/// and echoing any origin with credentials would let every site act as the user.
public struct ExactOriginCORSMiddleware: RouterMiddleware {
    let allowedOrigins: Set<String>
    static let allowedMethods = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
    static let defaultAllowedHeaders = "Authorization, Content-Type, Accept, X-Request-ID, X-CSRF-Token, Idempotency-Key"
    static let exposedHeaders = "X-Request-ID, Retry-After, ETag, Content-Disposition"

    public init(allowedOrigins: [String]) {
        self.allowedOrigins = Set(allowedOrigins.map { $0.lowercased() })
    }

    public func handle(
        _ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let origin = request.headers[.origin] else {
            return try await next(request, context)
        }
        let allowed = allowedOrigins.contains(origin.lowercased())
        let isPreflight = request.method == .options && request.headers[.accessControlRequestMethod] != nil
        if isPreflight {
            guard allowed else {
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
        var response = try await next(request, context)
        response.headers[.vary] = "Origin"
        if allowed {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlAllowCredentials] = "true"
            response.headers[.accessControlExposeHeaders] = Self.exposedHeaders
        }
        return response
    }
}
