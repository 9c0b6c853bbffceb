import Core
import Hummingbird

struct ResetPasswordRequest: Decodable, RequestBodyShape {
    static let requiredFields = ["token", "password"]
    static let missingFieldInputIsWholeBody = false

    var token: String
    var password: String
}

struct PasswordResetRoutes: Sendable {
    let service: PasswordResetService

    static let operations: [OpenAPIOperation] = [
        OpenAPIOperation(
            "POST", "/auth/forgot-password", summary: "Request a password reset e-mail", tag: "auth",
            requestBody: OpenAPIDocument.object(["email": OpenAPIDocument.email], required: ["email"]),
            responses: [202: "null (whether or not the address exists)", 422: "Validation Error"]),
        OpenAPIOperation(
            "POST", "/auth/reset-password", summary: "Reset the password with a token", tag: "auth",
            requestBody: OpenAPIDocument.object(
                ["token": OpenAPIDocument.string, "password": ["type": "string", "minLength": .int(PasswordPolicy.minimumLength)]],
                required: ["token", "password"]),
            responses: [200: "null", 400: "RESET_PASSWORD_BAD_TOKEN or RESET_PASSWORD_INVALID_PASSWORD", 422: "Validation Error"]),
    ]

    func register(on router: Router<AppRequestContext>) {
        router.post("/auth/forgot-password") { request, context in
            let body = try await request.decodeJSON(EmailRequest.self, context: context)
            try await service.forgotPassword(email: body.email)
            return JSONResponse.null(status: .accepted)
        }
        router.post("/auth/reset-password") { request, context in
            let body = try await request.decodeJSON(ResetPasswordRequest.self, context: context)
            try await service.resetPassword(token: body.token, newPassword: body.password, origin: RequestOrigin(request, context))
            return JSONResponse.null(status: .ok)
        }
    }
}
