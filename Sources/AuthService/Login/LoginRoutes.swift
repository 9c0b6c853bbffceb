import Core
import Foundation
import Hummingbird

/// `/auth/jwt/login`, `/auth/jwt/refresh` and `/auth/jwt/logout`: fastapi-users' JWT
/// backend with the bearer transport, plus rotating refresh tokens.
struct LoginRoutes: Sendable {
    let service: LoginService
    let authenticator: AccessTokenAuthenticator
    let rateLimits: AuthRateLimits
    let accessTokenLifetime: Duration
    let refreshTokenLifetime: Duration
    let cookies: CookiePolicy

    struct SessionResponse: Encodable {
        var accessToken: String
        var tokenType = "bearer"
        var refreshToken: String
        var expiresIn: Int

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token"
            case tokenType = "token_type"
            case refreshToken = "refresh_token"
            case expiresIn = "expires_in"
        }
    }

    struct RefreshRequest: Decodable {
        var refreshToken: String?

        enum CodingKeys: String, CodingKey {
            case refreshToken = "refresh_token"
        }
    }

    static let operations: [OpenAPIOperation] = [
        OpenAPIOperation(
            "POST", "/auth/jwt/login", summary: "Log in (OAuth2 password form: username is the e-mail)", tag: "auth",
            requestBody: OpenAPIDocument.object(
                // As OAuth2PasswordRequestForm: an empty field counts as missing (422), and
                // grant_type must match its pattern.
                [
                    "username": ["type": "string", "minLength": 1], "password": ["type": "string", "minLength": 1],
                    "grant_type": ["type": "string", "pattern": "^password$"],
                    "scope": OpenAPIDocument.string, "client_id": OpenAPIDocument.string, "client_secret": OpenAPIDocument.string,
                ],
                required: ["username", "password"]),
            requestContentType: "application/x-www-form-urlencoded",
            responses: [
                200: "{access_token, token_type, refresh_token, expires_in}; sets the refresh and CSRF cookies", 400: "LOGIN_BAD_CREDENTIALS",
                422: "Validation Error",
            ]),
        OpenAPIOperation(
            "POST", "/auth/jwt/refresh", summary: "Rotate the refresh token (JSON {refresh_token}, or the cookie with X-CSRF-Token)", tag: "auth",
            requestBody: OpenAPIDocument.object(["refresh_token": OpenAPIDocument.string]),
            responses: [
                200: "{access_token, token_type, refresh_token, expires_in}", 401: "Unauthorized", 403: "CSRF_TOKEN_INVALID", 422: "Validation Error",
            ]),
        OpenAPIOperation(
            "POST", "/auth/jwt/logout", summary: "Log out (revokes the presented refresh token)", tag: "auth", requiresAuth: true,
            responses: [204: "Logged out", 401: "Unauthorized", 403: "CSRF_TOKEN_INVALID"]),
    ]

    func register(on router: Router<AppRequestContext>) {
        router.post("/auth/jwt/login") { request, context in
            let form = try await FormBody.read(request, context: context)
            let values = try form.require(["username", "password"])
            if let grantType = form.fields["grant_type"], grantType != "password" {
                throw CoreError.invalidInput([
                    ValidationIssue(
                        type: "string_pattern_mismatch", path: ["grant_type"], message: "String should match pattern '^password$'",
                        input: .string(grantType), context: ["pattern": "^password$"])
                ])
            }
            try await rateLimits.checkAccount(values[0])
            let session = try await service.login(email: values[0], password: values[1], origin: RequestOrigin(request, context))
            return try sessionResponse(session)
        }
        router.post("/auth/jwt/refresh") { request, context in
            let buffer = try await request.collectJSONBody(context: context)
            let bodyToken = buffer.readableBytes == 0 ? nil : try request.decodeJSON(RefreshRequest.self, from: buffer).refreshToken
            let token: String
            if let bodyToken, !bodyToken.isEmpty {
                token = bodyToken
            } else if let cookie = request.cookies[SessionCookies.refreshName]?.value, !cookie.isEmpty {
                try SessionCookies.requireCSRF(request)
                token = cookie
            } else {
                throw AuthError.refreshTokenInvalid
            }
            return try sessionResponse(try await service.refresh(token, origin: RequestOrigin(request, context)))
        }
        router.post("/auth/jwt/logout") { request, context in
            let cookieToken = request.cookies[SessionCookies.refreshName]?.value.nilIfEmpty
            var userID: UUID?
            if request.headers[.authorization] != nil || cookieToken == nil {
                // fastapi-users: a bearer token is required (and exempt from CSRF).
                userID = try await authenticator.authenticate(request, context: context).id
            } else {
                // Logging out with only the refresh cookie is a cookie-authenticated change.
                try SessionCookies.requireCSRF(request)
            }
            try await service.logout(userID: userID, refreshToken: cookieToken, origin: RequestOrigin(request, context))
            var response = Response(status: .noContent)
            if cookieToken != nil { SessionCookies.clear(on: &response, policy: cookies) }
            return response
        }
    }

    func sessionResponse(_ session: LoginService.Session) throws -> Response {
        var response = try JSONResponse.make(
            SessionResponse(
                accessToken: session.accessToken, refreshToken: session.refreshToken,
                expiresIn: Int(accessTokenLifetime.components.seconds)))
        SessionCookies.set(on: &response, refreshToken: session.refreshToken, lifetime: refreshTokenLifetime, policy: cookies)
        return response
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
