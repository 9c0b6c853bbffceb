import Foundation
import Logging

/// Settings both services share, read once at start-up. Service-specific settings live
/// in each service's own config type, which embeds this one.
public struct CoreConfig: Sendable {
    public var environment: AppEnvironment
    public var host: String
    public var port: Int
    public var database: DatabaseURL
    public var databasePoolSize: Int
    public var secret: String
    public var corsOrigins: [String]
    public var frontendURL: String
    public var autoMigrate: Bool
    public var maxBodyBytes: Int
    public var logLevel: Logger.Level
    public var jsonLogs: Bool
    public var accessTokenLifetime: Duration
    public var userCacheTTL: Duration
    /// Proxies whose `X-Forwarded-For` is believed (`TRUSTED_PROXIES`, IPs or CIDRs).
    public var trustedProxies: TrustedProxies
    /// Shared cache and rate-limit store; nil: in-process (one instance).
    public var redis: RedisURL?

    /// Used only outside production so that `./scripts/dev` and tests need no setup.
    public static let developmentSecret = "nova-xfinity-development-secret-not-for-production"
    /// Two connections per core, between 4 and 16: the work a request does between its
    /// statements is CPU, so more connections than that only queue inside PostgreSQL. On
    /// 2 cores, 16 concurrent research queries ran at 315/s (p50 51 ms) with 16 connections
    /// and 377/s (p50 41 ms) with 4, and the process kept 6 MiB less (issue #15).
    static var defaultPoolSize: Int { min(16, max(4, 2 * ProcessInfo.processInfo.activeProcessorCount)) }

    public static let developmentDatabaseURL = "postgres://postgres@localhost:5432/nova_xfinity"
    public static let defaultCORSOrigins = ["http://localhost:3000", "http://localhost:5173"]

    /// Values that appear in sample `.env` files and the examples this repository ships
    /// (`deploy/k8s/secret.example.yaml`, the `docker-compose.yml` fallback); running
    /// production with one of them would let anyone mint tokens.
    static let placeholderSecrets: Set<String> = [
        "secret", "changeme", "change-me", "change_me", "changethis", "your-secret-key", "your_secret_key",
        "supersecret", "super-secret", "jwt-secret", "mysecret", "please-change-me", "CHANGE_ME_IN_PRODUCTION",
        "replace-with-openssl-rand-hex-32-output-0000000000000000", "compose-development-secret-change-me-0123456789",
        developmentSecret,
    ].reduce(into: Set<String>()) { $0.insert($1.lowercased()) }

    /// Words that mark a value as an example rather than generated, matched ignoring case,
    /// spaces, `-`, `_` and `.` (so `change-me`, `CHANGE_ME` and `Change Me` all match).
    /// None can occur in hex and is vanishingly unlikely in random base64.
    static let placeholderMarkers = [
        "changeme", "changethis", "replaceme", "replacewith", "example", "placeholder", "development", "dummy",
        "sample", "insecure", "notforproduction", "yoursecret", "testsecret",
    ]

    /// The minimum length of a production secret, in bytes.
    public static let minimumSecretBytes = 32

    /// Why `value` must not be a production secret, or nil when it may be one: shorter than
    /// 32 bytes, a known or shipped example, containing a placeholder marker, fewer than 8
    /// distinct characters, a run of 8 identical characters or a counting sequence of 8
    /// (`00000000`, `01234567`, `abcdefgh`). `openssl rand -hex 32` output passes (the
    /// chance of such a run or sequence in 64 random hex digits is below one in a million).
    /// Services can apply it to their own secret settings.
    public static func productionSecretProblem(_ value: String) -> String? {
        let advice = "generate one with `openssl rand -hex 32`"
        guard value.utf8.count >= minimumSecretBytes else {
            return "must be at least \(minimumSecretBytes) bytes in production (got \(value.utf8.count))"
        }
        let lowered = value.lowercased()
        guard !placeholderSecrets.contains(lowered) else {
            return "is a known placeholder; \(advice)"
        }
        let squeezed = String(lowered.unicodeScalars.filter { !" -_.".unicodeScalars.contains($0) })
        if let marker = placeholderMarkers.first(where: squeezed.contains) {
            return "looks like an example value (contains '\(marker)'); \(advice)"
        }
        let scalars = Array(lowered.unicodeScalars)
        let distinct = Set(scalars).count
        guard distinct >= 8 else {
            return "has too little variety (\(distinct) distinct character\(distinct == 1 ? "" : "s")); \(advice)"
        }
        // Longest stretches of one character repeated and of a counting sequence (step ±1).
        var repeated = 1, counting = 1, step = 0
        var longestRepeated = 1, longestCounting = 1
        for (previous, current) in zip(scalars, scalars.dropFirst()) {
            let difference = Int(current.value) - Int(previous.value)
            repeated = difference == 0 ? repeated + 1 : 1
            if abs(difference) == 1 {
                counting = difference == step ? counting + 1 : 2
                step = difference
            } else {
                counting = 1
                step = 0
            }
            longestRepeated = max(longestRepeated, repeated)
            longestCounting = max(longestCounting, counting)
        }
        guard longestRepeated < 8 else {
            return "repeats one character \(longestRepeated) times in a row; \(advice)"
        }
        guard longestCounting < 8 else {
            return "contains a counting sequence of \(longestCounting) characters; \(advice)"
        }
        return nil
    }

    public init(env: EnvironmentReader, defaultPort: Int, defaultUserCacheSeconds: Int = 30) throws {
        environment = try AppEnvironment.parse(env)
        host = env.string("HOST", default: "0.0.0.0")
        port = try env.int("PORT", default: defaultPort, range: 1...65535)

        if let raw = env.string("DATABASE_URL") {
            database = try DatabaseURL(raw)
        } else if environment == .production {
            throw ConfigError(variable: "DATABASE_URL", reason: "required in production")
        } else {
            database = try DatabaseURL(Self.developmentDatabaseURL)
        }
        databasePoolSize = try env.int("DATABASE_POOL_SIZE", default: Self.defaultPoolSize, range: 1...500)

        if let value = env.string("SECRET") {
            if environment == .production, let problem = Self.productionSecretProblem(value) {
                throw ConfigError(variable: "SECRET", reason: problem)
            }
            secret = value
        } else if environment == .production {
            throw ConfigError(variable: "SECRET", reason: "required in production")
        } else {
            secret = Self.developmentSecret
        }

        let originsVariable = env.string("BACKEND_CORS_ORIGINS") != nil ? "BACKEND_CORS_ORIGINS" : "CORS_ORIGINS"
        corsOrigins = try Self.parseOrigins(env.list(originsVariable) ?? Self.defaultCORSOrigins, variable: originsVariable)

        let frontend = try env.url("FRONTEND_URL")?.absoluteString ?? "http://localhost:3000"
        frontendURL = frontend.hasSuffix("/") ? String(frontend.dropLast()) : frontend
        autoMigrate = try env.bool("AUTO_MIGRATE", default: true)
        maxBodyBytes = try env.int("MAX_BODY_BYTES", default: 1 << 20, range: 1024...(1 << 30))

        let levelName = env.string("LOG_LEVEL", default: environment == .test ? "warning" : "info").lowercased()
        guard let level = Logger.Level(rawValue: levelName == "warn" ? "warning" : levelName) else {
            throw ConfigError(variable: "LOG_LEVEL", reason: "expected trace, debug, info, notice, warning, error or critical, got '\(levelName)'")
        }
        logLevel = level
        switch env.string("LOG_FORMAT")?.lowercased() {
        case nil: jsonLogs = environment == .production
        case "json": jsonLogs = true
        case "text": jsonLogs = false
        case let other?: throw ConfigError(variable: "LOG_FORMAT", reason: "expected json or text, got '\(other)'")
        }
        accessTokenLifetime = .seconds(60 * (try env.int("JWT_ACCESS_TOKEN_EXPIRE_MINUTES", default: 15, range: 1...(60 * 24 * 30))))
        userCacheTTL = .seconds(try env.int("USER_CACHE_TTL_SECONDS", default: defaultUserCacheSeconds, range: 0...30))
        trustedProxies = try TrustedProxies(env.list("TRUSTED_PROXIES") ?? [])
        redis = try env.string("REDIS_URL").map { try RedisURL($0) }
    }

    /// Browsers send exact origins and credentialed CORS forbids `*`, so each entry must
    /// be a bare `scheme://host[:port]`.
    static func parseOrigins(_ values: [String], variable: String) throws -> [String] {
        try values.map { value in
            let trimmed = value.hasSuffix("/") ? String(value.dropLast()) : value
            guard trimmed != "*" else {
                throw ConfigError(variable: variable, reason: "'*' is not allowed with credentials; list the exact origins")
            }
            guard let url = URL(string: trimmed), let scheme = url.scheme, ["http", "https"].contains(scheme),
                url.host != nil, url.path.isEmpty, url.query == nil
            else {
                throw ConfigError(variable: variable, reason: "'\(value)' is not an origin like https://app.example.com")
            }
            return trimmed.lowercased()
        }
    }
}
