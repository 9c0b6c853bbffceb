import AsyncHTTPClient
import Core
import Foundation
import Logging

/// Everything the API service's features need, built once by the composition root and
/// passed explicitly (no singletons). A class: every feature's service holds it, and
/// copying a struct of these two dozen stores retained each of them at every copy, on
/// every request (issue #15).
final class APIDependencies: Sendable {
    let config: APIConfig
    let database: Database
    let tokens: TokenService
    let authenticator: AccessTokenAuthenticator
    /// The authenticator's user cache (≤ 30 s), also for platform-key callers.
    let users: CachedUserDirectory
    let cache: any KeyValueCache
    let secretBox: SecretBox
    let unsubscribeLinks: UnsubscribeLinks
    let ai: AIProviderCatalog
    /// Provider failure counts and cooldowns, shared by every request of this process.
    let providerHealth = ProviderHealth()
    let rateLimiter: any RateLimiter
    /// Announces row changes from PostgreSQL; run as a service by the application.
    let changes: ChangeFeed
    /// Subscriptions, balances, usage and plans as the account screens show them.
    let readModel: AccountReadModel
    /// The platform's AI settings and prices, read by every generation and the admin screens.
    let adminSettings: AdminSettingsStore
    /// Users' own provider keys, shared by the key routes and every generation.
    let keys: ProviderKeyStore
    let reservations: CreditReservations
    /// Per user and generation family; nil when `RATE_LIMIT_ENABLED=false`.
    let generationRateLimit: GenerationRateLimit?
    let logger: Logger
    /// Provider attempts and credit holds, for `/metrics`.
    let business: BusinessMetrics
    /// Outgoing HTTP (payment providers, later AI providers), shut down with the app.
    let http: HTTPClient
    /// The one way to spend credits on AI work (see `GenerationService`).
    let generation: GenerationService
    let media: MediaService
    let videos: VideoService

    init(foundation: ServiceFoundation, config: APIConfig, http: HTTPClient = .shared) {
        self.http = http
        self.config = config
        self.database = foundation.database
        self.tokens = foundation.tokens
        self.logger = foundation.logger
        let users = CachedUserDirectory(base: PostgresUserDirectory(database: foundation.database), ttl: config.core.userCacheTTL)
        self.authenticator = AccessTokenAuthenticator(tokens: foundation.tokens, users: users, acceptsCookie: true)
        self.users = users
        self.cache = foundation.cache
        self.secretBox = SecretBox(key: config.encryptionKey)
        self.unsubscribeLinks = UnsubscribeLinks(secret: config.core.secret, baseURL: config.publicURL)
        self.ai = AIProviderCatalog(config: config.ai, client: http, logger: foundation.logger)
        self.rateLimiter = foundation.rateLimiter
        let changes = ChangeFeed(database: foundation.database)
        self.changes = changes
        self.readModel = AccountReadModel(feed: changes, ttl: .seconds(config.subscriptionCacheSeconds))
        let adminSettings = AdminSettingsStore(
            database: foundation.database,
            cache: ReadModelCache(ttl: .seconds(config.subscriptionCacheSeconds), maxEntries: 1, isLive: { changes.isLive }))
        self.adminSettings = adminSettings
        let sealedKeys = ReadModelCache<UUID, [String: [UInt8]]>(ttl: .seconds(config.subscriptionCacheSeconds), isLive: { changes.isLive })
        users.follow(changes)
        changes.observe { change in
            if AdminSettingsStore.isStale(after: change) { adminSettings.cache?.invalidateAll() }
            switch change {
            case .row("user_provider_keys", let id): sealedKeys.invalidate(id)
            case .everything: sealedKeys.invalidateAll()
            default: break
            }
        }
        self.business = BusinessMetrics(registry: foundation.metrics)
        self.generationRateLimit =
            config.rateLimitEnabled
            ? GenerationRateLimit(limiter: foundation.rateLimiter, perMinute: config.generationRequestsPerMinute) : nil
        self.reservations = CreditReservations(
            database: foundation.database, readModel: readModel, rateLimit: generationRateLimit, metrics: business)
        // Built once here, so that every route collection and the video poller share them.
        let keys = ProviderKeyStore(database: database, box: secretBox, sealedKeys: sealedKeys)
        self.keys = keys
        let recorder = UsageRecorder(database: database, metrics: business)
        let providerHTTP = ProviderHTTP(client: http, timeout: config.ai.timeout, logger: logger)
        self.generation = GenerationService(
            reservations: reservations, logger: logger, catalog: ai, health: providerHealth, keys: keys,
            settings: SettingsStore(database: database, cache: cache), admin: adminSettings, recorder: recorder)
        let media = MediaService(
            reservations: reservations, logger: logger,
            generators: MediaGenerators(
                config: config.ai, http: providerHTTP, imageModel: config.geminiImageModel, openAIImageModel: config.openAIImageModel,
                speechModel: config.geminiSpeechModel),
            store: MediaStore(database: database, storage: config.mediaStorage.make(http: http)),
            urls: SignedMediaURLs(secret: config.core.secret, baseURL: config.publicURL, lifetime: config.mediaURLLifetime),
            keys: keys, recorder: recorder)
        self.media = media
        self.videos = VideoService(
            media: media, database: database, config: config.ai, http: providerHTTP,
            // A video may take several minutes: its hold must outlive the usual 15.
            reservations: CreditReservations(
                database: database, readModel: readModel, holdLifetime: .seconds(45 * 60), rateLimit: generationRateLimit, metrics: business),
            model: config.geminiVideoModel, syncWait: config.videoSyncWait, pollInterval: config.videoPollInterval)
    }

    func transaction<T: Sendable>(_ body: @Sendable (any SQLRunner) async throws -> T) async throws -> T {
        try await database.transaction(body)
    }
}
