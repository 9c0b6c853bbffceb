import HTTPTypes
import Hummingbird

/// Refuses bodies over the limit before they are read: by `Content-Length` here, and by
/// the limit stored in the context for bodies that arrive chunked (see `collectBody`).
/// Paths under `exemptPrefixes` stream their bodies elsewhere (the `/api` gateway) and
/// leave limits to the service that reads them.
public struct BodyLimitMiddleware: RouterMiddleware {
    let limit: Int
    let exemptPrefixes: [String]

    public init(limit: Int, exemptPrefixes: [String] = []) {
        self.limit = limit
        self.exemptPrefixes = exemptPrefixes
    }

    public func handle(
        _ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        if exemptPrefixes.contains(where: { path.hasPrefix($0) }) {
            return try await next(request, context)
        }
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw CoreError.payloadTooLarge(limit: limit)
        }
        var context = context
        context.bodyLimit = limit
        return try await next(request, context)
    }
}
