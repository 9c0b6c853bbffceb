import Core
import Foundation
import Hummingbird

/// `GET /auth/{provider}` (302 to the consent page), `/auth/{provider}/authorize`
/// (fastapi-users' `{authorization_url}`) and `/auth/{provider}/callback` (302 back to
/// the frontend's login page, with the access token or an error code).
struct OAuthRoutes: Sendable {
    let service: OAuthService
    let rateLimits: AuthRateLimits
    let frontendURL: String
    let refreshTokenLifetime: Duration
    let cookies: CookiePolicy
    static let stateLifetime: Duration = .seconds(600)

    static let operations: [OpenAPIOperation] = [
        OpenAPIOperation(
            "GET", "/auth/:provider", summary: "Start signing in with google, discord or twitter (302 to the provider)", tag: "oauth",
            responses: [302: "Redirect to the provider's consent page; sets the oauth_binding cookie", 404: "Not Found"]),
        OpenAPIOperation(
            "GET", "/auth/:provider/authorize", summary: "The provider's consent URL, as fastapi-users returns it", tag: "oauth",
            responses: [200: "{authorization_url}; sets the oauth_binding cookie", 404: "Not Found"]),
        OpenAPIOperation(
            "GET", "/auth/:provider/callback", summary: "Finish signing in (the provider redirects here)", tag: "oauth",
            responses: [
                302: "To FRONTEND_URL/login?token=…&tokens=… (refresh token in its cookie only), or FRONTEND_URL/login?error=<code>",
                404: "Not Found",
            ]),
    ]

    struct AuthorizeResponse: Encodable {
        var authorizationURL: String
        enum CodingKeys: String, CodingKey { case authorizationURL = "authorization_url" }
    }

    func register(on router: Router<AppRequestContext>) {
        router.get("/auth/:provider") { request, context in
            let authorization = try await begin(request, context)
            var response = Response(status: .found, headers: [.location: authorization.url])
            setBinding(authorization.binding, on: &response)
            return response
        }
        router.get("/auth/:provider/authorize") { request, context in
            let authorization = try await begin(request, context)
            var response = try JSONResponse.make(AuthorizeResponse(authorizationURL: authorization.url))
            setBinding(authorization.binding, on: &response)
            return response
        }
        router.get("/auth/:provider/callback") { request, context in
            let name = try context.parameters.require("provider")
            guard OAuthProviderID(rawValue: name) != nil else { throw CoreError.notFound }
            try await rateLimits.checkIP(context.clientIP)
            let query = request.uri.queryParameters
            let parameters = OAuthService.CallbackParameters(
                code: query["code"].map(String.init), state: query["state"].map(String.init), error: query["error"].map(String.init))
            do {
                let session = try await service.complete(
                    providerName: name, parameters: parameters, binding: request.cookies[OAuthBindingCookie.name]?.value,
                    origin: RequestOrigin(request, context))
                // The frontend reads `tokens` and splits it on "|"; the refresh token
                // never goes into a URL (history, logs, Referer), only into its cookie.
                let token = FormEncoding.encode(session.accessToken)
                var response = Response(status: .found, headers: [.location: "\(frontendURL)/login?token=\(token)&tokens=\(token)"])
                SessionCookies.set(on: &response, refreshToken: session.refreshToken, lifetime: refreshTokenLifetime, policy: cookies)
                return response
            } catch let failure as OAuthFailure {
                return Response(status: .found, headers: [.location: "\(frontendURL)/login?error=\(failure.rawValue)"])
            }
        }
    }

    private func begin(_ request: Request, _ context: AppRequestContext) async throws -> OAuthService.Authorization {
        // Unknown and unconfigured providers look the same: 404.
        guard let provider = service.provider(named: try context.parameters.require("provider")) else { throw CoreError.notFound }
        try await rateLimits.checkIP(context.clientIP)
        return try await service.begin(provider, existingBinding: request.cookies[OAuthBindingCookie.name]?.value)
    }

    /// Lax, not Strict: the provider's redirect back is a cross-site top-level navigation,
    /// on which a Strict cookie would not be sent.
    private func setBinding(_ binding: String, on response: inout Response) {
        response.setCookie(
            cookies.cookie(
                OAuthBindingCookie.name, binding, maxAge: Int(Self.stateLifetime.components.seconds), path: "/auth", httpOnly: true, sameSite: .lax))
    }
}
