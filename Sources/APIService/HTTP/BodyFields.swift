import Core
import Foundation
import Hummingbird

/// A JSON object body read field by field, collecting every problem as a
/// `ValidationIssue` so that one 400 names all bad fields. Used where a field's rules go
/// beyond its type (ranges, enumerations, lengths). `null` counts as absent.
struct BodyFields {
    let object: [String: JSONValue]
    var issues: [ValidationIssue] = []

    init(_ object: [String: JSONValue]) {
        self.object = object
    }

    /// Reads the body (415 for a non-JSON type, 413 beyond the limit, 400 for malformed
    /// JSON or a body that is not an object).
    static func read(_ request: Request, context: AppRequestContext) async throws -> BodyFields {
        let value = try await request.decodeJSON(JSONValue.self, context: context)
        guard case .object(let object) = value else {
            throw CoreError.invalidInput([ValidationIssue(type: "model_attributes_type", path: [], message: "Body must be a JSON object", input: value)])
        }
        return BodyFields(object)
    }

    func value(_ name: String) -> JSONValue? {
        guard let value = object[name], value != .null else { return nil }
        return value
    }

    mutating func fail(_ name: String, _ type: String, _ message: String) {
        issues.append(ValidationIssue(type: type, path: [.string(name)], message: message, input: object[name]))
    }

    /// A string, trimmed; empty is refused unless `allowEmpty`.
    mutating func string(_ name: String, required: Bool = false, maxLength: Int, allowEmpty: Bool = false) -> String? {
        guard let value = value(name) else {
            if required { issues.append(.missing(name)) }
            return nil
        }
        guard case .string(let raw) = value else {
            fail(name, "string_type", "\(name) must be a string")
            return nil
        }
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        // PostgreSQL text cannot hold NUL: refuse it here rather than fail in the database.
        if text.contains("\u{0}") {
            fail(name, "string_type", "\(name) must not contain NUL characters")
            return nil
        }
        if text.isEmpty && !allowEmpty {
            fail(name, "string_too_short", "\(name) must not be empty")
            return nil
        }
        if text.count > maxLength {
            fail(name, "string_too_long", "\(name) must be at most \(maxLength) characters")
            return nil
        }
        return text
    }

    /// One of `allowed` (compared after uppercasing when `uppercased`).
    mutating func oneOf(_ name: String, _ allowed: [String], required: Bool = false, uppercased: Bool = false) -> String? {
        guard let text = string(name, required: required, maxLength: 100) else { return nil }
        let candidate = uppercased ? text.uppercased() : text.lowercased()
        guard allowed.contains(candidate) else {
            fail(name, "enum", "\(name) must be one of \(allowed.joined(separator: ", "))")
            return nil
        }
        return candidate
    }

    /// An integer (a JSON number without a fraction) within `range`.
    /// `numericString`: also take an integer written as a string ("2"), as the frontend's
    /// form controls send some numbers.
    mutating func int(_ name: String, required: Bool = false, range: ClosedRange<Int>, numericString: Bool = false) -> Int? {
        guard let value = value(name) else {
            if required { issues.append(.missing(name)) }
            return nil
        }
        let number: Int
        switch value {
        case .int(let given):
            number = given
        case .string(let text) where numericString && text.utf8.count <= 18 && Int(text.trimmingCharacters(in: .whitespaces)) != nil:
            number = Int(text.trimmingCharacters(in: .whitespaces)) ?? 0
        default:
            fail(name, "int_type", "\(name) must be an integer")
            return nil
        }
        guard range.contains(number) else {
            fail(name, "range", "\(name) must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return number
    }

    mutating func bool(_ name: String) -> Bool? {
        guard let value = value(name) else { return nil }
        guard case .bool(let flag) = value else {
            fail(name, "bool_type", "\(name) must be true or false")
            return nil
        }
        return flag
    }

    mutating func uuid(_ name: String, required: Bool = false) -> UUID? {
        guard let value = value(name) else {
            if required { issues.append(.missing(name)) }
            return nil
        }
        guard case .string(let raw) = value, let id = UUID(uuidString: raw) else {
            fail(name, "uuid_parsing", "\(name) must be a UUID")
            return nil
        }
        return id
    }

    /// A free-form object, at most `maxBytes` once encoded (it is stored as jsonb).
    mutating func jsonObject(_ name: String, maxBytes: Int = 16_384) -> JSONValue? {
        guard let value = value(name) else { return nil }
        guard case .object = value else {
            fail(name, "dict_type", "\(name) must be an object")
            return nil
        }
        let encoded = value.encodedString
        guard encoded.utf8.count <= maxBytes else {
            fail(name, "too_long", "\(name) must be at most \(maxBytes) bytes")
            return nil
        }
        // jsonb refuses \u0000 anywhere in a document.
        guard !encoded.contains("\\u0000") else {
            fail(name, "value_error", "\(name) must not contain NUL characters")
            return nil
        }
        return value
    }

    /// Throws a 400 VALIDATION_ERROR naming every problem found so far.
    func check() throws {
        if !issues.isEmpty { throw CoreError.invalidInput(issues) }
    }
}

/// Query parameters with the same rules.
enum QueryFields {
    /// One of `allowed` (lowercased), `default` when absent.
    static func oneOf(_ request: Request, _ name: String, _ allowed: [String], default value: String?, issues: inout [ValidationIssue]) -> String? {
        guard let raw = request.uri.queryParameters[Substring(name)].map(String.init), !raw.isEmpty else { return value }
        let candidate = raw.lowercased()
        guard allowed.contains(candidate) else {
            issues.append(ValidationIssue(
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
            issues.append(ValidationIssue(
                type: "string_too_long", location: .query, path: [.string(name)], message: "\(name) must be at most \(maxLength) characters, without NUL",
                input: .string(raw)))
            return nil
        }
        return text
    }

    static func uuid(_ request: Request, _ name: String, issues: inout [ValidationIssue]) -> UUID? {
        guard let raw = request.uri.queryParameters[Substring(name)].map(String.init), !raw.isEmpty else { return nil }
        guard let id = UUID(uuidString: raw) else {
            issues.append(ValidationIssue(type: "uuid_parsing", location: .query, path: [.string(name)], message: "\(name) must be a UUID", input: .string(raw)))
            return nil
        }
        return id
    }
}

extension UUID {
    /// The lowercase form every response uses.
    var json: JSONValue { .string(uuidString.lowercased()) }
}

/// `{key: count}` objects from grouped rows.
func countsObject(_ pairs: [(String, Int)]) -> JSONValue {
    .object(Dictionary(pairs, uniquingKeysWith: +).mapValues(JSONValue.int))
}
