import Foundation
import Hummingbird

/// The client's IP address: the connected peer, or — only when that peer is a trusted
/// proxy — the nearest untrusted address in `X-Forwarded-For`. Trusting the header from
/// anyone would let a client choose its own rate-limit bucket.
public struct TrustedProxies: Sendable, Equatable {
    struct Network: Sendable, Equatable {
        var address: [UInt8]
        var prefixLength: Int
    }

    let networks: [Network]

    public init(_ entries: [String], variable: String = "TRUSTED_PROXIES") throws {
        networks = try entries.map { entry in
            let parts = entry.split(separator: "/", maxSplits: 1).map(String.init)
            guard let address = Self.parse(parts[0]) else {
                throw ConfigError(variable: variable, reason: "'\(entry)' is not an IP address or CIDR range")
            }
            let maxPrefix = address.count * 8
            let prefix = parts.count == 2 ? Int(parts[1]) : maxPrefix
            guard let prefix, (0...maxPrefix).contains(prefix) else {
                throw ConfigError(variable: variable, reason: "'\(entry)' has an invalid prefix length")
            }
            return Network(address: address, prefixLength: prefix)
        }
    }

    public func contains(_ ip: String) -> Bool {
        guard let address = Self.parse(ip) else { return false }
        return networks.contains { network in
            guard network.address.count == address.count else { return false }
            var remaining = network.prefixLength
            for index in address.indices where remaining > 0 {
                let bits = min(8, remaining)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if address[index] & mask != network.address[index] & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    /// The client address for a request that arrived from `peer`.
    public func clientIP(peer: String?, forwardedFor: String?) -> String? {
        guard let peer, let forwardedFor, !networks.isEmpty, contains(peer) else { return peer }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        // Walk from the nearest hop outwards; the first address we do not trust is the client.
        for hop in hops.reversed() where !contains(hop) {
            return Self.parse(hop) != nil ? hop : peer
        }
        return hops.first ?? peer
    }

    static func parse(_ text: String) -> [UInt8]? {
        if text.utf8.contains(UInt8(ascii: ":")) {
            var address = in6_addr()
            guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
            return withUnsafeBytes(of: &address) { Array($0) }
        }
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }
}
