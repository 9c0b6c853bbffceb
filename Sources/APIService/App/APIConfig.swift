import Core
import Crypto

/// The API service's settings (see README, "API service", for every variable).
struct APIConfig: Sendable {
    var core: CoreConfig
    /// `RATE_LIMIT_ENABLED` (default true).
    var rateLimitEnabled: Bool
    /// `RATE_LIMIT_API_PER_MINUTE`: requests per user (or IP when anonymous) and minute.
    var apiRequestsPerMinute: Int
    /// `RATE_LIMIT_GENERATION_PER_MINUTE`: per user and generation family (articles,
    /// media, research); read now so that a bad value fails at start-up.
    var generationRequestsPerMinute: Int
    /// `SUBSCRIPTION_CACHE_TTL_SECONDS` (default 300, at most 300 as API.md allows).
    var subscriptionCacheSeconds: Int
    var billing: BillingConfig
    var ai: AIConfig
    /// `MEDIA_STORAGE` (`disk` or `s3`) and its settings: where media files are stored.
    var mediaStorage: MediaStorageConfig
    /// `MEDIA_URL_TTL_SECONDS`: lifetime of signed file URLs.
    var mediaURLLifetime: Duration
    var geminiImageModel: String
    var geminiSpeechModel: String
    var openAIImageModel: String
    var geminiVideoModel: String
    /// `VIDEO_SYNC_WAIT_SECONDS`: how long POST /media/videos waits for the result.
    var videoSyncWait: Duration
    var videoPollInterval: Duration
    /// `ENCRYPTION_KEY`: seals users' own provider keys (AES-256-GCM).
    var encryptionKey: SymmetricKey
    /// `API_PUBLIC_URL`: where links in e-mails reach the API (through the auth service's
    /// `/api` gateway in the single-origin setup).
    var publicURL: String
    /// `NOTIFICATION_EMAIL_INTERVAL_MS`: how often automatic e-mails are looked for.
    var notificationEmailInterval: Duration
    /// `OUTBOUND_ALLOWED_HOSTS`: `host` or `host:port` entries that users' URLs (WordPress
    /// sites) may name even though they resolve to private addresses, e.g. an intranet
    /// WordPress. Empty by default: only public addresses are called.
    var outboundAllowedHosts: [String]

    init(env: EnvironmentReader = EnvironmentReader()) throws {
        core = try CoreConfig(env: env, defaultPort: 3001)
        rateLimitEnabled = try env.bool("RATE_LIMIT_ENABLED", default: true)
        apiRequestsPerMinute = try env.int("RATE_LIMIT_API_PER_MINUTE", default: 120, range: 1...1_000_000)
        generationRequestsPerMinute = try env.int("RATE_LIMIT_GENERATION_PER_MINUTE", default: 20, range: 1...1_000_000)
        subscriptionCacheSeconds = try env.int("SUBSCRIPTION_CACHE_TTL_SECONDS", default: 300, range: 0...300)
        billing = try BillingConfig(env: env, frontendURL: core.frontendURL)
        ai = try AIConfig(env: env)
        mediaStorage = try MediaStorageConfig(env: env)
        mediaURLLifetime = .seconds(try env.int("MEDIA_URL_TTL_SECONDS", default: 86_400, range: 60...31_536_000))
        geminiImageModel = env.string("GEMINI_IMAGE_MODEL") ?? "gemini-2.5-flash-image"
        geminiSpeechModel = env.string("GEMINI_TTS_MODEL") ?? "gemini-2.5-flash-preview-tts"
        openAIImageModel = env.string("OPENAI_IMAGE_MODEL") ?? "gpt-image-1"
        geminiVideoModel = env.string("GEMINI_VIDEO_MODEL") ?? "veo-3.0-generate-001"
        videoSyncWait = .seconds(try env.int("VIDEO_SYNC_WAIT_SECONDS", default: 20, range: 0...300))
        videoPollInterval = .milliseconds(try env.int("VIDEO_POLL_INTERVAL_MS", default: 10_000, range: 50...600_000))
        let publicURL = try env.url("API_PUBLIC_URL")?.absoluteString ?? "http://localhost:8000"
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        outboundAllowedHosts = env.list("OUTBOUND_ALLOWED_HOSTS") ?? []
        notificationEmailInterval = .milliseconds(try env.int("NOTIFICATION_EMAIL_INTERVAL_MS", default: 5000, range: 50...600_000))
        if let text = env.string("ENCRYPTION_KEY") {
            guard let key = SecretBox.parseKey(text) else {
                throw ConfigError(variable: "ENCRYPTION_KEY", reason: "must be 32 bytes, base64 (44 characters) or hex (64 characters)")
            }
            encryptionKey = key
        } else if core.environment == .production {
            throw ConfigError(variable: "ENCRYPTION_KEY", reason: "required in production (32 bytes, base64 or hex)")
        } else {
            encryptionKey = SecretBox.derivedKey(fromSecret: core.secret)
        }
    }
}
