import Core
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

    @Test func productionRejectsWeakOrMissingSecrets() {
        let base = ["ENV": "production", "DATABASE_URL": "postgres://u:p@db.internal:5432/app"]
        expectError(variable: "SECRET", base)
        expectError(variable: "SECRET", base.merging(["SECRET": "short"]) { $1 })
        expectError(variable: "SECRET", base.merging(["SECRET": CoreConfig.developmentSecret]) { $1 })
        expectError(variable: "SECRET", base.merging(["SECRET": "CHANGE_ME_IN_PRODUCTION"]) { $1 })
        #expect(throws: Never.self) { try config(base.merging(["SECRET": String(repeating: "k", count: 32)]) { $1 }) }
    }

    @Test func productionRequiresDatabaseURL() {
        expectError(variable: "DATABASE_URL", ["ENV": "production", "SECRET": String(repeating: "x", count: 40)])
    }

    @Test func productionLogsJSON() throws {
        let config = try config(["ENV": "production", "SECRET": String(repeating: "x", count: 40), "DATABASE_URL": "postgres://a@b/c"])
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
