import HTTPTypes
import Hummingbird

/// Resolves the client's address once per request (see `TrustedProxies`).
public struct ClientIPMiddleware: RouterMiddleware {
    let trustedProxies: TrustedProxies

    public init(trustedProxies: TrustedProxies) {
        self.trustedProxies = trustedProxies
    }

    public func handle(
        _ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.clientIP = trustedProxies.clientIP(peer: context.peerIP, forwardedFor: request.headers[.forwardedFor])
        return try await next(request, context)
    }
}
