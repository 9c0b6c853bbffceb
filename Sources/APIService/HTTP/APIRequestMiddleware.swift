import Core
import Hummingbird

/// The overall limit: N requests a minute per user, or per client IP for requests without
/// a valid token. Reads the token's subject without touching the database (verified tokens
/// are cached by `TokenService`), so it runs before authentication and also covers
/// requests that fail it. The verified claims go on in the context, for the
/// authenticator not to verify the token again.
struct APIRateLimit: Sendable {
    let limiter: any RateLimiter
    let authenticator: AccessTokenAuthenticator
    let tokens: TokenService
    let perMinute: Int

    /// Counts the request; throws `tooManyRequests` over the limit.
    func check(_ request: Request, context: inout AppRequestContext) async throws {
        // Operations routes (/health, /ready, /metrics) are for probes, never limited.
        guard request.uri.path.hasPrefix("/api/") else { return }
        let key: String
        if let token = authenticator.credential(in: request), let claims = try? await tokens.verifyAccessToken(token) {
            context.verifiedToken = (token, claims)
            key = "api:user:" + claims.subject
        } else {
            key = "api:ip:" + (context.clientIP ?? context.peerIP ?? "unknown")
        }
        let decision = await limiter.consume(key: key, limit: perMinute, window: .seconds(60))
        guard decision.allowed else { throw CoreError.tooManyRequests(retryAfterSeconds: decision.retryAfterSeconds) }
    }
}

/// The API's own layer, inside the shared `ServiceMiddleware`: the overall limit (when
/// limits are on), then the cookie-write guard. One layer, not two: each layer is an async
/// frame and a copy of the context on every request (issue #15).
struct APIRequestMiddleware: RouterMiddleware {
    let limit: APIRateLimit?
    let writeGuard: CookieWriteGuard

    func handle(
        _ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let limit { try await limit.check(request, context: &context) }
        try writeGuard.check(request, context: context)
        return try await next(request, context)
    }
}
