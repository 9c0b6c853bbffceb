import Core
import Hummingbird

struct RegisterRoutes: Sendable {
    let service: RegistrationService

    static let operations: [OpenAPIOperation] = [
        OpenAPIOperation(
            "POST", "/auth/register", summary: "Register", tag: "auth",
            requestBody: OpenAPIDocument.object(
                ["email": OpenAPIDocument.email, "password": OpenAPIDocument.string, "name": OpenAPIDocument.string,
                 "username": OpenAPIDocument.string, "full_name": OpenAPIDocument.string, "referral_code": OpenAPIDocument.string,
                 "agreed_to_terms": OpenAPIDocument.boolean],
                required: ["email", "password"]),
            responses: [201: "UserRead", 400: "REGISTER_USER_ALREADY_EXISTS or REGISTER_INVALID_PASSWORD", 422: "Validation Error"])
    ]

    func register(on router: Router<AppRequestContext>) {
        router.post("/auth/register") { request, context in
            let body = try await request.decodeJSON(RegisterRequest.self, context: context)
            let user = try await service.register(body, origin: RequestOrigin(request, context))
            return JSONResponse.user(user, status: .created)
        }
    }
}
