import ArgumentParser
import Core
import Hummingbird
import Logging

@main
struct AuthServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "AuthService",
        abstract: "Nova-XFinity auth service (fastapi-users compatible), port 8000 by default.",
        subcommands: [Serve.self, Migrate.self, CreateAdmin.self],
        defaultSubcommand: Serve.self
    )

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the HTTP server (the default).")

        func run() async throws {
            let config = try loadConfiguration { try AuthConfig() }
            LoggingSetup.bootstrap(json: config.core.jsonLogs, level: config.core.logLevel)
            MemoryTuning.apply()
            let app = try await buildAuthApplication(config: config)
            try await app.runService()
        }
    }

    struct CreateAdmin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create-admin", abstract: "Create or promote an active, verified superuser (idempotent).")

        @Option(help: "The admin's e-mail address.") var email: String
        @Option(help: "The admin's password (at least 8 characters).") var password: String

        func run() async throws {
            let config = try loadConfiguration { try AuthConfig() }
            LoggingSetup.bootstrap(json: config.core.jsonLogs, level: config.core.logLevel)
            var logger = Logger(label: "AuthService")
            logger.logLevel = config.core.logLevel
            do {
                switch try await AdminBootstrap.run(config: config, email: email, password: password, logger: logger) {
                case .created(let id): print("created admin \(email) (\(id.lowercasedString))")
                case .promoted(let id): print("\(email) (\(id.lowercasedString)) is an admin")
                }
            } catch let failure as AdminBootstrap.ValidationFailure {
                throw ValidationError(failure.message)
            }
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
