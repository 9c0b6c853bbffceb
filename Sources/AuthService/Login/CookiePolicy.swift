import Core
import Foundation
import Hummingbird

/// How the auth service's cookies are marked. `Secure` follows the public URL
/// (`AUTH_PUBLIC_URL`): on an https origin always, on a plain-http development origin never,
/// because Safari refuses Secure cookies there and OAuth and refresh would break;
/// `COOKIE_SECURE=true|false` overrides. `COOKIE_DOMAIN` (e.g. `.example.com`) shares them
/// with a frontend on another subdomain; unset, they are host-only.
struct CookiePolicy: Sendable, Equatable {
    var secure: Bool
    var domain: String?

    init(secure: Bool, domain: String? = nil) {
        self.secure = secure
        self.domain = domain
    }

    init(env: EnvironmentReader, publicURL: String) throws {
        let https = publicURL.lowercased().hasPrefix("https://")
        secure = try env.bool("COOKIE_SECURE", default: https)
        if let domain = env.string("COOKIE_DOMAIN")?.trimmingCharacters(in: .whitespaces), !domain.isEmpty {
            guard domain.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }) else {
                throw ConfigError(variable: "COOKIE_DOMAIN", reason: "must be a domain name such as .example.com")
            }
            self.domain = domain
        } else {
            domain = nil
        }
    }

    func cookie(_ name: String, _ value: String, maxAge: Int, path: String, httpOnly: Bool, sameSite: Cookie.SameSite) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, domain: domain, path: path, secure: secure, httpOnly: httpOnly, sameSite: sameSite)
    }
}
