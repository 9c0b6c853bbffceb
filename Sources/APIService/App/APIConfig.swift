import Core

/// The API service's settings (see README for every variable).
struct APIConfig: Sendable {
    var core: CoreConfig

    init(env: EnvironmentReader = EnvironmentReader()) throws {
        core = try CoreConfig(env: env, defaultPort: 3001)
    }
}
