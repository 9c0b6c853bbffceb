import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// What every service is built on: configuration, logger, database, tokens and metrics,
/// created once by the composition root and handed to features explicitly.
public struct ServiceFoundation: Sendable {
    public let name: String
    public let config: CoreConfig
    public let logger: Logger
    public let database: Database
    public let tokens: TokenService
    public let metrics: PrometheusCollectorRegistry
    /// Redis when `REDIS_URL` is set.
    public let redis: RedisClient?
    public let rateLimiter: any RateLimiter
    public let cache: any KeyValueCache

    public init(name: String, config: CoreConfig, logger: Logger? = nil) async throws {
        var logger = logger ?? Logger(label: name)
        logger.logLevel = config.logLevel
        self.name = name
        self.config = config
        self.logger = logger
        self.database = try Database(url: config.database, poolSize: config.databasePoolSize, logger: logger)
        self.tokens = await TokenService(secret: config.secret, accessTokenLifetime: config.accessTokenLifetime)
        self.metrics = PrometheusCollectorRegistry()
        (self.redis, self.rateLimiter, self.cache) = Self.makeStore(config: config, logger: logger)
    }

    static func makeStore(config: CoreConfig, logger: Logger) -> (RedisClient?, any RateLimiter, any KeyValueCache) {
        guard let url = config.redis else { return (nil, InMemoryRateLimiter(), InMemoryKeyValueCache()) }
        let redis = RedisClient(url: url, logger: logger)
        return (redis, RedisRateLimiter(redis: redis), RedisKeyValueCache(redis: redis))
    }

    public init(name: String, config: CoreConfig, logger: Logger, database: Database, tokens: TokenService) {
        self.name = name
        self.config = config
        self.logger = logger
        self.database = database
        self.tokens = tokens
        self.metrics = PrometheusCollectorRegistry()
        (self.redis, self.rateLimiter, self.cache) = Self.makeStore(config: config, logger: logger)
    }

    /// A router with the shared middleware stack (`ServiceMiddleware`: request id, metrics
    /// and logs, security headers, CORS, error rendering, body limit). Features add routes
    /// after this (Hummingbird applies middleware to routes added later).
    public func makeRouter(
        renderer: any ErrorRenderer, bodyLimitExemptPrefixes: [String] = [], largerBodyLimits: [String: Int] = [:]
    ) -> Router<AppRequestContext> {
        // HEAD is answered wherever GET is, as Starlette does.
        let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(
            middleware: ServiceMiddleware(
                trustedProxies: config.trustedProxies, metrics: RequestMetrics(registry: metrics),
                cors: CORSPolicy(allowedOrigins: config.corsOrigins),
                renderer: renderer,
                bodyLimits: BodyLimits(limit: config.maxBodyBytes, exemptPrefixes: bodyLimitExemptPrefixes, largerLimits: largerBodyLimits)))
        return router
    }

    /// Registers `/health`, `/ready`, `/metrics` and `/openapi.json`.
    /// With `servers`, `operations` are relative to each of them (the document lists each
    /// path once; the router serves it under every server).
    public func addOperationsRoutes(
        to router: Router<AppRequestContext>, title: String, description: String, operations: [OpenAPIOperation],
        servers: [String] = [], errorSchema: JSONValue? = nil,
        extraChecks: [any ReadinessCheck] = [], scrapeGauges: [@Sendable () async -> Void] = []
    ) {
        let root =
            servers.isEmpty
            ? OperationsRoutes.operations
            : OperationsRoutes.operations.map { operation in
                var copy = operation
                copy.servers = ["/"]
                return copy
            }
        let document = OpenAPIDocument.build(
            title: title, version: Self.version, description: description, operations: root + operations, servers: servers,
            errorSchema: errorSchema)
        let served =
            servers.isEmpty
            ? operations
            : servers.flatMap { server in
                operations.map { operation in
                    var copy = operation
                    copy.path = server + operation.path
                    return copy
                }
            }
        MethodNotAllowedRoutes.register(on: router, operations: OperationsRoutes.operations + served)
        let redisCheck: [any ReadinessCheck] = redis.map { [RedisReadinessCheck(redis: $0)] } ?? []
        // Which build answers, and whether the shared store is in use or the in-process fallback.
        let business = BusinessMetrics(registry: metrics)
        business.gauge("nova_build_info", 1, labels: [("service", name), ("version", Self.version)])
        let redis = self.redis
        let redisGauge: @Sendable () async -> Void = {
            business.gauge("nova_redis_configured", redis == nil ? 0 : 1)
            business.gauge("nova_redis_available", redis?.isHealthy == true ? 1 : 0)
        }
        OperationsRoutes(
            checks: [DatabaseReadinessCheck(database: database)] + redisCheck + extraChecks, registry: metrics, openAPI: document,
            scrapeGauges: [redisGauge] + scrapeGauges
        ).register(on: router)
    }

    /// The application: the router plus the database pool (and any other service) run
    /// together, the schema applied before the server accepts requests.
    public func makeApplication(
        router: Router<AppRequestContext>, services: [any Service] = [], beforeServerStarts: [@Sendable () async throws -> Void] = []
    ) -> some ApplicationProtocol {
        var app = Application(
            router: router,
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: name),
            services: [database.client] + (redis.map { [RedisClientService(redis: $0)] } ?? []) + services,
            logger: logger
        )
        if config.autoMigrate {
            let migrator = SchemaMigrator(database: database)
            app.beforeServerStarts { try await migrator.migrate() }
        }
        for process in beforeServerStarts {
            app.beforeServerStarts(perform: process)
        }
        return app
    }

    public static let version = "1.0.0"
}

extension Database {
    /// Runs `body` with the pool's `run()` active, for one-shot commands (`migrate`,
    /// `create-admin`) that have no server around them.
    public func withRunningClient<T: Sendable>(_ body: @Sendable (Database) async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(self)
        }
    }
}
