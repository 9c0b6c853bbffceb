import Core
import Hummingbird

/// The overall limit: N requests a minute per user, or per client IP for requests without
/// a valid token. Reads the token's subject without touching the database (verified tokens
/// are cached by `TokenService`), so it runs before authentication and also covers
/// requests that fail it. The verified claims go on in the context, for the
/// authenticator not to verify the token again.
struct APIRateLimitMiddleware: RouterMiddleware {
    let limiter: any RateLimiter
    let authenticator: AccessTokenAuthenticator
    let tokens: TokenService
    let perMinute: Int

    func handle(
        _ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        // Operations routes (/health, /ready, /metrics) are for probes, never limited.
        guard request.uri.path.hasPrefix("/api/") else { return try await next(request, context) }
        var context = context
        let key: String
        if let token = authenticator.credential(in: request), let claims = try? await tokens.verifyAccessToken(token) {
            context.verifiedToken = (token, claims)
            key = "api:user:" + claims.subject
        } else {
            key = "api:ip:" + (context.clientIP ?? context.peerIP ?? "unknown")
        }
        let decision = await limiter.consume(key: key, limit: perMinute, window: .seconds(60))
        guard decision.allowed else { throw CoreError.tooManyRequests(retryAfterSeconds: decision.retryAfterSeconds) }
        return try await next(request, context)
    }
}
