import Core
import Foundation
import Hummingbird

extension ValidationIssue {
    /// A `value_error` on a body field, for rules a `RequestContent` checks itself.
    static func field(_ field: String, _ message: String) -> ValidationIssue {
        ValidationIssue(type: "value_error", path: [.string(field)], message: "\(field) \(message)")
    }
}

/// Query parameters: collected into the route's `VALIDATION_ERROR` like body fields.
enum QueryFields {
    /// One of `allowed` (lowercased), `default` when absent.
    static func oneOf(_ request: Request, _ name: String, _ allowed: [String], default value: String?, issues: inout [ValidationIssue]) -> String? {
        guard let raw = request.uri.queryParameters[Substring(name)].map(String.init), !raw.isEmpty else { return value }
        let candidate = raw.lowercased()
        guard allowed.contains(candidate) else {
            issues.append(
                ValidationIssue(
                    type: "enum", location: .query, path: [.string(name)], message: "\(name) must be one of \(allowed.joined(separator: ", "))",
                    input: .string(raw)))
            return value
        }
        return candidate
    }

    /// A trimmed string of at most `maxLength` characters; nil when absent or empty.
    static func string(_ request: Request, _ name: String, maxLength: Int, issues: inout [ValidationIssue]) -> String? {
        guard let raw = request.uri.queryParameters[Substring(name)].map(String.init) else { return nil }
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return nil }
        guard text.count <= maxLength, !text.contains("\u{0}") else {
            issues.append(
                ValidationIssue(
                    type: "string_too_long", location: .query, path: [.string(name)],
                    message: "\(name) must be at most \(maxLength) characters, without NUL",
                    input: .string(raw)))
            return nil
        }
        return text
    }

    static func uuid(_ request: Request, _ name: String, issues: inout [ValidationIssue]) -> UUID? {
        guard let raw = request.uri.queryParameters[Substring(name)].map(String.init), !raw.isEmpty else { return nil }
        guard let id = UUID(parsing: raw) else {
            issues.append(
                ValidationIssue(type: "uuid_parsing", location: .query, path: [.string(name)], message: "\(name) must be a UUID", input: .string(raw))
            )
            return nil
        }
        return id
    }
}
