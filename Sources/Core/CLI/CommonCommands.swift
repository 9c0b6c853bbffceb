import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix

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

/// Runs Swift concurrency's jobs on NIO's event loops instead of a separate thread pool.
/// Without it every request hops between the two pools (a handler awaits, its job goes to
/// the global pool, its I/O back to the event loop): on 2 cores, context switches were a
/// large share of a cached request's cost. Blocking work keeps off both, as before: bcrypt,
/// DNS and file reads run on `NIOThreadPool`. Called first in each service's `main`.
public enum ConcurrencyOnEventLoops {
    public static func install() {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
