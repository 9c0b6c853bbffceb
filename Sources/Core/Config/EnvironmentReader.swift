import Foundation

/// Typed access to environment variables. Blank values count as unset, as they do in
/// the services this project replaces (a compose file often declares `FOO=`).
public struct EnvironmentReader: Sendable {
    public let values: [String: String]

    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    public func string(_ name: String) -> String? {
        guard let raw = values[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty else {
            return nil
        }
        return raw
    }

    public func string(_ name: String, default defaultValue: String) -> String {
        string(name) ?? defaultValue
    }

    /// The first of several alias names that is set.
    public func string(anyOf names: [String]) -> String? {
        names.lazy.compactMap { self.string($0) }.first
    }

    public func int(_ name: String, default defaultValue: Int, range: ClosedRange<Int>? = nil) throws -> Int {
        guard let raw = string(name) else { return defaultValue }
        guard let value = Int(raw) else {
            throw ConfigError(variable: name, reason: "expected an integer, got '\(raw)'")
        }
        if let range, !range.contains(value) {
            throw ConfigError(variable: name, reason: "\(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    public func bool(_ name: String, default defaultValue: Bool) throws -> Bool {
        guard let raw = string(name)?.lowercased() else { return defaultValue }
        switch raw {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigError(variable: name, reason: "expected true or false, got '\(raw)'")
        }
    }

    public func url(_ name: String, schemes: Set<String> = ["http", "https"]) throws -> URL? {
        guard let raw = string(name) else { return nil }
        guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(), schemes.contains(scheme),
            url.host != nil
        else {
            throw ConfigError(variable: name, reason: "expected an absolute \(schemes.sorted().joined(separator: "/")) URL, got '\(raw)'")
        }
        return url
    }

    /// A comma-separated list, trimmed, blanks dropped.
    public func list(_ name: String) -> [String]? {
        string(name).map { raw in
            raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
    }
}
