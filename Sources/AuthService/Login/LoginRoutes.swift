import Core
import Hummingbird

/// `/auth/jwt/login` and `/auth/jwt/logout`, fastapi-users' JWT backend with the bearer
/// transport.
struct LoginRoutes: Sendable {
    let service: LoginService
    let authenticator: AccessTokenAuthenticator

    struct BearerResponse: Encodable {
        var accessToken: String
        var tokenType = "bearer"

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token"
            case tokenType = "token_type"
        }
    }

    static let operations: [OpenAPIOperation] = [
        OpenAPIOperation(
            "POST", "/auth/jwt/login", summary: "Log in (OAuth2 password form: username is the e-mail)", tag: "auth",
            requestBody: OpenAPIDocument.object(
                ["username": OpenAPIDocument.string, "password": OpenAPIDocument.string, "grant_type": OpenAPIDocument.string,
                 "scope": OpenAPIDocument.string, "client_id": OpenAPIDocument.string, "client_secret": OpenAPIDocument.string],
                required: ["username", "password"]),
            requestContentType: "application/x-www-form-urlencoded",
            responses: [200: "{access_token, token_type}", 400: "LOGIN_BAD_CREDENTIALS", 422: "Validation Error"]),
        OpenAPIOperation(
            "POST", "/auth/jwt/logout", summary: "Log out", tag: "auth", requiresAuth: true,
            responses: [204: "Logged out", 401: "Unauthorized"]),
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
            let user = try await service.authenticate(email: values[0], password: values[1])
            return try JSONResponse.make(BearerResponse(accessToken: try await service.accessToken(for: user)))
        }
        router.post("/auth/jwt/logout") { request, _ in
            _ = try await authenticator.authenticate(request)
            return Response(status: .noContent)
        }
    }
}
