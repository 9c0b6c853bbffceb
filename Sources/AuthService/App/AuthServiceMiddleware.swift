import Core
import Hummingbird

/// The auth service's own layer, inside the shared `ServiceMiddleware`: the per-IP limit
/// on `POST /auth/*`, then the route, then the rolling-session cookie (`SessionRenewal`).
/// One layer, not two, and the request's token verified once for the renewal and the
/// route's authenticator both (issue #15).
struct AuthServiceMiddleware: RouterMiddleware {
    let limits: AuthRateLimits
    let renewal: SessionRenewal

    func handle(
        _ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        try await limits.checkRequest(request, context: context)
        guard let verified = await renewal.verifiedToken(request) else {
            return try await next(request, context)
        }
        var context = context
        context.verifiedToken = verified
        var response = try await next(request, context)
        await renewal.renew(&response, verified: verified, context: context)
        return response
    }
}
