/// Where the process runs. Production tightens the rules (secrets, log format).
public enum AppEnvironment: String, Sendable {
    case development
    case test
    case production

    static func parse(_ env: EnvironmentReader) throws -> AppEnvironment {
        let name = env.string(anyOf: ["ENV", "ENVIRONMENT"]) ?? "development"
        switch name.lowercased() {
        case "development", "dev", "local": return .development
        case "test", "testing", "ci": return .test
        case "production", "prod", "staging": return .production
        default:
            throw ConfigError(variable: "ENV", reason: "expected development, test or production, got '\(name)'")
        }
    }
}
