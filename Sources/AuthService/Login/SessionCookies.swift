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

    static func set(on response: inout Response, refreshToken: String, lifetime: Duration) {
        let maxAge = Int(lifetime.components.seconds)
        response.setCookie(
            Cookie(name: refreshName, value: refreshToken, maxAge: maxAge, path: refreshPath, secure: true, httpOnly: true, sameSite: .strict))
        response.setCookie(
            Cookie(name: csrfName, value: RefreshTokenStore.newToken(), maxAge: maxAge, path: "/", secure: true, httpOnly: false, sameSite: .strict))
    }

    static func clear(on response: inout Response) {
        response.setCookie(Cookie(name: refreshName, value: "", maxAge: 0, path: refreshPath, secure: true, httpOnly: true, sameSite: .strict))
        response.setCookie(Cookie(name: csrfName, value: "", maxAge: 0, path: "/", secure: true, httpOnly: false, sameSite: .strict))
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
