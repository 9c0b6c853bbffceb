import Core
import Foundation

/// The auth service's settings (see README for every variable).
struct AuthConfig: Sendable {
    var core: CoreConfig
    /// When set, `/api/*` is forwarded there (single-origin setups).
    var apiUpstreamURL: URL?

    init(env: EnvironmentReader = EnvironmentReader()) throws {
        core = try CoreConfig(env: env, defaultPort: 8000)
        apiUpstreamURL = try env.url("API_UPSTREAM_URL")
    }
}
