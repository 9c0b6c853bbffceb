import HTTPTypes

/// One problem with a request's input, in the terms both contracts need: FastAPI's
/// `{type, loc, msg, input}` and the API envelope's `{field, message}`.
public struct ValidationIssue: Sendable, Equatable {
    public enum Location: Sendable, Equatable {
        case body, query, header, path, cookie

        var name: String {
            switch self {
            case .body: "body"
            case .query: "query"
            case .header: "header"
            case .path: "path"
            case .cookie: "cookie"
            }
        }
    }

    /// FastAPI/pydantic error type, e.g. `missing`, `string_type`, `json_invalid`.
    public var type: String
    public var location: Location
    /// Path inside the location: field names and array indices.
    public var path: [JSONValue]
    public var message: String
    public var input: JSONValue?
    public var context: JSONValue?

    public init(type: String, location: Location = .body, path: [JSONValue], message: String, input: JSONValue? = nil, context: JSONValue? = nil) {
        self.type = type
        self.location = location
        self.path = path
        self.message = message
        self.input = input
        self.context = context
    }

    /// `email` or `sections[2].title`.
    public var field: String {
        var result = ""
        for component in path {
            switch component {
            case .int(let index): result += "[\(index)]"
            case .string(let name): result += result.isEmpty ? name : ".\(name)"
            default: break
            }
        }
        return result.isEmpty ? location.name : result
    }

    public static func missing(_ field: String, location: Location = .body, input: JSONValue? = nil) -> ValidationIssue {
        ValidationIssue(type: "missing", location: location, path: [.string(field)], message: "Field required", input: input)
    }
}

/// Failures that both services answer, each in its own contract's shape.
public enum CoreError: Error, Sendable, Equatable {
    case routeNotFound
    /// The path exists with other methods (listed in `Allow`).
    case methodNotAllowed(allowed: [String])
    case notFound
    case payloadTooLarge(limit: Int)
    /// `body`: the start of what was sent, which FastAPI echoes as `input`.
    case unsupportedMediaType(expected: String, body: String?)
    case invalidInput([ValidationIssue])
    case unauthorized
    case forbidden
    case tooManyRequests(retryAfterSeconds: Int)
    case serviceUnavailable(String)
    case badGateway(String)
    /// The request conflicts with the resource's current state (a stale version, nothing
    /// to cancel).
    case conflict(String)
    /// Every AI provider failed (502 AI_PROVIDER_ERROR; the user is not charged).
    case aiProvider(String)
}
