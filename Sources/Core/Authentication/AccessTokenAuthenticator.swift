import Foundation
import HTTPTypes
import Hummingbird

/// Resolves the caller of a request from the auth service's access token: the
/// `Authorization: Bearer` header or, when that is absent and cookies are accepted, the
/// `access_token` cookie. The user is then read (through a short cache) so that a
/// deactivated account loses access within the cache's lifetime.
public struct AccessTokenAuthenticator: Sendable {
    let tokens: TokenService
    let users: any UserDirectory
    let acceptsCookie: Bool

    public init(tokens: TokenService, users: any UserDirectory, acceptsCookie: Bool) {
        self.tokens = tokens
        self.users = users
        self.acceptsCookie = acceptsCookie
    }

    /// The raw token the request carries, if any.
    public func credential(in request: Request) -> String? {
        Self.credential(in: request, acceptsCookie: acceptsCookie)
    }

    /// The `Authorization: Bearer` token, else (with `acceptsCookie`) the `access_token` cookie.
    public static func credential(in request: Request, acceptsCookie: Bool) -> String? {
        if let header = request.headers.value(.authorization) {
            return bearerToken(header)
        }
        if acceptsCookie, let cookie = request.cookies["access_token"]?.value, !cookie.isEmpty {
            // Some clients store the cookie as "Bearer <token>".
            return cookie.hasPrefix("Bearer ") ? String(cookie.dropFirst(7)) : cookie
        }
        return nil
    }

    /// The token of `Bearer <token>` (scheme case-insensitive), parsed on bytes: this runs
    /// on every authenticated request.
    static func bearerToken(_ header: String) -> String? {
        let bytes = header.utf8
        guard bytes.count > 7 else { return nil }
        var index = bytes.startIndex
        for expected in "bearer".utf8 {
            guard bytes[index] | 0x20 == expected else { return nil }
            index = bytes.index(after: index)
        }
        guard bytes[index] == UInt8(ascii: " ") else { return nil }
        var start = index
        while start < bytes.endIndex, bytes[start] == UInt8(ascii: " ") { start = bytes.index(after: start) }
        var end = bytes.endIndex
        while end > start, bytes[bytes.index(before: end)] == UInt8(ascii: " ") { end = bytes.index(before: end) }
        guard start < end else { return nil }
        return String(header.utf8[start..<end])
    }

    /// Throws `CoreError.unauthorized` without a credential or for an unknown or inactive
    /// user, and `TokenError` for a token that does not verify.
    public func authenticate(_ request: Request, context: AppRequestContext? = nil) async throws -> UserRecord {
        guard let token = credential(in: request) else { throw CoreError.unauthorized }
        return try await user(for: try await verified(token, context: context))
    }

    /// The active user a verified token names; `CoreError.unauthorized` when unknown or
    /// inactive.
    public func user(for claims: AccessTokenClaims) async throws -> UserRecord {
        guard let id = UUID(parsing: claims.subject) else { throw TokenError.malformed }
        guard let user = try await users.user(id: id), user.isActive else { throw CoreError.unauthorized }
        return user
    }
}

extension AccessTokenAuthenticator {
    /// The token's claims: those another middleware verified for this same token, else
    /// verified now.
    public func verified(_ token: String, context: AppRequestContext?) async throws(TokenError) -> AccessTokenClaims {
        if let verified = context?.verifiedToken, verified.token == token { return verified.claims }
        return try await tokens.verifyAccessToken(token)
    }
}

/// Requires an authenticated user on the routes below it and puts them in the context.
public struct RequireUserMiddleware: RouterMiddleware {
    let authenticator: AccessTokenAuthenticator

    public init(authenticator: AccessTokenAuthenticator) {
        self.authenticator = authenticator
    }

    public func handle(
        _ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.user = try await authenticator.authenticate(request, context: context)
        return try await next(request, context)
    }
}

extension AppRequestContext {
    /// The authenticated user; routes behind `RequireUserMiddleware` always have one.
    public func requireUser() throws -> UserRecord {
        guard let user else { throw CoreError.unauthorized }
        return user
    }
}
