import Foundation
import NIOSSL
import PostgresNIO

/// A parsed `DATABASE_URL`. Accepts what the replaced services accepted:
/// `postgres://`, `postgresql://` and SQLAlchemy's `postgresql+asyncpg://`, an optional
/// `sslmode`, and a `host=/path` query item for a Unix socket directory.
public struct DatabaseURL: Sendable, Equatable {
    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unixSocket(path: String)
    }

    public enum SSLMode: String, Sendable {
        case disable, allow, prefer, require, verifyCA = "verify-ca", verifyFull = "verify-full"
    }

    public var endpoint: Endpoint
    public var username: String
    public var password: String?
    public var database: String
    public var sslMode: SSLMode

    public init(_ raw: String, variable: String = "DATABASE_URL") throws {
        func fail(_ reason: String) -> ConfigError {
            ConfigError(variable: variable, reason: reason)
        }
        guard let components = URLComponents(string: raw), let rawScheme = components.scheme?.lowercased() else {
            throw fail("not a URL (expected postgres://user:password@host:5432/database)")
        }
        let scheme = rawScheme.split(separator: "+").first.map(String.init) ?? rawScheme
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw fail("unsupported scheme '\(rawScheme)' (expected postgres:// or postgresql://)")
        }
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name.lowercased(), $0.value ?? "") },
            uniquingKeysWith: { _, last in last })

        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !database.isEmpty, !database.contains("/") else {
            throw fail("missing database name in the path")
        }
        self.database = database.removingPercentEncoding ?? database
        self.username = components.user?.removingPercentEncoding ?? query["user"] ?? "postgres"
        self.password = components.password?.removingPercentEncoding ?? query["password"]

        if let socketDirectory = query["host"], socketDirectory.hasPrefix("/") {
            let port =
                try components.port ?? query["port"].map { value in
                    guard let port = Int(value) else { throw fail("port '\(value)' is not a number") }
                    return port
                } ?? 5432
            self.endpoint = .unixSocket(path: "\(socketDirectory)/.s.PGSQL.\(port)")
        } else {
            guard let host = components.host, !host.isEmpty else {
                throw fail("missing host")
            }
            let port = components.port ?? 5432
            guard (1...65535).contains(port) else { throw fail("port \(port) is out of range") }
            self.endpoint = .tcp(host: host, port: port)
        }

        if let mode = query["sslmode"] {
            guard let parsed = SSLMode(rawValue: mode.lowercased()) else {
                throw fail("unknown sslmode '\(mode)'")
            }
            self.sslMode = parsed
        } else if case .tcp(let host, _) = endpoint, !Self.isLoopback(host) {
            self.sslMode = .prefer
        } else {
            self.sslMode = .disable
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }

    /// The PostgresNIO client configuration for this URL.
    public func clientConfiguration(maxConnections: Int) throws -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        switch endpoint {
        case .unixSocket(let path):
            configuration = .init(unixSocketPath: path, username: username, password: password, database: database)
        case .tcp(let host, let port):
            let tls: PostgresClient.Configuration.TLS =
                switch tlsPolicy {
                case nil: .disable
                case (let tls, false)?: .prefer(tls)
                case (let tls, true)?: .require(tls)
                }
            configuration = .init(host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
        configuration.options.maximumConnections = maxConnections
        configuration.options.minimumConnections = 0
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    /// A single connection's configuration, for one outside the pool (the LISTEN
    /// connection of `ChangeFeed`), with the same TLS policy as the pool's.
    public func connectionConfiguration() throws -> PostgresConnection.Configuration {
        switch endpoint {
        case .unixSocket(let path):
            return .init(unixSocketPath: path, username: username, password: password, database: database)
        case .tcp(let host, let port):
            let tls: PostgresConnection.Configuration.TLS =
                switch tlsPolicy {
                case nil: .disable
                case (let tls, false)?: .prefer(try NIOSSLContext(configuration: tls))
                case (let tls, true)?: .require(try NIOSSLContext(configuration: tls))
                }
            return .init(host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
    }

    /// The TLS configuration and whether it is required; nil when TLS is off.
    var tlsPolicy: (TLSConfiguration, required: Bool)? {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch sslMode {
        case .disable, .allow:
            return nil
        case .prefer:
            tls.certificateVerification = .none
            return (tls, false)
        case .require:
            tls.certificateVerification = .none
            return (tls, true)
        case .verifyCA, .verifyFull:
            return (tls, true)
        }
    }
}
