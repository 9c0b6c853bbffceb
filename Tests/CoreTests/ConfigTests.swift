import Core
import Foundation
import TestSupport
import Testing

@Suite struct ConfigTests {
    func config(_ values: [String: String], port: Int = 8000) throws -> CoreConfig {
        try CoreConfig(env: EnvironmentReader(values), defaultPort: port)
    }

    func expectError(variable: String, _ values: [String: String]) {
        #expect(throws: ConfigError.self) { try config(values) }
        do {
            _ = try config(values)
        } catch let error as ConfigError {
            #expect(error.variable == variable)
            #expect(error.description.contains(variable))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func developmentDefaultsNeedNoConfiguration() throws {
        let config = try config([:], port: 3001)
        #expect(config.environment == .development)
        #expect(config.port == 3001)
        #expect(config.host == "0.0.0.0")
        #expect(config.secret == CoreConfig.developmentSecret)
        #expect(config.corsOrigins == ["http://localhost:3000", "http://localhost:5173"])
        #expect(config.frontendURL == "http://localhost:3000")
        #expect(config.autoMigrate)
        #expect(config.maxBodyBytes == 1 << 20)
        #expect(config.accessTokenLifetime == .seconds(15 * 60))
        #expect(config.jsonLogs == false)
    }

    @Test func badPortNamesTheVariable() {
        expectError(variable: "PORT", ["PORT": "abc"])
        expectError(variable: "PORT", ["PORT": "70000"])
    }

    @Test func malformedDatabaseURLNamesTheVariable() {
        expectError(variable: "DATABASE_URL", ["DATABASE_URL": "mysql://u@h/db"])
        expectError(variable: "DATABASE_URL", ["DATABASE_URL": "postgres://user@host"])
        expectError(variable: "DATABASE_URL", ["DATABASE_URL": "not a url at all"])
    }

    /// `openssl rand -hex 32` output, as an operator would set it.
    static let strongSecret = "718f9865e5f1f63d102457172d1d24a91918171826f0d3ba84191de13cfad612"
    static let production = ["ENV": "production", "DATABASE_URL": "postgres://u:p@db.internal:5432/app"]

    /// Production start-up fails on `secret`, naming SECRET.
    func expectRefusedInProduction(
        _ secret: String, environment: String = "production", _ comment: Comment? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let values = Self.production.merging(["ENV": environment, "SECRET": secret]) { $1 }
        do {
            _ = try config(values)
            let context = comment.map { " (\($0))" } ?? ""
            Issue.record("\(environment) accepted SECRET '\(secret)'\(context)", sourceLocation: sourceLocation)
        } catch let error as ConfigError {
            #expect(error.variable == "SECRET", comment, sourceLocation: sourceLocation)
            #expect(error.description.hasPrefix("invalid configuration: SECRET: "), comment, sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func productionRejectsWeakOrMissingSecrets() {
        let base = Self.production
        expectError(variable: "SECRET", base)
        expectError(variable: "SECRET", base.merging(["SECRET": "short"]) { $1 })
        expectError(variable: "SECRET", base.merging(["SECRET": CoreConfig.developmentSecret]) { $1 })
        expectError(variable: "SECRET", base.merging(["SECRET": "CHANGE_ME_IN_PRODUCTION"]) { $1 })
        #expect(throws: Never.self) { try config(base.merging(["SECRET": Self.strongSecret]) { $1 }) }
    }

    /// Every SECRET the repository ships (deploy manifests, compose), read from the files
    /// themselves: a new example that production would accept fails here.
    @Test func productionRefusesEveryExampleSecretInTheRepository() throws {
        let examples = try RepositoryExamples.values(of: "SECRET")
        try #require(examples.contains { $0.file == "deploy/k8s/secret.example.yaml" }, "no SECRET found in secret.example.yaml")
        try #require(examples.contains { $0.file == "docker-compose.yml" }, "no SECRET fallback found in docker-compose.yml")
        for example in examples {
            expectRefusedInProduction(example.value, "\(example.file): \(example.value)")
            expectRefusedInProduction(example.value.uppercased(), "\(example.file), upper-cased")
        }
        expectRefusedInProduction(CoreConfig.developmentSecret)
        expectRefusedInProduction(testSecret)
        // The other production spellings of ENV tighten the same way.
        expectRefusedInProduction(examples[0].value, environment: "prod")
        expectRefusedInProduction(examples[0].value, environment: "staging")
    }

    @Test func productionRefusesPlaceholderMarkers() {
        let random = Self.strongSecret
        for marker in [
            "change-me", "changeme", "change_me", "CHANGE-ME", "Change Me", "replace-me", "replace_me", "replace-with",
            "example", "placeholder", "development", "Dummy", "sample", "insecure",
        ] {
            expectRefusedInProduction(String(random.prefix(20)) + marker + String(random.suffix(20)), "\(marker)")
        }
        expectRefusedInProduction("replace-with-openssl-rand-hex-32-output-" + String(Self.strongSecret.prefix(16)))
        expectRefusedInProduction("your-secret-key-" + Self.strongSecret)
    }

    @Test func productionRefusesShortOrLowVarietySecrets() {
        expectRefusedInProduction(String(Self.strongSecret.prefix(31)))
        expectRefusedInProduction(String(repeating: "k", count: 32))
        expectRefusedInProduction(String(repeating: "x", count: 64))
        expectRefusedInProduction(String(repeating: "ab", count: 32))
        expectRefusedInProduction(String(repeating: "abc123", count: 8))
        expectRefusedInProduction("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
        // A long run of one character or a counting sequence inside otherwise random text.
        expectRefusedInProduction(String(Self.strongSecret.prefix(24)) + "0000000000000000")
        expectRefusedInProduction(String(Self.strongSecret.prefix(24)) + "0123456789abcdef")
        expectRefusedInProduction(String(Self.strongSecret.prefix(24)) + "zyxwvutsrqponmlk")
    }

    @Test func productionAcceptsRandomSecrets() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let hex = bytes.map { String(format: "%02x", $0) }.joined()
            let config = try config(Self.production.merging(["SECRET": hex]) { $1 })
            #expect(config.secret == hex)
        }
        for secret in [
            Self.strongSecret, Self.strongSecret.uppercased(), "dZRS3uvfLw5mHKf7gcl2/U0DXK9VKBq8UKh8oOgmrzg=",
            "q7Vx2-LmP9_rT4kWz8NcJ3hYb6FsDg1e",
        ] {
            #expect(try config(Self.production.merging(["SECRET": secret]) { $1 }).secret == secret)
        }
    }

    /// `./scripts/dev`, compose without ENV and the test suites keep working on the
    /// shipped values.
    @Test func developmentAndTestAcceptTheExampleSecrets() throws {
        let examples = try RepositoryExamples.values(of: "SECRET").map(\.value)
        for environment in ["development", "test"] {
            for secret in examples + [CoreConfig.developmentSecret, testSecret, "short", String(repeating: "k", count: 32)] {
                #expect(try config(["ENV": environment, "SECRET": secret]).secret == secret, "\(environment): \(secret)")
            }
            #expect(try config(["ENV": environment]).secret == CoreConfig.developmentSecret)
        }
    }

    /// APIConfig refuses an ENCRYPTION_KEY that is not 32 bytes (base64 or hex) in every
    /// environment; every shipped example must be one of those.
    @Test func exampleEncryptionKeysAreNotUsableKeys() throws {
        let examples = try RepositoryExamples.values(of: "ENCRYPTION_KEY")
        try #require(examples.contains { $0.file == "deploy/k8s/secret.example.yaml" })
        for example in examples {
            #expect(SecretBox.parseKey(example.value) == nil, "\(example.file): \(example.value)")
        }
    }

    @Test func productionRequiresDatabaseURL() {
        expectError(variable: "DATABASE_URL", ["ENV": "production", "SECRET": Self.strongSecret])
    }

    @Test func productionLogsJSON() throws {
        let config = try config(["ENV": "production", "SECRET": Self.strongSecret, "DATABASE_URL": "postgres://a@b/c"])
        #expect(config.jsonLogs)
    }

    @Test func corsOriginsAreExactAndNeverWildcard() throws {
        let config = try config(["BACKEND_CORS_ORIGINS": "https://app.example.com, http://localhost:3000/"])
        #expect(config.corsOrigins == ["https://app.example.com", "http://localhost:3000"])
        let alias = try self.config(["CORS_ORIGINS": "https://a.example"])
        #expect(alias.corsOrigins == ["https://a.example"])
        expectError(variable: "BACKEND_CORS_ORIGINS", ["BACKEND_CORS_ORIGINS": "*"])
        expectError(variable: "CORS_ORIGINS", ["CORS_ORIGINS": "https://a.example/path"])
    }

    @Test func booleansAndIntegersAreChecked() {
        expectError(variable: "AUTO_MIGRATE", ["AUTO_MIGRATE": "maybe"])
        expectError(variable: "JWT_ACCESS_TOKEN_EXPIRE_MINUTES", ["JWT_ACCESS_TOKEN_EXPIRE_MINUTES": "0"])
        expectError(variable: "LOG_LEVEL", ["LOG_LEVEL": "loud"])
        expectError(variable: "FRONTEND_URL", ["FRONTEND_URL": "localhost:3000"])
    }

    @Test func blankValuesCountAsUnset() throws {
        let config = try config(["PORT": "", "SECRET": "  ", "AUTO_MIGRATE": ""])
        #expect(config.port == 8000)
        #expect(config.secret == CoreConfig.developmentSecret)
        #expect(config.autoMigrate)
    }
}

/// Values the repository's deploy files give a variable, commented-out lines included:
/// `KEY: value` and `- {name: KEY, value: value}` in every YAML file under deploy/k8s and
/// in docker-compose.yml, with compose's `${KEY:-fallback}` read as its fallback.
enum RepositoryExamples {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func values(of key: String) throws -> [(file: String, value: String)] {
        let manifests = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("deploy/k8s").path)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { "deploy/k8s/" + $0 }
        var found: [(file: String, value: String)] = []
        for file in manifests + ["docker-compose.yml"] {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(whereSeparator: \.isNewline) {
                if let value = value(of: key, in: String(line)) { found.append((file, value)) }
            }
        }
        return found
    }

    static func value(of key: String, in line: String) -> String? {
        var text = Substring(line.trimmingCharacters(in: .whitespaces))
        while text.hasPrefix("#") || text.hasPrefix("-") { text = text.dropFirst().drop { $0 == " " } }
        var raw: Substring
        if text.hasPrefix(key + ":") {
            raw = text.dropFirst(key.count + 1)
        } else if text.hasPrefix("{"), text.contains("name: \(key),"), let range = text.range(of: "value:") {
            raw = text[range.upperBound...].prefix { $0 != "}" }
        } else {
            return nil
        }
        if let comment = raw.range(of: " #") { raw = raw[..<comment.lowerBound] }
        var value = raw.trimmingCharacters(in: .whitespaces)
        if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
            value = String(value.dropFirst().dropLast())
        }
        if value.hasPrefix("${"), value.hasSuffix("}") {
            let inner = value.dropFirst(2).dropLast()
            guard !inner.contains("?"), let range = inner.range(of: ":-") ?? inner.range(of: "-") else { return nil }
            value = String(inner[range.upperBound...])
        }
        return value.isEmpty ? nil : value
    }
}

@Suite struct DatabaseURLTests {
    @Test func parsesTheUsualForms() throws {
        let url = try DatabaseURL("postgresql+asyncpg://nova:s%40cret@db.example.com:6543/app?sslmode=require")
        #expect(url.endpoint == .tcp(host: "db.example.com", port: 6543))
        #expect(url.username == "nova")
        #expect(url.password == "s@cret")
        #expect(url.database == "app")
        #expect(url.sslMode == .require)
    }

    @Test func loopbackDefaultsToNoTLSAndRemoteToPrefer() throws {
        #expect(try DatabaseURL("postgres://u@127.0.0.1/db").sslMode == .disable)
        #expect(try DatabaseURL("postgres://u@localhost/db").sslMode == .disable)
        #expect(try DatabaseURL("postgres://u@db.internal/db").sslMode == .prefer)
        #expect(try DatabaseURL("postgres://u@127.0.0.1/db").endpoint == .tcp(host: "127.0.0.1", port: 5432))
    }

    @Test func unixSocketDirectory() throws {
        let url = try DatabaseURL("postgres://postgres@/nova?host=/var/run/postgresql&port=5433")
        #expect(url.endpoint == .unixSocket(path: "/var/run/postgresql/.s.PGSQL.5433"))
    }

    @Test func rejectsUnknownSSLMode() {
        #expect(throws: ConfigError.self) { try DatabaseURL("postgres://u@h/db?sslmode=sometimes") }
    }
}
