import Core
import Foundation
import Hummingbird

/// `/users/me` and `/users/{id}` (superusers only).
struct UsersRoutes: Sendable {
    let service: UserAccountService
    let authenticator: AccessTokenAuthenticator

    /// fastapi-users' `UserUpdate`: every field optional, and `null` is the same as absent.
    static let updateSchema = OpenAPIDocument.object([
        "email": ["anyOf": [OpenAPIDocument.email, ["type": "null"]]],
        "password": ["type": ["string", "null"], "minLength": .int(PasswordPolicy.minimumLength)],
        "name": nullable("string"), "avatar_url": nullable("string"), "is_active": nullable("boolean"), "is_superuser": nullable("boolean"),
        "is_verified": nullable("boolean"), "role": ["type": ["string", "null"], "enum": ["user", "admin", .null]],
    ])

    /// A JSON Schema `type` that also allows `null` (OpenAPI 3.1).
    static func nullable(_ type: String) -> JSONValue { ["type": [.string(type), "null"]] }

    static let operations: [OpenAPIOperation] = [
        OpenAPIOperation(
            "GET", "/users/me", summary: "The current user", tag: "users", requiresAuth: true, responses: [200: "UserRead", 401: "Unauthorized"]),
        OpenAPIOperation(
            "PATCH", "/users/me", summary: "Update the current user (email, password, name, avatar_url)", tag: "users", requiresAuth: true,
            requestBody: updateSchema,
            responses: [
                200: "UserRead", 400: "UPDATE_USER_EMAIL_ALREADY_EXISTS or UPDATE_USER_INVALID_PASSWORD", 401: "Unauthorized",
                422: "Validation Error",
            ]),
        OpenAPIOperation(
            "GET", "/users/:id", summary: "A user (superuser)", tag: "users", requiresAuth: true,
            responses: [200: "UserRead", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"]),
        OpenAPIOperation(
            "PATCH", "/users/:id", summary: "Update a user, including flags and role (superuser)", tag: "users", requiresAuth: true,
            requestBody: updateSchema,
            responses: [
                200: "UserRead", 400: "UPDATE_USER_EMAIL_ALREADY_EXISTS or UPDATE_USER_INVALID_PASSWORD", 401: "Unauthorized", 403: "Forbidden",
                404: "Not Found", 422: "Validation Error",
            ]),
        OpenAPIOperation(
            "DELETE", "/users/:id", summary: "Delete a user (superuser)", tag: "users", requiresAuth: true,
            responses: [204: "Deleted", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"]),
    ]

    func register(on router: Router<AppRequestContext>) {
        router.get("/users/me") { request, context in
            JSONResponse.user(try await authenticator.authenticate(request, context: context))
        }
        router.patch("/users/me") { request, context in
            let buffer = try await request.collectJSONBody(context: context)
            let user = try await authenticator.authenticate(request, context: context)
            let body = try request.decodeJSON(UserUpdateRequest.self, from: buffer)
            return JSONResponse.user(try await service.update(user, with: body, scope: .own, origin: RequestOrigin(request, context)))
        }
        router.get("/users/:id") { request, context in
            JSONResponse.user(try await target(request, context).target)
        }
        router.patch("/users/:id") { request, context in
            let buffer = try await request.collectJSONBody(context: context)
            let (caller, target) = try await target(request, context)
            let body = try request.decodeJSON(UserUpdateRequest.self, from: buffer)
            return JSONResponse.user(
                try await service.update(target, with: body, scope: .superuser, actorID: caller.id, origin: RequestOrigin(request, context)))
        }
        router.delete("/users/:id") { request, context in
            let (caller, target) = try await target(request, context)
            _ = try await service.delete(id: target.id, actorID: caller.id, origin: RequestOrigin(request, context))
            return Response(status: .noContent)
        }
    }

    /// fastapi-users' order: 401 without a valid token, 403 for a non-superuser, then 404
    /// for a malformed or unknown id.
    private func target(_ request: Request, _ context: AppRequestContext) async throws -> (caller: UserRecord, target: UserRecord) {
        let caller = try await authenticator.authenticate(request, context: context)
        guard caller.isAdmin else { throw CoreError.forbidden }
        guard let raw = context.parameters.get("id"), let id = UUID(flexible: raw), let user = try await service.user(id: id) else {
            throw CoreError.notFound
        }
        return (caller, user)
    }
}

extension UUID {
    /// Python's `uuid.UUID(str)` forms that fastapi-users accepts in paths: with or
    /// without dashes, any case.
    init?(flexible raw: String) {
        if let parsed = UUID(parsing: raw) {
            self = parsed
            return
        }
        let hex = Array(raw)
        guard hex.count == 32, hex.allSatisfy(\.isHexDigit) else { return nil }
        let dashed =
            String(hex[0..<8]) + "-" + String(hex[8..<12]) + "-" + String(hex[12..<16]) + "-" + String(hex[16..<20]) + "-"
            + String(hex[20..<32])
        self.init(uuidString: dashed)
    }
}
