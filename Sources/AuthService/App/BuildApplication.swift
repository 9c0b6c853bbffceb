import AsyncHTTPClient
import Core
import Hummingbird
import Logging
import NIOPosix
import ServiceLifecycle

/// The composition root, shared by `main` and the tests.
func buildAuthApplication(config: AuthConfig, logger: Logger? = nil) async throws -> some ApplicationProtocol {
    let foundation = try await ServiceFoundation(name: "AuthService", config: config.core, logger: logger)
    let dependencies = try await makeAuthDependencies(config: config, foundation: foundation)
    let router = foundation.makeRouter(renderer: AuthErrorRenderer(), bodyLimitExemptPrefixes: ["/api/"])
    let rateLimits = AuthRateLimits(
        limiter: foundation.rateLimiter, enabled: config.rateLimitEnabled, perIPPerMinute: config.rateLimitAuthPerMinute,
        loginPerAccountPerMinute: config.rateLimitLoginPerMinute)
    router.add(
        middleware: AuthServiceMiddleware(
            limits: rateLimits,
            renewal: SessionRenewal(
                tokens: dependencies.tokens, sessions: dependencies.refreshTokens, users: dependencies.users, cookies: config.cookies,
                cookieLifetime: config.refreshTokenLifetime)))
    var services: [any Service] = [
        dependencies.changes,
        EmailSender(
            outbox: dependencies.outbox,
            transport: config.mail.enabled
                ? SMTPTransport(config: config.mail) as any MailTransport : LogTransport(logger: foundation.logger),
            pollInterval: config.mail.pollInterval, maxAttempts: config.mail.maxAttempts, retryBase: config.mail.retryBase,
            logger: foundation.logger),
    ]
    var operations: [OpenAPIOperation] = []

    RegisterRoutes(service: RegistrationService(dependencies: dependencies)).register(on: router)
    LoginRoutes(
        service: LoginService(dependencies: dependencies), authenticator: dependencies.authenticator, rateLimits: rateLimits,
        accessTokenLifetime: config.core.accessTokenLifetime, refreshTokenLifetime: config.refreshTokenLifetime, cookies: config.cookies
    ).register(on: router)
    PasswordResetRoutes(service: PasswordResetService(dependencies: dependencies)).register(on: router)
    VerificationRoutes(service: VerificationService(dependencies: dependencies)).register(on: router)
    UsersRoutes(service: UserAccountService(dependencies: dependencies), authenticator: dependencies.authenticator).register(on: router)
    let oauthHTTP = HTTPClient(eventLoopGroupProvider: .singleton, configuration: OAuthProviderClient.clientConfiguration)
    services.append(HTTPClientService(client: oauthHTTP))
    OAuthRoutes(
        service: OAuthService(
            dependencies: dependencies, config: config.oauth, client: OAuthProviderClient(http: oauthHTTP, logger: foundation.logger),
            signer: OAuthStateSigner(secret: config.core.secret),
            states: OAuthStateStore(database: foundation.database, lifetime: OAuthRoutes.stateLifetime)),
        rateLimits: rateLimits, frontendURL: config.core.frontendURL, refreshTokenLifetime: config.refreshTokenLifetime, cookies: config.cookies
    ).register(on: router)
    operations +=
        RegisterRoutes.operations + LoginRoutes.operations + PasswordResetRoutes.operations
        + VerificationRoutes.operations + UsersRoutes.operations + OAuthRoutes.operations

    if let upstream = config.apiUpstreamURL {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: APIGateway.clientConfiguration)
        services.append(HTTPClientService(client: client))
        // Not in this document: the API service's own /openapi.json describes /api/* (GatewayRoutes says why).
        GatewayRoutes(gateway: APIGateway(upstream: upstream, client: client)).register(on: router)
    }

    let outbox = dependencies.outbox
    let business = BusinessMetrics(registry: foundation.metrics)
    let outboxGauges: @Sendable () async -> Void = {
        guard let backlog = try? await outbox.backlog() else { return }
        business.gauge("nova_email_outbox_depth", Double(backlog.depth))
        business.gauge("nova_email_outbox_oldest_age_seconds", backlog.oldestAgeSeconds)
    }
    foundation.addOperationsRoutes(
        to: router, title: "Nova-XFinity Auth", description: "fastapi-users compatible authentication service",
        operations: operations, scrapeGauges: [outboxGauges])
    return foundation.makeApplication(router: router, services: services)
}

func makeAuthDependencies(config: AuthConfig, foundation: ServiceFoundation) async throws -> AuthDependencies {
    let tokens = await TokenService(
        secret: config.core.secret, verificationSecret: config.verificationSecret, resetSecret: config.resetPasswordSecret,
        accessTokenLifetime: config.core.accessTokenLifetime)
    let userCache = CachedUserDirectory(base: PostgresUserDirectory(database: foundation.database), ttl: config.core.userCacheTTL)
    let changes = ChangeFeed(database: foundation.database)
    userCache.follow(changes)
    let users = UserStore(database: foundation.database, cache: userCache)
    return AuthDependencies(
        config: config,
        database: foundation.database,
        tokens: tokens,
        users: users,
        passwords: PasswordHasher(cost: config.bcryptCost),
        outbox: EmailOutbox(database: foundation.database, doorbell: Doorbell()),
        composer: try EmailComposer(frontendURL: config.core.frontendURL),
        // fastapi-users' bearer transport: the Authorization header only.
        authenticator: AccessTokenAuthenticator(tokens: tokens, users: userCache, acceptsCookie: false),
        refreshTokens: RefreshTokenStore(
            database: foundation.database, secret: config.core.secret, lifetime: config.refreshTokenLifetime, grace: config.refreshReuseGrace),
        audit: AuditLog(database: foundation.database),
        changes: changes,
        logger: foundation.logger)
}
