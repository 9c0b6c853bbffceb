import Core
import Hummingbird

struct RegisterRoutes: Sendable {
    let service: RegistrationService

    static let operations: [OpenAPIOperation] = [
        OpenAPIOperation(
            "POST", "/auth/register", summary: "Register", tag: "auth",
            requestBody: OpenAPIDocument.object(
                [
                    "email": OpenAPIDocument.email, "password": ["type": "string", "minLength": .int(PasswordPolicy.minimumLength)],
                    "name": UsersRoutes.nullable("string"), "username": UsersRoutes.nullable("string"), "full_name": UsersRoutes.nullable("string"),
                    "referral_code": UsersRoutes.nullable("string"),
                    "agreed_to_terms": ["description": "Accepted and ignored (the frontend's sign-up form sends it)"],
                ],
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
