import Core
import Foundation
import HTTPTypes
import Hummingbird

/// API.md, "Cookie-authenticated writes". A browser attaches the `access_token` cookie to
/// requests that any site starts (a form post, a `no-cors` fetch), so a write that the
/// cookie alone authenticates must prove that our own frontend sent it: `X-CSRF-Token`
/// equal to the `csrf_token` cookie (double submit; another site can read neither), or an
/// `Origin` on the allowed list (browsers send `Origin` on every cross-site and same-site
/// POST, PUT, PATCH and DELETE, and a page cannot forge it). Bearer-token and API-key
/// requests are exempt: a browser never adds an `Authorization` header by itself.
///
/// Also: a write with a body must say what the body is. Every API route reads JSON or
/// multipart, and a body without `Content-Type` is what a `no-cors` fetch of a blob sends.
struct CookieWriteGuard: Sendable {
    /// Lowercased `scheme://host[:port]` origins: the CORS list plus the public URLs the
    /// services are reached at (same-origin pages send their own origin).
    let allowedOrigins: Set<String>

    init(corsOrigins: [String], publicURLs: [String]) {
        var origins = Set(corsOrigins.map { $0.lowercased() })
        for url in publicURLs {
            if let origin = Self.origin(of: url) { origins.insert(origin) }
        }
        allowedOrigins = origins
    }

    static let unsafeMethods: Set<HTTPRequest.Method> = [.post, .put, .patch, .delete]

    /// Throws `unsupportedMediaType` or `forbidden` for a write that may not pass.
    func check(_ request: Request, context: AppRequestContext) throws {
        guard Self.unsafeMethods.contains(request.method) else { return }
        if request.headers[.contentType] == nil, Self.hasBody(request) {
            throw CoreError.unsupportedMediaType(expected: "application/json", body: nil)
        }
        if request.headers[.authorization] == nil, let cookie = request.cookies["access_token"]?.value, !cookie.isEmpty,
            !isVouchedFor(request)
        {
            context.logger.notice(
                "cookie-authenticated write refused: no CSRF token and no allowed Origin",
                metadata: [
                    "origin": "\(request.headers[.origin] ?? "none")"
                ])
            throw CoreError.forbidden
        }
    }

    func isVouchedFor(_ request: Request) -> Bool {
        if let origin = request.headers[.origin], allowedOrigins.contains(origin.lowercased()) { return true }
        guard let header = request.headers[.csrfToken], let cookie = request.cookies["csrf_token"]?.value, !cookie.isEmpty else {
            return false
        }
        return ConstantTime.equal(cookie.utf8, header.utf8)
    }

    static func hasBody(_ request: Request) -> Bool {
        if let length = request.headers[.contentLength] { return length != "0" }
        return request.headers[.transferEncoding] != nil
    }

    /// `scheme://host[:port]` of a URL, lowercased, as a browser writes it in `Origin`
    /// (default ports omitted).
    static func origin(of url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host?.lowercased(), !host.isEmpty
        else { return nil }
        if let port = components.port, !(scheme == "http" && port == 80), !(scheme == "https" && port == 443) {
            return "\(scheme)://\(host):\(port)"
        }
        return "\(scheme)://\(host)"
    }
}
