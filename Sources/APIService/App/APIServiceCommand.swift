import ArgumentParser
import Core
import Hummingbird
import Logging

@main
struct APIServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "APIService",
        abstract: "Nova-XFinity API service, port 3001 by default.",
        subcommands: [Serve.self, Migrate.self],
        defaultSubcommand: Serve.self
    )

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the HTTP server (the default).")

        func run() async throws {
            let config = try loadConfiguration { try APIConfig() }
            LoggingSetup.bootstrap(json: config.core.jsonLogs, level: config.core.logLevel)
            MemoryTuning.apply()
            let app = try await buildAPIApplication(config: config)
            try await app.runService()
        }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply schema.sql to DATABASE_URL and exit.")

        func run() async throws {
            let config = try loadConfiguration { try APIConfig() }
            try await MigrateCommandRunner.run(config: config.core, serviceName: "APIService")
        }
    }
}
