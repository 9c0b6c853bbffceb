import ArgumentParser
import Foundation
import Logging

/// `migrate`: apply `schema.sql` and exit. Shared by both services' command lines.
public enum MigrateCommandRunner {
    public static func run(config: CoreConfig, serviceName: String) async throws {
        LoggingSetup.bootstrap(json: config.jsonLogs, level: config.logLevel)
        var logger = Logger(label: serviceName)
        logger.logLevel = config.logLevel
        let database = try Database(url: config.database, poolSize: 2, logger: logger)
        try await database.withRunningClient { database in
            try await SchemaMigrator(database: database).migrate()
        }
    }
}

/// A configuration error is an operator's mistake, not a crash: print it and exit 78
/// (EX_CONFIG) so that orchestrators show a readable message.
public func loadConfiguration<T>(_ load: () throws -> T) throws -> T {
    do {
        return try load()
    } catch let error as ConfigError {
        FileHandleOutput.standardError("\(error.description)\n")
        throw ExitCode(78)
    }
}

enum FileHandleOutput {
    static func standardError(_ message: String) {
        FileHandle.standardError.write(Data(message.utf8))
    }
}
