/// A request body: decoded by `RequestDecoder`, which applies its field rules while it
/// decodes and collects every problem into one 400 `VALIDATION_ERROR`.
public protocol RequestContent: Decodable, Sendable {
    /// Rules per JSON field name; a string field without one gets `FieldRule.defaultText`.
    static var rules: [String: FieldRule] { get }
    /// Rules across fields, run once every field decoded cleanly.
    func validate(_ issues: inout [ValidationIssue])
    /// What `validate` checks, as JSON Schema keywords merged into the type's schema
    /// (`anyOf` of `required`, `additionalProperties: false`…), so that the document
    /// states it too.
    static var schemaConstraints: [String: JSONValue] { get }
}

extension RequestContent {
    public static var rules: [String: FieldRule] { [:] }
    public func validate(_ issues: inout [ValidationIssue]) {}
    public static var schemaConstraints: [String: JSONValue] { [:] }
}

/// A response body: encoded by `WireEncoder`, documented by `WireSchema` (which is why it
/// is also `Decodable`: derivation runs the synthesized `init(from:)`).
public protocol ResponseContent: Codable, Sendable {}

/// What a field must satisfy beyond its type. The same rule checks the input and
/// describes it in `/openapi.json`, so the document cannot promise what the code refuses.
/// Strings are trimmed first and may never contain NUL (PostgreSQL text cannot hold it).
public struct FieldRule: Sendable {
    public enum Spelling: Sendable { case exact, uppercase, lowercase }

    public var maxLength: Int?
    public var allowEmpty = false
    /// The accepted values, compared case-insensitively unless `spelling` is `.exact`;
    /// the decoded value is rewritten to `spelling`.
    public var allowed: [String]?
    public var spelling: Spelling = .exact
    public var range: ClosedRange<Int>?
    /// Also take an integer written as a string ("2"), as some form controls send it.
    public var integerFromString = false
    /// A free-form JSON field (stored as jsonb): must be an object of at most this many
    /// bytes once encoded.
    public var maxBytes: Int?
    public var maxItems: Int?
    public var minItems: Int?
    /// An ECMA-262 pattern the (trimmed) string must match, and what to say when not.
    public var pattern: String?
    public var patternMessage: String?
    /// Characters of each string in a list.
    public var itemMaxLength: Int?
    /// Bytes of any free-form JSON value (an object or not), or of each one in a list.
    public var jsonMaxBytes: Int?

    public init() {}

    /// Set on the rule a field gets without one of its own: a type that describes its own
    /// schema (`WireSchemaProviding`) is then documented as it says.
    var isImplicit = false

    /// What a string field gets without a rule of its own.
    public static let defaultText: FieldRule = {
        var rule = FieldRule.text(max: 10_000)
        rule.isImplicit = true
        return rule
    }()
    /// What a free-form JSON field gets without a rule of its own.
    public static let defaultObject = FieldRule.object(maxBytes: 16_384)

    public static func text(max: Int, allowEmpty: Bool = false) -> FieldRule {
        var rule = FieldRule()
        rule.maxLength = max
        rule.allowEmpty = allowEmpty
        return rule
    }

    public static func oneOf(_ values: [String], spelling: Spelling = .exact) -> FieldRule {
        var rule = FieldRule()
        rule.allowed = values
        rule.spelling = spelling
        rule.maxLength = values.map(\.count).max() ?? 0
        return rule
    }

    public static func integer(_ range: ClosedRange<Int>, fromString: Bool = false) -> FieldRule {
        var rule = FieldRule()
        rule.range = range
        rule.integerFromString = fromString
        return rule
    }

    public static func object(maxBytes: Int) -> FieldRule {
        var rule = FieldRule()
        rule.maxBytes = maxBytes
        return rule
    }

    /// A string of at most `max` characters matching `pattern` (which decides about the
    /// empty string too); `message` completes "<field> …" when it does not.
    public static func text(max: Int, pattern: String, message: String) -> FieldRule {
        var rule = FieldRule.text(max: max, allowEmpty: true)
        rule.pattern = pattern
        rule.patternMessage = message
        return rule
    }

    /// `itemMaxBytes`: for a list of free-form JSON values, the bound of each.
    public static func list(maxItems: Int, minItems: Int? = nil, itemMaxLength: Int? = nil, itemMaxBytes: Int? = nil) -> FieldRule {
        var rule = FieldRule()
        rule.maxItems = maxItems
        rule.minItems = minItems
        rule.itemMaxLength = itemMaxLength
        rule.jsonMaxBytes = itemMaxBytes
        return rule
    }

    /// Any JSON value of at most `maxBytes` once encoded.
    public static func json(maxBytes: Int) -> FieldRule {
        var rule = FieldRule()
        rule.jsonMaxBytes = maxBytes
        return rule
    }

    /// The rule for each element of a list field.
    var itemRule: FieldRule {
        var rule = itemMaxLength.map { FieldRule.text(max: $0) } ?? .defaultText
        rule.jsonMaxBytes = jsonMaxBytes
        return rule
    }

    /// `schema` with this rule's constraints.
    func refine(_ schema: JSONValue) -> JSONValue {
        guard case .object(var object) = schema else { return schema }
        switch object["type"] {
        case "string" where object["format"] == nil:
            if let allowed {
                object["enum"] = .array(allowed.map(JSONValue.string))
            } else {
                if let maxLength { object["maxLength"] = .int(maxLength) }
                // Trimmed and NUL-free; non-empty unless allowed.
                object["pattern"] = .string(pattern ?? (allowEmpty ? #"^[^\u0000]*$"# : #"^[^\u0000]*[^\s\u0000][^\u0000]*$"#))
            }
        case "integer":
            if let range {
                object["minimum"] = .int(range.lowerBound)
                object["maximum"] = .int(range.upperBound)
            }
        case "array":
            if let maxItems { object["maxItems"] = .int(maxItems) }
            if let minItems { object["minItems"] = .int(minItems) }
            if let items = object["items"] { object["items"] = itemRule.refine(items) }
        case nil where maxBytes != nil:
            object["type"] = "object"
        default:
            break
        }
        return .object(object)
    }
}
