import ArgumentParser
import Core
import Hummingbird
import Logging

@main
struct AuthServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "AuthService",
        abstract: "Nova-XFinity auth service (fastapi-users compatible), port 8000 by default.",
        subcommands: [Serve.self, Migrate.self],
        defaultSubcommand: Serve.self
    )

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the HTTP server (the default).")

        func run() async throws {
            let config = try loadConfiguration { try AuthConfig() }
            LoggingSetup.bootstrap(json: config.core.jsonLogs, level: config.core.logLevel)
            let app = try await buildAuthApplication(config: config)
            try await app.runService()
        }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply schema.sql to DATABASE_URL and exit.")

        func run() async throws {
            let config = try loadConfiguration { try AuthConfig() }
            try await MigrateCommandRunner.run(config: config.core, serviceName: "AuthService")
        }
    }
}
