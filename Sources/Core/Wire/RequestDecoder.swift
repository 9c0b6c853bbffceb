import Foundation

/// The one way a JSON request body becomes a typed value. It decodes from the parsed
/// document, applies each field's `FieldRule` as it goes, and never stops at the first
/// problem: a bad field is recorded and replaced by a placeholder so that the rest are
/// checked too, and the 400 names them all. `null` counts as absent; strings are
/// trimmed; an integer field may take a numeric string when its rule says so.
public enum RequestDecoder {
    public static func decode<T: RequestContent>(_ type: T.Type, from document: JSONValue) throws -> T {
        guard case .object = document else {
            throw CoreError.invalidInput([
                ValidationIssue(type: "model_attributes_type", path: [], message: "Body must be a JSON object", input: document)
            ])
        }
        let state = RequestDecodingState()
        let value = state.element(T.self, document, path: [], rule: nil)
        var issues = state.issues
        if issues.isEmpty, let value { value.validate(&issues) }
        guard issues.isEmpty, let value else { throw CoreError.invalidInput(issues) }
        return value
    }
}

/// Thrown inside a nested `init(from:)` once its problem is recorded; the enclosing
/// container turns it into a placeholder and goes on.
struct RequestDecodingStop: Error {}

final class RequestDecodingState {
    var issues: [ValidationIssue] = []

    static func name(_ path: [JSONValue]) -> String {
        ValidationIssue(type: "", path: path, message: "").field
    }

    func fail(_ path: [JSONValue], _ type: String, _ message: String, input: JSONValue?) {
        issues.append(ValidationIssue(type: type, path: path, message: message, input: input))
    }

    func missing(_ path: [JSONValue]) {
        issues.append(ValidationIssue(type: "missing", path: path, message: "Field required", input: nil))
    }

    /// `value` as `T` under `rule`, or nil once a problem is recorded.
    func element<T: Decodable>(_ type: T.Type, _ value: JSONValue, path: [JSONValue], rule: FieldRule?) -> T? {
        let name = Self.name(path)
        switch T.self {
        case is String.Type:
            return text(value, path: path, rule: rule ?? .defaultText) as? T
        case is Bool.Type:
            guard case .bool(let flag) = value else {
                fail(path, "bool_type", "\(name) must be true or false", input: value)
                return nil
            }
            return flag as? T
        case is Int.Type, is Int64.Type, is Int32.Type:
            guard let number = integer(value, path: path, rule: rule) else { return nil }
            switch T.self {
            case is Int64.Type: return Int64(number) as? T
            case is Int32.Type:
                guard let small = Int32(exactly: number) else {
                    fail(path, "range", "\(name) is out of range", input: value)
                    return nil
                }
                return small as? T
            default: return number as? T
            }
        case is Double.Type:
            switch value {
            case .int(let number): return Double(number) as? T
            case .double(let number): return number as? T
            default:
                fail(path, "float_type", "\(name) must be a number", input: value)
                return nil
            }
        case is UUID.Type:
            guard case .string(let raw) = value, let id = UUID(parsing: raw) else {
                fail(path, "uuid_parsing", "\(name) must be a UUID", input: value)
                return nil
            }
            return id as? T
        case is Date.Type:
            guard case .string(let raw) = value, let date = ISO8601.parse(raw) else {
                fail(path, "datetime_parsing", "\(name) must be an ISO 8601 date-time", input: value)
                return nil
            }
            return date as? T
        case is JSONValue.Type:
            return json(value, path: path, rule: rule) as? T
        default:
            break
        }
        if let enumeration = T.self as? any WireEnum.Type {
            return enumCase(enumeration, value, path: path) as? T
        }
        let nested = RequestValueDecoder(state: self, value: value, path: path, rule: rule, rules: (T.self as? any RequestContent.Type)?.rules ?? [:])
        do {
            return try T(from: nested)
        } catch is RequestDecodingStop {
            return nil
        } catch let error as FieldValidationError {
            issues.append(ValidationIssue(type: error.type, path: path, message: error.message, input: value, context: error.context))
            return nil
        } catch {
            fail(path, "value_error", "\(name) is not valid", input: value)
            return nil
        }
    }

    func text(_ value: JSONValue, path: [JSONValue], rule: FieldRule) -> String? {
        let name = Self.name(path)
        guard case .string(let raw) = value else {
            fail(path, "string_type", "\(name) must be a string", input: value)
            return nil
        }
        // Lengths and patterns apply to the string as sent, in code points, as JSON Schema
        // counts them: what the document allows is exactly what is accepted.
        if let maxLength = rule.maxLength, raw.unicodeScalars.count > maxLength {
            fail(path, "string_too_long", "\(name) must be at most \(maxLength) characters", input: value)
            return nil
        }
        if let pattern = rule.pattern, raw.range(of: pattern, options: .regularExpression) == nil {
            fail(path, "string_pattern_mismatch", "\(name) \(rule.patternMessage ?? "is not in the expected form")", input: value)
            return nil
        }
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.utf8.contains(0) {
            fail(path, "string_type", "\(name) must not contain NUL characters", input: value)
            return nil
        }
        if let allowed = rule.allowed {
            let match = rule.spelling == .exact ? allowed.first { $0 == text } : allowed.first { $0.caseInsensitiveCompare(text) == .orderedSame }
            guard let match else {
                fail(path, "enum", "\(name) must be one of \(allowed.joined(separator: ", "))", input: value)
                return nil
            }
            switch rule.spelling {
            case .exact: return match
            case .uppercase: return match.uppercased()
            case .lowercase: return match.lowercased()
            }
        }
        if text.isEmpty && !rule.allowEmpty {
            fail(path, "string_too_short", "\(name) must not be empty", input: value)
            return nil
        }
        return text
    }

    func integer(_ value: JSONValue, path: [JSONValue], rule: FieldRule?) -> Int? {
        let name = Self.name(path)
        let number: Int
        switch value {
        case .int(let given):
            number = given
        case .double(let given) where given == given.rounded() && abs(given) < 1e15:
            number = Int(given)
        case .string(let text)
        where rule?.integerFromString == true && text.utf8.count <= 18 && Int(text.trimmingCharacters(in: .whitespaces)) != nil:
            number = Int(text.trimmingCharacters(in: .whitespaces)) ?? 0
        default:
            fail(path, "int_type", "\(name) must be an integer", input: value)
            return nil
        }
        if let range = rule?.range, !range.contains(number) {
            fail(path, "range", "\(name) must be between \(range.lowerBound) and \(range.upperBound)", input: value)
            return nil
        }
        return number
    }

    /// Free-form JSON is stored as jsonb: bounded, and without `\u0000` (jsonb refuses it).
    func json(_ value: JSONValue, path: [JSONValue], rule: FieldRule?) -> JSONValue? {
        let name = Self.name(path)
        if rule?.maxBytes != nil, case .object = value {
        } else if rule?.maxBytes != nil {
            fail(path, "dict_type", "\(name) must be an object", input: value)
            return nil
        }
        let maxBytes = rule?.maxBytes ?? rule?.jsonMaxBytes ?? FieldRule.defaultObject.maxBytes ?? 16_384
        let encoded = value.encodedString
        guard encoded.utf8.count <= maxBytes else {
            fail(path, "too_long", "\(name) must be at most \(maxBytes) bytes", input: nil)
            return nil
        }
        guard !encoded.contains("\\u0000") else {
            fail(path, "value_error", "\(name) must not contain NUL characters", input: nil)
            return nil
        }
        return value
    }

    func enumCase<E: WireEnum>(_ type: E.Type, _ value: JSONValue, path: [JSONValue]) -> E? {
        let raw = value.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let raw, let match = E.allCases.first(where: { $0.rawValue.caseInsensitiveCompare(raw) == .orderedSame }) {
            return match
        }
        fail(path, "enum", "\(Self.name(path)) must be one of \(E.allCases.map(\.rawValue).joined(separator: ", "))", input: value)
        return nil
    }

    /// A placeholder standing in for a bad or missing field.
    func placeholder<T: Decodable>(_ type: T.Type) throws -> T {
        do {
            return try WireSchema.placeholder(T.self)
        } catch {
            throw RequestDecodingStop()
        }
    }
}

/// The decoder for one nested value (an object or a list) of a request body.
struct RequestValueDecoder: Decoder {
    let state: RequestDecodingState
    let value: JSONValue
    let path: [JSONValue]
    /// The rule of the field holding this value (for lists: their length and items).
    let rule: FieldRule?
    /// The rules of the type being decoded here, per field.
    let rules: [String: FieldRule]
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else {
            state.fail(path, "model_attributes_type", "\(RequestDecodingState.name(path)) must be an object", input: value)
            throw RequestDecodingStop()
        }
        return KeyedDecodingContainer(RequestKeyedContainer<Key>(decoder: self, object: object))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else {
            state.fail(path, "list_type", "\(RequestDecodingState.name(path)) must be a list", input: value)
            throw RequestDecodingStop()
        }
        if let maxItems = rule?.maxItems, items.count > maxItems {
            state.fail(path, "too_long", "\(RequestDecodingState.name(path)) must have at most \(maxItems) items", input: nil)
            throw RequestDecodingStop()
        }
        if let minItems = rule?.minItems, items.count < minItems {
            state.fail(path, "too_short", "\(RequestDecodingState.name(path)) must have at least \(minItems) items", input: value)
            throw RequestDecodingStop()
        }
        return RequestUnkeyedContainer(decoder: self, items: items)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        RequestSingleValueContainer(decoder: self)
    }
}

struct RequestKeyedContainer<Key: CodingKey>: ForwardingKeyedDecoding {
    let decoder: RequestValueDecoder
    let object: [String: JSONValue]
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { object[key.stringValue].map { $0 != .null } ?? false }
    func decodeNil(forKey key: Key) throws -> Bool { (object[key.stringValue] ?? .null) == .null }

    func rule(_ key: Key) -> FieldRule? { decoder.rules[key.stringValue] }
    func path(_ key: Key) -> [JSONValue] { decoder.path + [.string(key.stringValue)] }

    func decodeValue<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        guard let raw = object[key.stringValue], raw != .null else {
            decoder.state.missing(path(key))
            return try decoder.state.placeholder(T.self)
        }
        if let value = decoder.state.element(T.self, raw, path: path(key), rule: rule(key)) { return value }
        return try decoder.state.placeholder(T.self)
    }

    func decodeOptional<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let raw = object[key.stringValue], raw != .null else { return nil }
        return decoder.state.element(T.self, raw, path: path(key), rule: rule(key))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try RequestValueDecoder(state: decoder.state, value: object[key.stringValue] ?? .null, path: path(key), rule: rule(key), rules: [:])
            .container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try RequestValueDecoder(state: decoder.state, value: object[key.stringValue] ?? .null, path: path(key), rule: rule(key), rules: [:])
            .unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> any Decoder {
        RequestValueDecoder(state: decoder.state, value: object[key.stringValue] ?? .null, path: path(key), rule: rule(key), rules: [:])
    }
}

struct RequestUnkeyedContainer: ForwardingUnkeyedDecoding {
    let decoder: RequestValueDecoder
    let items: [JSONValue]
    var codingPath: [any CodingKey] { [] }
    var count: Int? { items.count }
    var currentIndex = 0
    var isAtEnd: Bool { currentIndex >= items.count }

    var itemRule: FieldRule { decoder.rule?.itemRule ?? .defaultText }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        guard !isAtEnd else { throw RequestDecodingStop() }
        let path = decoder.path + [.int(currentIndex)]
        let item = items[currentIndex]
        currentIndex += 1
        // In a list of free-form JSON, null is one of the values.
        if item == .null, let null = JSONValue.null as? T { return null }
        if item == .null {
            decoder.state.missing(path)
            return try decoder.state.placeholder(T.self)
        }
        return try decoder.state.element(T.self, item, path: path, rule: itemRule) ?? decoder.state.placeholder(T.self)
    }

    mutating func decodeOptional<T: Decodable>(_ type: T.Type) throws -> T? {
        guard !isAtEnd else { throw RequestDecodingStop() }
        let path = decoder.path + [.int(currentIndex)]
        let item = items[currentIndex]
        currentIndex += 1
        return item == .null ? nil : decoder.state.element(T.self, item, path: path, rule: itemRule)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        guard !isAtEnd else { throw RequestDecodingStop() }
        defer { currentIndex += 1 }
        return try RequestValueDecoder(
            state: decoder.state, value: items[currentIndex], path: decoder.path + [.int(currentIndex)], rule: nil, rules: [:]
        )
        .container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard !isAtEnd else { throw RequestDecodingStop() }
        defer { currentIndex += 1 }
        return try RequestValueDecoder(
            state: decoder.state, value: items[currentIndex], path: decoder.path + [.int(currentIndex)], rule: nil, rules: [:]
        )
        .unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { decoder }
}

/// A value decoded through a single-value container (a custom `init(from:)`).
struct RequestSingleValueContainer: ForwardingSingleValueDecoding {
    let decoder: RequestValueDecoder
    var codingPath: [any CodingKey] { [] }

    func decodeNil() -> Bool { decoder.value == .null }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        guard let value = decoder.state.element(T.self, decoder.value, path: decoder.path, rule: decoder.rule) else { throw RequestDecodingStop() }
        return value
    }
}
