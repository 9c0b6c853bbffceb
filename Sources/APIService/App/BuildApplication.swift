import AsyncHTTPClient
import Core
import Hummingbird
import Logging

/// The composition root, shared by `main` and the tests.
func buildAPIApplication(config: APIConfig, logger: Logger? = nil) async throws -> some ApplicationProtocol {
    let foundation = try await ServiceFoundation(name: "APIService", config: config.core, logger: logger)
    let http = HTTPClient(eventLoopGroupProvider: .singleton)
    let dependencies = APIDependencies(foundation: foundation, config: config, http: http)
    // Uploads and image edits carry files; everything else keeps MAX_BODY_BYTES.
    let router = foundation.makeRouter(
        renderer: EnvelopeErrorRenderer(),
        largerBodyLimits: [
            "/media/upload": MediaRoutes.uploadLimit + (1 << 20), "/tools/upload": MediaRoutes.uploadLimit + (1 << 20),
            // 25 MiB of image as base64 inside JSON.
            "/media/images/edit": 36 << 20, "/media/videos": 36 << 20,
            // 20 MiB of recording as base64 inside JSON.
            "/research/transcribe": 28 << 20, "/research/summarize-video": 28 << 20,
        ])
    router.add(
        middleware: APIRequestMiddleware(
            limit: config.rateLimitEnabled
                ? APIRateLimit(
                    limiter: dependencies.rateLimiter, authenticator: dependencies.authenticator, tokens: dependencies.tokens,
                    perMinute: config.apiRequestsPerMinute) : nil,
            writeGuard: CookieWriteGuard(corsOrigins: config.core.corsOrigins, publicURLs: [config.publicURL, config.core.frontendURL])))
    let collections = apiRouteCollections(dependencies)
    let authentication = APIAuthentication(
        tokens: dependencies.authenticator, keys: PlatformKeyStore(database: dependencies.database),
        access: PlatformKeyAccess(accounts: AccountService(dependencies: dependencies)), users: dependencies.users)
    for prefix in APIPrefixes.all {
        let group = router.group(RouterPath(prefix))
        for collection in collections {
            collection.register(on: group, authentication: collection.requiresAuth ? authentication : nil)
        }
    }
    foundation.addOperationsRoutes(
        to: router, title: "Nova-XFinity API", description: "Content platform API (articles, research, media, plans, credits)",
        operations: collections.flatMap(\.operations), servers: APIPrefixes.all, errorSchema: EnvelopeSchema.error)
    let mailer = NotificationMailer(
        database: foundation.database, renderer: try NotificationMailer.makeRenderer(frontendURL: config.core.frontendURL),
        unsubscribe: dependencies.unsubscribeLinks, interval: config.notificationEmailInterval)
    return foundation.makeApplication(
        router: router, services: [dependencies.changes, HTTPClientService(client: http), mailer, VideoPoller(videos: dependencies.videos)])
}

/// Every feature's routes, in one list so that routes and OpenAPI operations match.
func apiRouteCollections(_ dependencies: APIDependencies) -> [any APIRouteCollection] {
    let accounts = AccountService(dependencies: dependencies)
    let billing = BillingService(dependencies: dependencies, config: dependencies.config.billing, http: dependencies.http)
    return [
        AccountRoutes(service: accounts),
        PublicPlanRoutes(service: accounts),
        SubscriptionRoutes(service: accounts),
        CreditRoutes(service: accounts),
        ReferralRoutes(service: accounts),
        NotificationRoutes(store: NotificationStore(database: dependencies.database)),
        BillingRoutes(service: billing),
        WebhookRoutes(service: billing),
        SettingsRoutes(
            settings: SettingsStore(database: dependencies.database, cache: dependencies.cache),
            keys: dependencies.keys),
        UnsubscribeRoutes(links: dependencies.unsubscribeLinks, settings: SettingsStore(database: dependencies.database, cache: dependencies.cache)),
        SEORoutes(),
        MediaRoutes(service: dependencies.media, videos: dependencies.videos),
        MediaFileRoutes(store: dependencies.media.store, urls: dependencies.media.urls, authenticator: dependencies.authenticator),
        ResearchRoutes(service: ResearchService(generation: dependencies.generation, database: dependencies.database, cache: dependencies.cache)),
        AssistantToolRoutes(generation: dependencies.generation, media: dependencies.media),
        ContentToolRoutes(generation: dependencies.generation),
        MediaUnderstandingRoutes(generation: dependencies.generation),
        PlatformKeyRoutes(
            store: PlatformKeyStore(database: dependencies.database), access: PlatformKeyAccess(accounts: accounts)),
    ] + adminStatsRouteCollections(dependencies, accounts: accounts) + writerRouteCollections(dependencies)
}

/// Usage, stats, feedback and admin routes.
func adminStatsRouteCollections(_ dependencies: APIDependencies, accounts: AccountService) -> [any APIRouteCollection] {
    let database = dependencies.database
    let usage = UsageStore(database: database)
    let reports = AdminReportStore(database: database)
    let catalog: @Sendable () async throws -> [Plan] = { try await accounts.plans() }
    return [
        TokenUsageRoutes(store: usage, recorder: UsageRecorder(database: database)),
        UserStatsRoutes(accounts: accounts, store: usage),
        FeedbackRoutes(store: FeedbackStore(database: database)),
        AdminUserRoutes(
            store: AdminUserStore(
                database: database, readModel: dependencies.readModel,
                userChanged: { [users = dependencies.users] in users.invalidate(id: $0) })),
        AdminReportRoutes(
            reports: reports, settings: dependencies.adminSettings, catalog: catalog,
            platformKeys: [
                "hasGeminiKey": dependencies.config.ai.gemini.apiKey != nil, "hasOpenAIKey": dependencies.config.ai.openai.apiKey != nil,
                "hasClaudeKey": dependencies.config.ai.anthropic.apiKey != nil,
                "hasLlamaKey": dependencies.config.ai.groq.apiKey != nil || dependencies.config.ai.ollama != nil,
            ]),
        AdminStatsRoutes(reports: reports, catalog: catalog),
    ]
}
