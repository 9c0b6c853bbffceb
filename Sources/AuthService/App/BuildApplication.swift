import AsyncHTTPClient
import Core
import Hummingbird
import Logging
import ServiceLifecycle

/// The composition root, shared by `main` and the tests.
func buildAuthApplication(config: AuthConfig, logger: Logger? = nil) async throws -> some ApplicationProtocol {
    let foundation = try await ServiceFoundation(name: "AuthService", config: config.core, logger: logger)
    let router = foundation.makeRouter(renderer: FastAPIErrorRenderer(), bodyLimitExemptPrefixes: ["/api/"])
    var services: [any Service] = []
    var operations: [OpenAPIOperation] = []

    if let upstream = config.apiUpstreamURL {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: APIGateway.clientConfiguration)
        services.append(HTTPClientService(client: client))
        GatewayRoutes(gateway: APIGateway(upstream: upstream, client: client)).register(on: router)
        operations += GatewayRoutes.operations
    }

    foundation.addOperationsRoutes(
        to: router, title: "Nova-XFinity Auth", description: "fastapi-users compatible authentication service",
        operations: operations)
    return foundation.makeApplication(router: router, services: services)
}
