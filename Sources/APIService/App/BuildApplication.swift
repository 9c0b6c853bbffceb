import Core
import Hummingbird
import Logging

/// The composition root, shared by `main` and the tests.
func buildAPIApplication(config: APIConfig, logger: Logger? = nil) async throws -> some ApplicationProtocol {
    let foundation = try await ServiceFoundation(name: "APIService", config: config.core, logger: logger)
    let router = foundation.makeRouter(renderer: EnvelopeErrorRenderer())
    foundation.addOperationsRoutes(
        to: router, title: "Nova-XFinity API", description: "Content platform API (articles, research, media, plans, credits)",
        operations: [])
    return foundation.makeApplication(router: router)
}
