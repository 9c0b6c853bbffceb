import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a URL the server was asked to call on a user's behalf is not called.
public enum OutboundRefusal: Error, Equatable, Sendable {
    case invalidURL
    case port(Int)
    case unresolvable(String)
    case privateAddress(String)

    public var message: String {
        switch self {
        case .invalidURL: "must be an http or https URL with a host"
        case .port(let port): "port \(port) is not allowed (80, 443, 8080 and 8443 are)"
        case .unresolvable(let host): "the host \(host) does not resolve"
        case .privateAddress(let host): "\(host) is a local, private or reserved address"
        }
    }
}

/// HTTP to addresses a user chose (their WordPress site), safe against server-side request
/// forgery: the host is resolved here, every address it resolves to must be public
/// (`OutboundAddressPolicy`), and the connection goes to the address that was checked (a
/// DNS override pins it, while TLS still verifies the name), so a name that changes its
/// answer between the check and the connection (DNS rebinding) gains nothing. Redirects
/// are not followed, ports are limited, and every request has its own short-lived client
/// with short timeouts, apart from the providers' shared pool.
public struct GuardedHTTPClient: Sendable {
    public static let allowedPorts: Set<Int> = [80, 443, 8080, 8443]

    /// `host` or `host:port` entries (lowercased) that may be private: an intranet site the
    /// operator trusts (`OUTBOUND_ALLOWED_HOSTS`). They are still resolved and pinned.
    let allowedHosts: Set<String>
    let connectTimeout: TimeAmount

    public init(allowedHosts: [String] = [], connectTimeout: TimeAmount = .seconds(5)) {
        self.allowedHosts = Set(allowedHosts.map { $0.lowercased() })
        self.connectTimeout = connectTimeout
    }

    /// A checked destination: the URL's host and the address it will be reached at.
    public struct Target: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var address: String

        public init(host: String, port: Int, address: String) {
            self.host = host
            self.port = port
            self.address = address
        }
    }

    /// Resolves and checks `url`'s host, before anything is sent or charged.
    public func target(for url: String) async throws(OutboundRefusal) -> Target {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
            var host = components.host?.lowercased(), !host.isEmpty
        else { throw .invalidURL }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        let trusted = allowedHosts.contains(host) || allowedHosts.contains("\(host):\(port)")
        guard trusted || Self.allowedPorts.contains(port) else { throw .port(port) }
        let addresses: [[UInt8]]
        do {
            addresses = try await NIOThreadPool.singleton.runIfActive { [host] in Self.resolve(host) }
        } catch {
            throw .unresolvable(host)
        }
        guard let first = addresses.first, let text = Self.format(first) else { throw .unresolvable(host) }
        // Every address must pass: the client may use any of them.
        if !trusted, addresses.contains(where: { !OutboundAddressPolicy.isPublic($0) }) { throw .privateAddress(host) }
        return Target(host: host, port: port, address: text)
    }

    public struct Answer: Sendable {
        public var status: UInt
        public var body: ByteBuffer
    }

    /// Sends `request` (whose URL `target` was made from) to the checked address and reads
    /// at most `maxResponseBytes` of the answer.
    public func send(
        _ request: HTTPClientRequest, to target: Target, timeout: TimeAmount, maxResponseBytes: Int, logger: Logger
    ) async throws -> Answer {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: connectTimeout, read: timeout)
        configuration.dnsOverride = [target.host: target.address]
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let response = try await client.execute(request, timeout: timeout, logger: logger)
            let body = try await response.body.collect(upTo: maxResponseBytes)
            try await client.shutdown()
            return Answer(status: response.status.code, body: body)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Every IPv4 and IPv6 address of `host` (an IP literal resolves to itself), as bytes.
    static func resolve(_ host: String) -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let list else { return [] }
        defer { freeaddrinfo(list) }
        var result: [[UInt8]] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = list
        while let entry = cursor {
            if let address = entry.pointee.ai_addr {
                switch entry.pointee.ai_family {
                case AF_INET:
                    var v4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    result.append(withUnsafeBytes(of: &v4) { Array($0) })
                case AF_INET6:
                    var v6 = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    result.append(withUnsafeBytes(of: &v6) { Array($0) })
                default: break
                }
            }
            cursor = entry.pointee.ai_next
        }
        return result
    }

    /// The textual form of an address, for the DNS override.
    static func format(_ bytes: [UInt8]) -> String? {
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let written = bytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) }
        guard written != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Bytes of an IP literal (for tests and configuration), nil for anything else.
    public static func parseAddress(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}
