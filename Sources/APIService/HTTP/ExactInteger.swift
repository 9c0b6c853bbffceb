import Core

/// What an `ExactInteger` field accepts: its name (for the messages) and its bounds.
protocol ExactIntegerField: Sendable {
    static var name: String { get }
    static var range: ClosedRange<Int> { get }
    /// The problem with `value`, if any (default: outside `range`).
    static func problem(_ value: Int) -> FieldValidationError?
    /// The field's schema (default: an integer within `range`).
    static var schema: JSONValue { get }
}

extension ExactIntegerField {
    static func problem(_ value: Int) -> FieldValidationError? {
        guard !range.contains(value) else { return nil }
        return FieldValidationError(type: "range", message: "\(name) must be between \(range.lowerBound) and \(range.upperBound)")
    }

    static var schema: JSONValue {
        ["type": "integer", "minimum": .int(range.lowerBound), "maximum": .int(range.upperBound)]
    }
}

/// An integer field whose rule goes beyond a range (a set of values, a value excluded):
/// the field states the rule once, and both the check and the document's schema come
/// from it. A string or a fraction is refused, as for every `Int` field.
struct ExactInteger<Field: ExactIntegerField>: Decodable, Sendable, WireSchemaProviding {
    var value: Int

    init(_ value: Int) {
        self.value = value
    }

    init(from decoder: any Decoder) throws {
        guard case .int(let number) = try decoder.singleValueContainer().decode(JSONValue.self) else {
            throw FieldValidationError(type: "int_type", message: "\(Field.name) must be an integer")
        }
        if let problem = Field.problem(number) { throw problem }
        value = number
    }

    static func wireSchema(components: inout WireSchema.Components) -> JSONValue { Field.schema }
    static var wirePlaceholder: ExactInteger { ExactInteger(Field.range.lowerBound) }
}
