import Core
import Foundation

/// The auth service's settings (see README for every variable).
struct AuthConfig: Sendable {
    var core: CoreConfig
    /// When set, `/api/*` is forwarded there (single-origin setups).
    var apiUpstreamURL: URL?
    var verificationSecret: String
    var resetPasswordSecret: String
    var mail: MailConfig
    /// bcrypt work factor for new hashes; 10 is the contract, lower only in tests.
    var bcryptCost: UInt8
    var refreshTokenLifetime: Duration
    /// A rotated refresh token presented again within this window gets the same successor
    /// (two tabs refreshing at once); after it, reuse is treated as theft.
    var refreshReuseGrace: Duration
    var maxFailedLogins: Int
    var lockoutDuration: Duration
    var rateLimitEnabled: Bool
    var rateLimitAuthPerMinute: Int
    var rateLimitLoginPerMinute: Int
    var oauth: OAuthConfig
    var cookies: CookiePolicy

    init(env: EnvironmentReader = EnvironmentReader()) throws {
        // The auth service reads users fresher than the API service (5 s instead of 30 s):
        // its own writes invalidate at once, other replicas' writes within 5 s.
        core = try CoreConfig(env: env, defaultPort: 8000, defaultUserCacheSeconds: 5)
        apiUpstreamURL = try env.url("API_UPSTREAM_URL")
        verificationSecret = env.string("USERS_VERIFICATION_TOKEN_SECRET") ?? core.secret
        resetPasswordSecret = env.string("USERS_RESET_PASSWORD_TOKEN_SECRET") ?? core.secret
        mail = try MailConfig(env: env)
        refreshTokenLifetime = .seconds(86_400 * (try env.int("REFRESH_TOKEN_EXPIRE_DAYS", default: 7, range: 1...365)))
        refreshReuseGrace = .seconds(try env.int("REFRESH_TOKEN_REUSE_GRACE_SECONDS", default: 10, range: 0...300))
        maxFailedLogins = try env.int("LOGIN_MAX_FAILED_ATTEMPTS", default: 5, range: 1...1000)
        lockoutDuration = .seconds(60 * (try env.int("LOGIN_LOCKOUT_MINUTES", default: 15, range: 1...10_080)))
        rateLimitEnabled = try env.bool("RATE_LIMIT_ENABLED", default: true)
        rateLimitAuthPerMinute = try env.int("RATE_LIMIT_AUTH_PER_MINUTE", default: 30, range: 1...1_000_000)
        rateLimitLoginPerMinute = try env.int("RATE_LIMIT_LOGIN_PER_MINUTE", default: 10, range: 1...1_000_000)
        oauth = try OAuthConfig(env: env, core: core)
        cookies = try CookiePolicy(env: env, publicURL: oauth.publicURL)
        bcryptCost = UInt8(try env.int("BCRYPT_COST", default: 10, range: (core.environment == .production ? 10 : 4)...15))
    }
}

/// Outgoing mail settings, with the variable names of the replaced service.
struct MailConfig: Sendable {
    enum Security: Equatable, Sendable {
        /// Port 465: TLS from the first byte.
        case implicitTLS
        /// Port 587 (and any port on a non-loopback host): STARTTLS required.
        case startTLS
        /// Plain SMTP, allowed only to a loopback host (a local relay or test server).
        case none
    }

    var enabled: Bool
    var host: String?
    var port: Int
    var username: String?
    var password: String?
    var fromEmail: String
    var fromName: String
    var security: Security
    var verifyCertificates: Bool
    var caFile: String?
    var timeoutSeconds: Int
    /// How often the sender looks for due messages when nothing wakes it.
    var pollInterval: Duration
    var maxAttempts: Int
    /// First retry delay; doubles per attempt up to an hour.
    var retryBase: Duration

    init(env: EnvironmentReader) throws {
        host = env.string("SMTP_HOST")
        port = try env.int("SMTP_PORT", default: 587, range: 1...65535)
        username = env.string(anyOf: ["SMTP_USERNAME", "SMTP_USER"])
        password = env.string("SMTP_PASSWORD")
        fromEmail = env.string(anyOf: ["EMAILS_FROM_EMAIL", "SMTP_FROM"]) ?? "no-reply@nova-xfinity.local"
        fromName = env.string("EMAILS_FROM_NAME") ?? "Nova-XFinity"
        // Mail is on when a host is configured, unless explicitly disabled.
        enabled = try env.bool("EMAILS_ENABLED", default: host != nil)
        if enabled && host == nil {
            throw ConfigError(variable: "SMTP_HOST", reason: "required when EMAILS_ENABLED=true")
        }
        let loopback = host.map { $0 == "localhost" || $0.hasPrefix("127.") || $0 == "::1" } ?? false
        switch port {
        case 465: security = .implicitTLS
        case 587: security = .startTLS
        default: security = loopback ? .none : .startTLS
        }
        // The replaced service's switches, for servers on other ports: SMTP_SSL (TLS from
        // the first byte) and SMTP_TLS (STARTTLS). Plain SMTP stays loopback-only: a
        // password must not cross a network in clear.
        if try env.bool("SMTP_SSL", default: false) {
            security = .implicitTLS
        } else if env.string("SMTP_TLS") != nil {
            if try env.bool("SMTP_TLS", default: true) {
                security = .startTLS
            } else if loopback {
                security = .none
            } else {
                throw ConfigError(variable: "SMTP_TLS", reason: "plain SMTP is allowed to a loopback host only, not \(host ?? "")")
            }
        }
        verifyCertificates = try env.bool("SMTP_TLS_VERIFY", default: true)
        caFile = env.string("SMTP_CA_FILE")
        timeoutSeconds = try env.int("SMTP_TIMEOUT_SECONDS", default: 20, range: 1...300)
        pollInterval = .milliseconds(try env.int("EMAIL_POLL_INTERVAL_MS", default: 5000, range: 50...600_000))
        maxAttempts = try env.int("EMAIL_MAX_ATTEMPTS", default: 30, range: 1...1000)
        retryBase = .milliseconds(try env.int("EMAIL_RETRY_BASE_MS", default: 5000, range: 10...3_600_000))
    }
}
