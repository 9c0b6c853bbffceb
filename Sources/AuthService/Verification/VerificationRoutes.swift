import Core
import Foundation
import Hummingbird

struct EmailRequest: Decodable, RequestBodyShape {
    static let requiredFields = ["email"]
    static let missingFieldInputIsWholeBody = false

    var email: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        email = try container.decodeEmail(forKey: .email)
    }

    enum CodingKeys: String, CodingKey { case email }
}

struct TokenRequest: Decodable, RequestBodyShape {
    static let requiredFields = ["token"]
    static let missingFieldInputIsWholeBody = false

    var token: String
}

/// `/auth/request-verify-token`, `/auth/verify` and the frontend's
/// `/auth/resend-verification`.
struct VerificationRoutes: Sendable {
    let service: VerificationService

    struct ResendAnswer: Encodable {
        var success: Bool
        var message: String
    }

    static let operations: [OpenAPIOperation] = [
        OpenAPIOperation(
            "POST", "/auth/request-verify-token", summary: "Request a verification e-mail", tag: "auth",
            requestBody: OpenAPIDocument.object(["email": OpenAPIDocument.email], required: ["email"]),
            responses: [202: "null (whether or not the address exists)", 422: "Validation Error"]),
        OpenAPIOperation(
            "POST", "/auth/verify", summary: "Verify an e-mail address (JSON {token}, or ?token= with an empty body)", tag: "auth",
            requestBody: OpenAPIDocument.object(["token": OpenAPIDocument.string], required: ["token"]),
            responses: [200: "UserRead", 400: "VERIFY_USER_BAD_TOKEN or VERIFY_USER_ALREADY_VERIFIED", 422: "Validation Error"],
            parameters: [["name": "token", "in": "query", "required": false, "schema": ["type": "string"]]]),
        OpenAPIOperation(
            "POST", "/auth/resend-verification", summary: "Resend the verification e-mail", tag: "auth",
            responses: [200: "{success, message}", 422: "Validation Error"],
            // Any text: an invalid address gets the same answer as an unknown one (nothing is revealed).
            parameters: [["name": "email", "in": "query", "required": true, "schema": ["type": "string"]]]),
    ]

    func register(on router: Router<AppRequestContext>) {
        router.post("/auth/request-verify-token") { request, context in
            let body = try await request.decodeJSON(EmailRequest.self, context: context)
            try await service.requestToken(email: body.email)
            return JSONResponse.null(status: .accepted)
        }
        router.post("/auth/verify") { request, context in
            let token: String
            let body = try await request.collectBody(context: context)
            if body.readableBytes == 0, let queryToken = request.uri.queryParameters.get("token") {
                token = queryToken
            } else {
                try request.checkJSONContentType(body)
                token = try JSONBodyDecoder.decode(TokenRequest.self, from: Data(buffer: body)).token
            }
            return JSONResponse.user(try await service.verify(token: token, origin: RequestOrigin(request, context)))
        }
        router.post("/auth/resend-verification") { request, _ in
            guard let raw = request.uri.queryParameters.get("email") else {
                throw CoreError.invalidInput([.missing("email", location: .query)])
            }
            if case .success(let email) = EmailAddress.normalize(raw) {
                try await service.requestToken(email: email)
            }
            return try JSONResponse.make(
                ResendAnswer(success: true, message: "If an unverified account exists for this address, a verification e-mail has been sent."))
        }
    }
}
