import AsyncHTTPClient
import Core
import Foundation
import Logging

/// Everything the API service's features need, built once by the composition root and
/// passed explicitly (no singletons).
struct APIDependencies: Sendable {
    let config: APIConfig
    let database: Database
    let tokens: TokenService
    let authenticator: AccessTokenAuthenticator
    /// The authenticator's user cache (≤ 30 s), also for platform-key callers.
    let users: CachedUserDirectory
    let cache: any KeyValueCache
    let secretBox: SecretBox
    let unsubscribeLinks: UnsubscribeLinks
    let rateLimiter: any RateLimiter
    let subscriptionCache: SubscriptionCache
    let reservations: CreditReservations
    let logger: Logger
    /// Outgoing HTTP (payment providers, later AI providers), shut down with the app.
    let http: HTTPClient

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
        self.rateLimiter = foundation.rateLimiter
        self.subscriptionCache = SubscriptionCache(cache: foundation.cache, ttl: .seconds(config.subscriptionCacheSeconds))
        self.reservations = CreditReservations(database: foundation.database, cache: subscriptionCache)
    }

    func transaction<T: Sendable>(_ body: @Sendable (any SQLRunner) async throws -> T) async throws -> T {
        try await database.transaction(body)
    }
}
