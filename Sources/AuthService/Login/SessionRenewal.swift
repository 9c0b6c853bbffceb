import Core
import Foundation
import Hummingbird
import Logging

/// Rolling sessions for the real frontend, which keeps the access token in its own
/// JavaScript cookie (`access_token`) and never calls the refresh endpoint
/// (FE/services/api.js L86-118): a request through this service whose access token is
/// valid but expires within `window` gets a renewed `access_token` cookie (readable by
/// JavaScript, `SameSite=Lax`, `Path=/`, as the frontend sets its own), bound to the same
/// session. Only a live session is renewed: a revoked family (logout, token theft), an
/// expired one (the refresh lifetime is the absolute limit), an inactive user, an expired
/// token (an idle session ends) or a token without a session get nothing.
struct SessionRenewal: Sendable {
    let tokens: TokenService
    let sessions: RefreshTokenStore
    let users: UserStore
    let cookies: CookiePolicy
    /// The cookie's own lifetime, as the frontend sets it (7 days).
    let cookieLifetime: Duration
    var window: Double = 5 * 60

    /// The request's access token and its claims, when it carries one that verifies: put
    /// in the context before the route runs, so the route does not verify it again.
    func verifiedToken(_ request: Request) async -> (token: String, claims: AccessTokenClaims)? {
        guard let token = Self.credential(request), let claims = try? await tokens.verifyAccessToken(token) else { return nil }
        return (token, claims)
    }

    /// Sets the renewed cookie on a response to a request whose token is about to expire.
    func renew(_ response: inout Response, verified: (token: String, claims: AccessTokenClaims), context: AppRequestContext) async {
        guard let renewed = await renewal(of: verified.claims, context: context) else { return }
        response.setCookie(
            cookies.cookie(
                SessionCookies.accessName, renewed, maxAge: Int(cookieLifetime.components.seconds), path: "/", httpOnly: false, sameSite: .lax))
    }

    /// The frontend sends both the header and the cookie; either counts (a platform key
    /// is no session).
    static func credential(_ request: Request) -> String? {
        AccessTokenAuthenticator.credential(in: request, acceptsCookie: true).flatMap { $0.hasPrefix("nxf_") ? nil : $0 }
    }

    func renewal(of claims: AccessTokenClaims, context: AppRequestContext) async -> String? {
        guard tokens.secondsLeft(claims) < window,
            let session = claims.sessionID.flatMap(UUID.init(parsing:)), let userID = UUID(parsing: claims.subject)
        else { return nil }
        do {
            guard try await sessions.isLive(familyID: session), let user = try await users.user(id: userID, on: users.database.client), user.isActive
            else { return nil }
            return try await tokens.accessToken(for: user.id, session: session)
        } catch {
            // A renewal is a courtesy: the request itself already succeeded.
            context.logger.warning("session renewal failed", metadata: ["error": "\(String(reflecting: error))"])
            return nil
        }
    }
}
