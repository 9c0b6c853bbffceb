import Core
import Foundation
import Hummingbird

/// The browser side of a session: the refresh token in an HttpOnly cookie scoped to
/// `/auth/jwt`, and the double-submit CSRF token in a cookie the frontend can read and echo
/// in `X-CSRF-Token`.
enum SessionCookies {
    static let refreshName = "refresh_token"
    static let csrfName = "csrf_token"
    static let refreshPath = "/auth/jwt"

    /// The frontend's own cookie (FE/context/AuthContext.js L131-138): the access token,
    /// readable by its JavaScript, renewed by `SessionRenewal`.
    static let accessName = "access_token"

    static func set(on response: inout Response, refreshToken: String, lifetime: Duration, policy: CookiePolicy) {
        let maxAge = Int(lifetime.components.seconds)
        response.setCookie(policy.cookie(refreshName, refreshToken, maxAge: maxAge, path: refreshPath, httpOnly: true, sameSite: .strict))
        response.setCookie(policy.cookie(csrfName, RefreshTokenStore.newToken(), maxAge: maxAge, path: "/", httpOnly: false, sameSite: .strict))
    }

    static func clear(on response: inout Response, policy: CookiePolicy) {
        response.setCookie(policy.cookie(refreshName, "", maxAge: 0, path: refreshPath, httpOnly: true, sameSite: .strict))
        response.setCookie(policy.cookie(csrfName, "", maxAge: 0, path: "/", httpOnly: false, sameSite: .strict))
    }

    /// Double-submit check for requests that authenticate with a cookie: the header must
    /// equal the cookie. A cross-site page can make the browser send the cookie but can
    /// neither read it nor set the header.
    static func requireCSRF(_ request: Request) throws {
        guard let cookie = request.cookies[csrfName]?.value, !cookie.isEmpty, let header = request.headers[.csrfToken],
            ConstantTime.equal(cookie.utf8, header.utf8)
        else { throw AuthError.csrfTokenInvalid }
    }

}

extension RequestOrigin {
    init(_ request: Request, _ context: AppRequestContext) {
        self.init(ip: context.clientIP, userAgent: request.headers[.userAgent].map { String($0.prefix(512)) })
    }
}
