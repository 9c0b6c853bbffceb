import Core

/// The fastapi-users error answers. Their `detail` strings are part of the wire contract.
enum AuthError: Error, Equatable {
    case registerUserAlreadyExists
    case registerInvalidPassword(reason: String)
    case loginBadCredentials
    case resetPasswordBadToken
    case resetPasswordInvalidPassword(reason: String)
    case verifyUserBadToken
    case verifyUserAlreadyVerified
    case updateUserEmailAlreadyExists
    case updateUserInvalidPassword(reason: String)
    /// A cookie-authenticated state change without the matching `X-CSRF-Token`.
    case csrfTokenInvalid
    /// An unknown, expired, revoked or reused refresh token.
    case refreshTokenInvalid
}

/// fastapi-users shapes for `AuthError`, FastAPI's for everything else.
struct AuthErrorRenderer: ErrorRenderer {
    let base = FastAPIErrorRenderer()

    var internalError: ErrorResponse { base.internalError }

    func render(_ error: any Error) -> ErrorResponse? {
        guard let error = error as? AuthError else { return base.render(error) }
        let detail: JSONValue
        switch error {
        case .csrfTokenInvalid: return ErrorResponse(status: .forbidden, body: ["detail": "CSRF_TOKEN_INVALID"])
        case .refreshTokenInvalid: return ErrorResponse(status: .unauthorized, body: ["detail": "Unauthorized"])
        case .registerUserAlreadyExists: detail = "REGISTER_USER_ALREADY_EXISTS"
        case .registerInvalidPassword(let reason): detail = ["code": "REGISTER_INVALID_PASSWORD", "reason": .string(reason)]
        case .loginBadCredentials: detail = "LOGIN_BAD_CREDENTIALS"
        case .resetPasswordBadToken: detail = "RESET_PASSWORD_BAD_TOKEN"
        case .resetPasswordInvalidPassword(let reason): detail = ["code": "RESET_PASSWORD_INVALID_PASSWORD", "reason": .string(reason)]
        case .verifyUserBadToken: detail = "VERIFY_USER_BAD_TOKEN"
        case .verifyUserAlreadyVerified: detail = "VERIFY_USER_ALREADY_VERIFIED"
        case .updateUserEmailAlreadyExists: detail = "UPDATE_USER_EMAIL_ALREADY_EXISTS"
        case .updateUserInvalidPassword(let reason): detail = ["code": "UPDATE_USER_INVALID_PASSWORD", "reason": .string(reason)]
        }
        return ErrorResponse(status: .badRequest, body: ["detail": detail])
    }
}
