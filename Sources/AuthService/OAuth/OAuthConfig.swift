import Core
import Foundation

/// The OAuth providers the service knows. A provider is enabled only when both its client
/// id and secret are set.
enum OAuthProviderID: String, CaseIterable, Sendable {
    case google
    case discord
    case twitter

    /// The prefix of the provider's environment variables.
    var envName: String { rawValue.uppercased() }
}

/// One provider's endpoints and credentials.
struct OAuthProviderConfig: Sendable {
    /// How the client authenticates at the token endpoint.
    enum ClientAuthentication: Sendable {
        /// `client_secret` in the form body (Google, Discord).
        case body
        /// HTTP Basic with id and secret (required by X for confidential clients).
        case basic
    }

    var id: OAuthProviderID
    var clientID: String
    var clientSecret: String
    var authorizeURL: URL
    var tokenURL: URL
    var userInfoURL: URL
    var redirectURI: String
    var scopes: [String]
    var clientAuthentication: ClientAuthentication

    static func defaults(for id: OAuthProviderID) -> (
        authorize: String, token: String, userInfo: String, scopes: [String], auth: ClientAuthentication
    ) {
        switch id {
        case .google:
            return (
                "https://accounts.google.com/o/oauth2/v2/auth", "https://oauth2.googleapis.com/token",
                "https://openidconnect.googleapis.com/v1/userinfo", ["openid", "email", "profile"], .body
            )
        case .discord:
            return (
                "https://discord.com/oauth2/authorize", "https://discord.com/api/oauth2/token", "https://discord.com/api/users/@me",
                ["identify", "email"], .body
            )
        case .twitter:
            // `confirmed_email` needs the `users.email` scope; accounts without one yield
            // `email_not_available` unless they were linked before.
            return (
                "https://x.com/i/oauth2/authorize", "https://api.x.com/2/oauth2/token",
                "https://api.x.com/2/users/me?user.fields=confirmed_email,profile_image_url",
                ["users.read", "tweet.read", "users.email"], .basic
            )
        }
    }
}

/// `GOOGLE_CLIENT_ID` / `_SECRET` / `_REDIRECT_URI`, likewise for DISCORD and TWITTER, and
/// `OAUTH_<PROVIDER>_{AUTHORIZE,TOKEN,USERINFO}_URL` to point a provider elsewhere (tests
/// run the real client against local fakes that way).
struct OAuthConfig: Sendable {
    var providers: [OAuthProviderID: OAuthProviderConfig]
    /// Where the browser reaches this service; the default redirect URIs hang off it.
    var publicURL: String

    init(env: EnvironmentReader, core: CoreConfig) throws {
        let base = try env.url("AUTH_PUBLIC_URL")?.absoluteString ?? "http://localhost:\(core.port)"
        publicURL = base.hasSuffix("/") ? String(base.dropLast()) : base
        providers = [:]
        for id in OAuthProviderID.allCases {
            guard let clientID = env.string("\(id.envName)_CLIENT_ID"), let secret = env.string("\(id.envName)_CLIENT_SECRET") else {
                continue
            }
            let defaults = OAuthProviderConfig.defaults(for: id)
            func endpoint(_ kind: String, _ fallback: String) throws -> URL {
                if let url = try env.url("OAUTH_\(id.envName)_\(kind)_URL") { return url }
                guard let url = URL(string: fallback) else {
                    throw ConfigError(variable: "OAUTH_\(id.envName)_\(kind)_URL", reason: "invalid default")
                }
                return url
            }
            let redirect = try env.url("\(id.envName)_REDIRECT_URI")?.absoluteString ?? "\(publicURL)/auth/\(id.rawValue)/callback"
            providers[id] = OAuthProviderConfig(
                id: id, clientID: clientID, clientSecret: secret,
                authorizeURL: try endpoint("AUTHORIZE", defaults.authorize), tokenURL: try endpoint("TOKEN", defaults.token),
                userInfoURL: try endpoint("USERINFO", defaults.userInfo), redirectURI: redirect, scopes: defaults.scopes,
                clientAuthentication: defaults.auth)
        }
    }
}
