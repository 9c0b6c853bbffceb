import Foundation
import Hummingbird
import NIOCore

extension Request {
    /// The whole body, read up to the context's limit (413 beyond it). Never buffers more
    /// than the limit, whatever `Content-Length` claims.
    public func collectBody(context: AppRequestContext) async throws -> ByteBuffer {
        do {
            return try await body.collect(upTo: context.bodyLimit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw CoreError.payloadTooLarge(limit: context.bodyLimit)
        }
    }

    public var mediaType: String? {
        headers[.contentType].map { $0.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? "" }
    }

    public var hasJSONContentType: Bool {
        guard let type = mediaType else { return false }
        return type == "application/json" || (type.hasPrefix("application/") && type.hasSuffix("+json"))
    }

    /// Decodes a JSON body into `T`, turning every failure into `CoreError`:
    /// a non-JSON content type, a missing or malformed body, and each field-level
    /// problem as a `ValidationIssue` with its path and the offending input.
    public func decodeJSON<T: Decodable>(_ type: T.Type, context: AppRequestContext) async throws -> T {
        let buffer = try await collectBody(context: context)
        try checkJSONContentType(buffer)
        return try JSONBodyDecoder.decode(T.self, from: Data(buffer: buffer))
    }

    /// Reads the body and refuses malformed JSON at once. FastAPI's order is: JSON syntax,
    /// then dependencies (authentication), then field validation; routes that
    /// authenticate read the body with this, authenticate, then `decodeJSON(_:from:)`.
    public func collectJSONBody(context: AppRequestContext) async throws -> ByteBuffer {
        let buffer = try await collectBody(context: context)
        if headers[.contentType] == nil || hasJSONContentType {
            try JSONBodyDecoder.checkSyntax(Data(buffer: buffer))
        }
        return buffer
    }

    public func decodeJSON<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        try checkJSONContentType(buffer)
        return try JSONBodyDecoder.decode(T.self, from: Data(buffer: buffer))
    }

    /// A body sent with a non-JSON content type is refused (FastAPI reads it as a string
    /// and fails validation with that string as `input`).
    public func checkJSONContentType(_ buffer: ByteBuffer) throws {
        if buffer.readableBytes > 0, headers[.contentType] != nil, !hasJSONContentType {
            throw CoreError.unsupportedMediaType(
                expected: "application/json", body: String(decoding: buffer.readableBytesView.prefix(4096), as: UTF8.self))
        }
    }
}

/// How a body type reports missing fields, as FastAPI does for it.
public protocol RequestBodyShape {
    /// Required top-level fields: when several are missing, all are reported at once.
    static var requiredFields: [String] { get }
    /// FastAPI's `input` for a missing field: the whole body for a model parameter
    /// (`UserCreate`), null for fields declared with `Body(...)` (forgot-password, verify,
    /// reset-password).
    static var missingFieldInputIsWholeBody: Bool { get }
}

/// JSON decoding with FastAPI/pydantic-style error reports.
public enum JSONBodyDecoder {
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        guard !data.isEmpty else {
            throw CoreError.invalidInput([ValidationIssue(type: "missing", path: [], message: "Field required", input: .null)])
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw CoreError.invalidInput(issues(for: error, body: data, shape: T.self as? any RequestBodyShape.Type))
        }
    }

    /// Syntax-checks a body without decoding it (FastAPI rejects malformed JSON before
    /// it runs authentication).
    /// Foundation's parser decides; only a body it refuses is walked again for Python's
    /// message and offset.
    public static func checkSyntax(_ data: Data) throws {
        guard !data.isEmpty, (try? JSONDecoder().decode(AnyJSON.self, from: data)) == nil,
            let failure = JSONSyntaxError.find(in: data)
        else { return }
        throw CoreError.invalidInput([malformed(failure)])
    }

    /// Any JSON document: decoding it only runs Foundation's syntax check.
    struct AnyJSON: Decodable {
        init(from decoder: any Decoder) throws {}
    }

    static func issues(for error: DecodingError, body: Data, shape: (any RequestBodyShape.Type)?) -> [ValidationIssue] {
        let document = try? JSONDecoder().decode(JSONValue.self, from: body)
        if case .keyNotFound(_, let context) = error, context.codingPath.isEmpty, let shape, case .object(let object)? = document {
            let missing = shape.requiredFields.filter { object[$0] == nil }
            if !missing.isEmpty {
                let input: JSONValue = shape.missingFieldInputIsWholeBody ? .object(object) : .null
                return missing.map { ValidationIssue(type: "missing", path: [.string($0)], message: "Field required", input: input) }
            }
        }
        return [issue(for: error, body: body, document: document)]
    }

    static func issue(for error: DecodingError, body: Data, document: JSONValue?) -> ValidationIssue {
        let malformed = { Self.malformed(JSONSyntaxError.find(in: body) ?? .init(offset: 0, message: "Expecting value")) }
        func path(_ codingPath: [any CodingKey]) -> [JSONValue] {
            codingPath.map { key in key.intValue.map(JSONValue.int) ?? .string(key.stringValue) }
        }
        func input(at path: [JSONValue]) -> JSONValue? {
            var current = document
            for component in path {
                switch (component, current) {
                case (.string(let name), .object(let object)?): current = object[name]
                case (.int(let index), .array(let array)?): current = array.indices.contains(index) ? array[index] : nil
                default: return nil
                }
            }
            return current
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context.codingPath)
            return ValidationIssue(type: "missing", path: parent + [.string(key.stringValue)], message: "Field required", input: input(at: parent))
        case .typeMismatch(let expected, let context), .valueNotFound(let expected, let context):
            let location = path(context.codingPath)
            let (type, message) = describe(expected)
            guard document != nil else { return malformed() }
            if location.isEmpty { return rootNotAnObject(document) }
            return ValidationIssue(type: type, path: location, message: message, input: input(at: location) ?? .null)
        case .dataCorrupted(let context):
            guard document != nil else { return malformed() }
            let location = path(context.codingPath)
            if let issue = context.underlyingError as? FieldValidationError {
                return ValidationIssue(type: issue.type, path: location, message: issue.message, input: input(at: location), context: issue.context)
            }
            return ValidationIssue(type: "value_error", path: location, message: context.debugDescription, input: input(at: location))
        @unknown default:
            return malformed()
        }
    }

    static func malformed(_ failure: JSONSyntaxError.Failure) -> ValidationIssue {
        ValidationIssue(
            type: "json_invalid", path: [.int(failure.offset)], message: "JSON decode error", input: .object([:]),
            context: ["error": .string(failure.message)])
    }

    static func rootNotAnObject(_ document: JSONValue?) -> ValidationIssue {
        ValidationIssue(
            type: "model_attributes_type", path: [], message: "Input should be a valid dictionary or object to extract fields from",
            input: document ?? .null)
    }

    static func describe(_ type: Any.Type) -> (String, String) {
        switch type {
        case is String.Type: ("string_type", "Input should be a valid string")
        case is Bool.Type: ("bool_type", "Input should be a valid boolean")
        case is Int.Type, is Int64.Type, is Int32.Type: ("int_type", "Input should be a valid integer")
        case is Double.Type, is Float.Type: ("float_type", "Input should be a valid number")
        case is UUID.Type: ("uuid_type", "Input should be a valid UUID")
        case is [Any].Type: ("list_type", "Input should be a valid list")
        default: ("model_attributes_type", "Input should be a valid dictionary or object to extract fields from")
        }
    }
}

/// Thrown from a `Decodable` initializer (wrapped in `DecodingError.dataCorrupted`) to
/// report a field-level rule, e.g. an invalid e-mail address.
public struct FieldValidationError: Error, Sendable {
    public var type: String
    public var message: String
    public var context: JSONValue?

    public init(type: String = "value_error", message: String, context: JSONValue? = nil) {
        self.type = type
        self.message = message
        self.context = context
    }
}

extension KeyedDecodingContainer {
    /// Throws a field-level validation error at `key`.
    public func fail(_ key: Key, _ error: FieldValidationError) -> DecodingError {
        DecodingError.dataCorrupted(
            DecodingError.Context(codingPath: codingPath + [key], debugDescription: error.message, underlyingError: error))
    }
}
