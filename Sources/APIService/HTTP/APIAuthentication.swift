import Core
import Hummingbird

/// Authenticates a route that needs a user: the auth service's access token, or on the
/// routes marked *key* in API.md a platform key (`Authorization: Bearer nxf_…`). Called by
/// the route itself (`APIRoutes`), not as a group middleware: a middleware layer is an
/// async frame and a copy of the context on every request (issue #15). A class: the
/// route closures capture it, and copying a struct of these stores meant a retain of each
/// of their references per request (5 % of `/subscription/usage`'s profile).
final class APIAuthentication: Sendable {
    let tokens: AccessTokenAuthenticator
    let keys: PlatformKeyStore
    let access: PlatformKeyAccess
    let users: any UserDirectory
    /// Paths (after the `/api` or `/api/v1` prefix) that accept a platform key.
    /// The WordPress plugin's three calls (WP/nova-xfinity-ai.php L1926-2205,
    /// WP/includes/token-sync.php L65-235).
    static let keyPaths: Set<String> = ["/token-usage/sync", "/sync/token-usage", "/token-usage/stats"]

    init(tokens: AccessTokenAuthenticator, keys: PlatformKeyStore, access: PlatformKeyAccess, users: any UserDirectory) {
        self.tokens = tokens
        self.keys = keys
        self.access = access
        self.users = users
    }

    /// Puts the caller in `context.user`, or throws `unauthorized` (or the token's error).
    func authenticate(_ request: Request, context: inout AppRequestContext) async throws {
        // The overall limit already verified this request's token: only a JWT verifies,
        // so it is not a platform key, and the token is not read from the request again.
        if let verified = context.verifiedToken {
            context.user = try await tokens.user(for: verified.claims)
            return
        }
        guard let credential = tokens.credential(in: request) else { throw CoreError.unauthorized }
        guard credential.hasPrefix(PlatformKeyStore.prefix) else {
            context.user = try await tokens.user(for: try await tokens.verified(credential, context: nil))
            return
        }
        guard Self.acceptsKey(request.uri.path), let owner = try await keys.owner(of: credential),
            let user = try await users.user(id: owner), user.isActive
        else { throw CoreError.unauthorized }
        try await access.requirePlan(userID: user.id)
        context.user = user
    }

    static func acceptsKey(_ path: String) -> Bool {
        for prefix in APIPrefixes.all where path.hasPrefix(prefix + "/") {
            if keyPaths.contains(String(path.dropFirst(prefix.count))) { return true }
        }
        return false
    }
}
