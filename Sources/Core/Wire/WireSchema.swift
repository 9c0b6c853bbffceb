import Foundation

/// A string enumeration on the wire; its cases become the schema's `enum`.
public protocol WireEnum: CaseIterable, RawRepresentable, Codable, Sendable where RawValue == String {}

/// A type with a custom `Codable` shape describes itself instead of being derived.
public protocol WireSchemaProviding {
    /// The JSON Schema of the type; may add named schemas to `components`.
    static func wireSchema(components: inout WireSchema.Components) -> JSONValue
    /// Any valid value, for deriving the schemas of types that contain this one.
    static var wirePlaceholder: Self { get }
}

/// JSON Schemas derived from `Decodable` types, so that `/openapi.json` is generated
/// from the same request and response types the routes decode and encode.
///
/// Derivation runs the type's own `init(from:)` against a decoder that answers every
/// request with a placeholder and records what was asked for: each `decode` is a
/// required property, each `decodeIfPresent` an optional (nullable) one, an unkeyed
/// container an array. Field rules (`RequestContent.rules`) add lengths, ranges and enums.
public enum WireSchema {
    public typealias Components = [String: JSONValue]

    /// The schema of `type`: a `$ref` for structs (their schema lands in `components`),
    /// inline for primitives, arrays and dictionaries.
    public static func schema<T: Decodable>(for type: T.Type, components: inout Components) -> JSONValue {
        let recorder = SchemaRecorder(components: components)
        let (schema, _) = recorder.describe(T.self, rule: nil)
        components = recorder.components
        return schema
    }

    /// A value of `type` built from placeholders (used to keep decoding after an error).
    static func placeholder<T: Decodable>(_ type: T.Type) throws -> T {
        try SchemaRecorder(components: [:]).make(T.self)
    }

    /// The component name of a type: its qualified name without the module
    /// (`ArticleRoutes.CreateRequest`); generic arguments joined with `_`.
    public static func componentName(_ type: Any.Type) -> String {
        var name = String(reflecting: type)
        // `(unknown context at $…)` appears for types declared inside functions.
        while let range = name.range(of: #"\(unknown context at \$[0-9a-f]+\)\."#, options: .regularExpression) {
            name.removeSubrange(range)
        }
        // Each qualified name starts with its module: drop it.
        name = name.replacingOccurrences(of: #"(?<![A-Za-z0-9_.])[A-Za-z_][A-Za-z0-9_]*\.(?=[A-Za-z_])"#, with: "", options: .regularExpression)
        return String(name.map { $0.isLetter || $0.isNumber || $0 == "." ? $0 : "_" })
            .trimmingCharacters(in: CharacterSet(charactersIn: "_"))
    }

    static func nullable(_ schema: JSONValue) -> JSONValue {
        if case .string(let type)? = schema["type"], case .object(var object) = schema {
            object["type"] = [.string(type), "null"]
            if case .array(let values)? = object["enum"] { object["enum"] = .array(values + [.null]) }
            return .object(object)
        }
        return ["anyOf": [schema, ["type": "null"]]]
    }
}

/// Dictionaries with string keys are JSON objects with `additionalProperties`.
protocol WireDictionary {
    static func valueSchema(_ recorder: SchemaRecorder) -> JSONValue
    static var empty: Self { get }
}

extension Dictionary: WireDictionary where Key == String, Value: Decodable {
    static func valueSchema(_ recorder: SchemaRecorder) -> JSONValue { recorder.describe(Value.self, rule: nil).0 }
    static var empty: Self { [:] }
}

/// Per type being derived: the recorded shape.
final class SchemaRecorder {
    var components: WireSchema.Components
    /// Types whose derivation is under way (a recursive type refers to itself by `$ref`).
    var inProgress: Set<String> = []

    init(components: WireSchema.Components) {
        self.components = components
    }

    func make<T: Decodable>(_ type: T.Type) throws -> T {
        try describeAndMake(T.self, rule: nil).1
    }

    func describe<T: Decodable>(_ type: T.Type, rule: FieldRule?) -> (JSONValue, T?) {
        do {
            let (schema, value) = try describeAndMake(T.self, rule: rule)
            return (schema, value)
        } catch {
            // A type whose decoding refuses placeholders is documented as "any value".
            return ([:], nil)
        }
    }

    func describeAndMake<T: Decodable>(_ type: T.Type, rule: FieldRule?) throws -> (JSONValue, T) {
        func primitive(_ schema: JSONValue, _ value: Any) throws -> (JSONValue, T) {
            guard let typed = value as? T else { throw SchemaRecorderError.unsupported }
            return (rule.map { $0.refine(schema) } ?? schema, typed)
        }
        switch T.self {
        case is String.Type: return try primitive(["type": "string"], "x")
        case is Bool.Type: return try primitive(["type": "boolean"], false)
        case is Int.Type: return try primitive(["type": "integer"], 0)
        case is Int64.Type: return try primitive(["type": "integer", "format": "int64"], Int64(0))
        case is Int32.Type: return try primitive(["type": "integer", "format": "int32"], Int32(0))
        case is Double.Type: return try primitive(["type": "number"], 0.0)
        case is Float.Type: return try primitive(["type": "number"], Float(0))
        case is Date.Type: return try primitive(["type": "string", "format": "date-time"], Date(timeIntervalSince1970: 0))
        case is UUID.Type: return try primitive(["type": "string", "format": "uuid"], UUID())
        case is URL.Type: return try primitive(["type": "string", "format": "uri"], URL(fileURLWithPath: "/"))
        case is JSONValue.Type:
            return try primitive(rule.map { $0.refine([:]) } ?? [:], JSONValue.object([:]))
        default: break
        }
        if let provider = T.self as? any WireSchemaProviding.Type {
            let schema = provider.wireSchema(components: &components)
            guard let value = provider.wirePlaceholder as? T else { throw SchemaRecorderError.unsupported }
            guard let rule, !rule.isImplicit else { return (schema, value) }
            return (rule.refine(schema), value)
        }
        if let enumeration = T.self as? any WireEnum.Type {
            return try describeEnum(enumeration, rule: rule)
        }
        if let dictionary = T.self as? any WireDictionary.Type {
            let schema: JSONValue = ["type": "object", "additionalProperties": dictionary.valueSchema(self)]
            guard let value = dictionary.empty as? T else { throw SchemaRecorderError.unsupported }
            return (schema, value)
        }
        let request = T.self as? any RequestContent.Type
        let decoder = RecordingDecoder(recorder: self, rules: request?.rules ?? [:], isRequest: request != nil)
        let name = WireSchema.componentName(T.self)
        let recursive = inProgress.contains(name)
        inProgress.insert(name)
        defer { if !recursive { inProgress.remove(name) } }
        let value = try T(from: decoder)
        let schema: JSONValue
        switch decoder.shape {
        case .object(let properties, let required):
            var object: [String: JSONValue] = ["type": "object", "properties": .object(properties)]
            if !required.isEmpty { object["required"] = .array(required.map(JSONValue.string)) }
            object.merge(request?.schemaConstraints ?? [:]) { $1 }
            components[name] = .object(object)
            return (["$ref": .string("#/components/schemas/\(name)")], value)
        case .array(let items):
            let array: JSONValue = ["type": "array", "items": items]
            schema = rule.map { $0.refine(array) } ?? array
        case .single(let single):
            schema = single
        case .none:
            schema = [:]
        }
        return (schema, value)
    }

    func describeEnum<T: Decodable, E: WireEnum>(_ type: E.Type, rule: FieldRule?) throws -> (JSONValue, T) {
        guard let first = E.allCases.first as? T else { throw SchemaRecorderError.unsupported }
        let schema: JSONValue = ["type": "string", "enum": .array(E.allCases.map { .string($0.rawValue) })]
        return (schema, first)
    }
}

enum SchemaRecorderError: Error { case unsupported }

/// What `init(from:)` asked of the recording decoder.
enum RecordedShape {
    case object(properties: [String: JSONValue], required: [String])
    case array(items: JSONValue)
    case single(JSONValue)
}

final class RecordingDecoder: Decoder {
    let recorder: SchemaRecorder
    let rules: [String: FieldRule]
    /// A request body's strings get the default rule, as `RequestDecoder` applies it.
    let isRequest: Bool
    var shape: RecordedShape?
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(recorder: SchemaRecorder, rules: [String: FieldRule], isRequest: Bool) {
        self.recorder = recorder
        self.rules = rules
        self.isRequest = isRequest
    }

    func rule(_ key: String) -> FieldRule? {
        rules[key] ?? (isRequest ? .defaultText : nil)
    }

    func property(_ name: String, _ schema: JSONValue, required: Bool) {
        var properties: [String: JSONValue] = [:]
        var requiredNames: [String] = []
        if case .object(let existing, let names)? = shape {
            properties = existing
            requiredNames = names
        }
        // A field one decoder requires and another (flattened into it) reads as optional
        // stays required.
        if required || !requiredNames.contains(name) { properties[name] = required ? schema : WireSchema.nullable(schema) }
        if required, !requiredNames.contains(name) { requiredNames.append(name) }
        shape = .object(properties: properties, required: requiredNames)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        if shape == nil { shape = .object(properties: [:], required: []) }
        return KeyedDecodingContainer(RecordingKeyedContainer<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        RecordingUnkeyedContainer(decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        RecordingSingleValueContainer(decoder: self)
    }
}

struct RecordingKeyedContainer<Key: CodingKey>: ForwardingKeyedDecoding {
    let decoder: RecordingDecoder
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool { true }
    func decodeNil(forKey key: Key) throws -> Bool { false }

    func decodeValue<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let (schema, value) = try decoder.recorder.describeAndMake(T.self, rule: decoder.rule(key.stringValue))
        decoder.property(key.stringValue, schema, required: true)
        return value
    }

    func decodeOptional<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        let (schema, value) = decoder.recorder.describe(T.self, rule: decoder.rule(key.stringValue))
        decoder.property(key.stringValue, schema, required: false)
        return value
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw SchemaRecorderError.unsupported
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { throw SchemaRecorderError.unsupported }
    func superDecoder() throws -> any Decoder { throw SchemaRecorderError.unsupported }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw SchemaRecorderError.unsupported }
}

struct RecordingUnkeyedContainer: ForwardingUnkeyedDecoding {
    let decoder: RecordingDecoder
    var codingPath: [any CodingKey] { [] }
    var count: Int? { nil }
    var currentIndex = 0
    var isAtEnd: Bool { currentIndex > 0 }

    mutating func decodeNil() throws -> Bool { false }

    mutating func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        let (schema, value) = try decoder.recorder.describeAndMake(T.self, rule: nil)
        decoder.shape = .array(items: schema)
        currentIndex += 1
        return value
    }

    mutating func decodeOptional<T: Decodable>(_ type: T.Type) throws -> T? {
        let (schema, value) = try decoder.recorder.describeAndMake(T.self, rule: nil)
        decoder.shape = .array(items: WireSchema.nullable(schema))
        currentIndex += 1
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        throw SchemaRecorderError.unsupported
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { throw SchemaRecorderError.unsupported }
    mutating func superDecoder() throws -> any Decoder { throw SchemaRecorderError.unsupported }
}

struct RecordingSingleValueContainer: ForwardingSingleValueDecoding {
    let decoder: RecordingDecoder
    var codingPath: [any CodingKey] { [] }

    func decodeNil() -> Bool { false }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        let (schema, value) = try decoder.recorder.describeAndMake(T.self, rule: nil)
        decoder.shape = .single(schema)
        return value
    }
}
