import Core
import Foundation
import Hummingbird

/// GET/POST /api-keys, DELETE /api-keys/{id}: keys for the WordPress plugin (PRO and up).
struct PlatformKeyRoutes: APIRouteCollection {
    let store: PlatformKeyStore
    let access: PlatformKeyAccess
    let requiresAuth = true

    var operations: [OpenAPIOperation] {
        [
            OpenAPIOperation("GET", "/api-keys", summary: "Your active platform API keys: [{id, name, last4, createdAt, lastUsedAt}]", tag: "keys", requiresAuth: true),
            OpenAPIOperation("POST", "/api-keys", summary: "Create a key (PRO and up); the key (nxf_…) is shown in this answer only", tag: "keys",
                requiresAuth: true, requestBody: OpenAPIDocument.object(["name": OpenAPIDocument.string], required: ["name"])),
            OpenAPIOperation("DELETE", "/api-keys/:id", summary: "Revoke a key", tag: "keys", requiresAuth: true),
        ]
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("/api-keys") { _, context in
            let user = try context.requireUser()
            return Envelope.ok(.array(try await store.list(userID: user.id).map(Self.json)))
        }
        group.post("/api-keys") { request, context in
            let user = try context.requireUser()
            let body = try await SettingsRoutes.object(request, context)
            guard case .string(let raw)? = body["name"], case let name = raw.trimmingCharacters(in: .whitespacesAndNewlines), (1...100).contains(name.count) else {
                throw CoreError.invalidInput([SettingsRoutes.issue("name", "must be 1 to 100 characters")])
            }
            try await access.requirePlan(userID: user.id)
            let (key, secret) = try await store.create(userID: user.id, name: name)
            return Envelope.ok(
                ["id": .string(key.id.uuidString.lowercased()), "name": .string(key.name), "key": .string(secret), "createdAt": Envelope.date(key.createdAt)],
                message: "Copy this key now: it is not shown again", status: .created)
        }
        group.delete("/api-keys/:id") { request, context in
            let user = try context.requireUser()
            guard try await store.revoke(userID: user.id, id: try request.uuidParameter("id", context: context)) else { throw CoreError.notFound }
            return Envelope.ok(nil, message: "API key revoked")
        }
    }

    static func json(_ key: PlatformKeyStore.Key) -> JSONValue {
        [
            "id": .string(key.id.uuidString.lowercased()), "name": .string(key.name), "last4": .string(key.last4),
            "createdAt": Envelope.date(key.createdAt), "lastUsedAt": Envelope.date(key.lastUsedAt),
        ]
    }
}

/// Platform keys belong to PRO and up: creating one, and using one, needs that plan (a
/// downgraded account's keys stop working until it upgrades again).
struct PlatformKeyAccess: Sendable {
    let accounts: AccountService
    static let feature = "api_keys"

    func requirePlan(userID: UUID) async throws {
        let subscription = try await accounts.subscription(userID: userID)
        let tier = subscription.isActive() ? subscription.plan : .free
        if tier < .pro { throw CreditError.featureNotAvailable(feature: Self.feature, plan: tier, requiredPlan: .pro) }
    }
}

/// Authenticates the routes below it: the auth service's access token, or on the routes
/// marked *key* in API.md a platform key (`Authorization: Bearer nxf_…`).
struct APIAuthenticationMiddleware: RouterMiddleware {
    let tokens: AccessTokenAuthenticator
    let keys: PlatformKeyStore
    let access: PlatformKeyAccess
    let users: any UserDirectory
    /// Paths (after the `/api` or `/api/v1` prefix) that accept a platform key.
    /// The WordPress plugin's three calls (WP/nova-xfinity-ai.php L1926-2205,
    /// WP/includes/token-sync.php L65-235).
    static let keyPaths: Set<String> = ["/token-usage/sync", "/sync/token-usage", "/token-usage/stats"]

    func handle(
        _ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let credential = tokens.credential(in: request), credential.hasPrefix(PlatformKeyStore.prefix) {
            guard Self.acceptsKey(request.uri.path), let owner = try await keys.owner(of: credential),
                let user = try await users.user(id: owner), user.isActive
            else { throw CoreError.unauthorized }
            try await access.requirePlan(userID: user.id)
            context.user = user
        } else {
            context.user = try await tokens.authenticate(request)
        }
        return try await next(request, context)
    }

    static func acceptsKey(_ path: String) -> Bool {
        for prefix in APIPrefixes.all where path.hasPrefix(prefix + "/") {
            if keyPaths.contains(String(path.dropFirst(prefix.count))) { return true }
        }
        return false
    }
}
