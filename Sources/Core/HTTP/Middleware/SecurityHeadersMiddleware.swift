import HTTPTypes
import Hummingbird

/// Headers every response carries, errors included. These are JSON APIs: nothing should
/// be sniffed as HTML, framed, or leak its URL as a referrer.
public struct SecurityHeadersMiddleware: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.referrerPolicy] = "strict-origin-when-cross-origin"
        return response
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
