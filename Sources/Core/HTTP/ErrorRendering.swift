import Foundation
import HTTPTypes
import Hummingbird

/// An error answer, before it becomes a `Response`.
public struct ErrorResponse: Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var body: JSONValue
    public var headers: HTTPFields

    public init(status: HTTPResponse.Status, body: JSONValue, headers: HTTPFields = [:]) {
        self.status = status
        self.body = body
        self.headers = headers
    }

    public func response() -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: body.encodedData())))
    }
}

/// Maps errors to one contract's shape. The one place where a service decides what an
/// error looks like on the wire; `nil` means "not one of mine" and becomes a logged 500.
public protocol ErrorRenderer: Sendable {
    func render(_ error: any Error) -> ErrorResponse?
    /// The answer to an unexpected error: never carries internal details.
    var internalError: ErrorResponse { get }
}

/// fastapi-users / FastAPI shape: `{"detail": …}` (auth service).
public struct FastAPIErrorRenderer: ErrorRenderer {
    public init() {}

    public var internalError: ErrorResponse {
        ErrorResponse(status: .internalServerError, body: ["detail": "Internal Server Error"])
    }

    public func render(_ error: any Error) -> ErrorResponse? {
        switch error {
        case let error as CoreError: return render(core: error)
        case is TokenError: return render(core: .unauthorized)
        case let error as HTTPError: return renderHTTPError(error)
        default: return nil
        }
    }

    public func render(core error: CoreError) -> ErrorResponse {
        switch error {
        case .routeNotFound, .notFound:
            return ErrorResponse(status: .notFound, body: ["detail": "Not Found"])
        case .methodNotAllowed(let allowed):
            return ErrorResponse(
                status: .methodNotAllowed, body: ["detail": "Method Not Allowed"], headers: [.allow: allowed.joined(separator: ", ")])
        case .payloadTooLarge:
            return ErrorResponse(status: .contentTooLarge, body: ["detail": "Request body too large"])
        case .unsupportedMediaType(_, let body):
            // FastAPI reads a non-JSON body as a string and fails model validation.
            return render(core: .invalidInput([JSONBodyDecoder.rootNotAnObject(body.map(JSONValue.string))]))
        case .invalidInput(let issues):
            return ErrorResponse(status: .unprocessableContent, body: ["detail": .array(issues.map(Self.fastAPIIssue))])
        case .unauthorized:
            return ErrorResponse(status: .unauthorized, body: ["detail": "Unauthorized"])
        case .forbidden:
            return ErrorResponse(status: .forbidden, body: ["detail": "Forbidden"])
        case .tooManyRequests(let retryAfter):
            return ErrorResponse(
                status: .tooManyRequests, body: ["detail": "TOO_MANY_REQUESTS"], headers: [.retryAfter: String(max(1, retryAfter))])
        case .serviceUnavailable(let message):
            return ErrorResponse(status: .serviceUnavailable, body: ["detail": .string(message)])
        case .badGateway(let message):
            return ErrorResponse(status: .badGateway, body: ["detail": .string(message)])
        case .conflict(let message):
            return ErrorResponse(status: .conflict, body: ["detail": .string(message)])
        case .aiProvider(let message):
            return ErrorResponse(status: .badGateway, body: ["detail": .string(message)])
        }
    }

    func renderHTTPError(_ error: HTTPError) -> ErrorResponse {
        switch error.status {
        case .notFound: return render(core: .routeNotFound)
        case .contentTooLarge: return render(core: .payloadTooLarge(limit: 0))
        case .methodNotAllowed: return ErrorResponse(status: .methodNotAllowed, body: ["detail": "Method Not Allowed"])
        default: return ErrorResponse(status: error.status, body: ["detail": .string(error.status.reasonPhrase)])
        }
    }

    public static func fastAPIIssue(_ issue: ValidationIssue) -> JSONValue {
        var object: [String: JSONValue] = [
            "type": .string(issue.type),
            "loc": .array([.string(issue.location.name)] + issue.path),
            "msg": .string(issue.message),
            "input": issue.input ?? .null,
        ]
        if let context = issue.context { object["ctx"] = context }
        return .object(object)
    }
}

/// The API service's envelope: `{"success": false, "error": {code, message, details?}}`.
public struct EnvelopeErrorRenderer: ErrorRenderer {
    public init() {}

    public static func body(code: String, message: String, details: JSONValue? = nil) -> JSONValue {
        var error: [String: JSONValue] = ["code": .string(code), "message": .string(message)]
        if let details { error["details"] = details }
        return ["success": false, "error": .object(error)]
    }

    public var internalError: ErrorResponse {
        ErrorResponse(status: .internalServerError, body: Self.body(code: "INTERNAL_ERROR", message: "Internal server error"))
    }

    public func render(_ error: any Error) -> ErrorResponse? {
        switch error {
        case let error as CoreError: return render(core: error)
        case let error as TokenError:
            return error == .expired
                ? ErrorResponse(status: .unauthorized, body: Self.body(code: "TOKEN_EXPIRED", message: "Access token has expired"))
                : ErrorResponse(status: .unauthorized, body: Self.body(code: "INVALID_TOKEN", message: "Access token is invalid"))
        case let error as HTTPError: return renderHTTPError(error)
        case let error as CreditError: return error.envelope
        default: return nil
        }
    }

    public func render(core error: CoreError) -> ErrorResponse {
        switch error {
        case .routeNotFound:
            return ErrorResponse(status: .notFound, body: Self.body(code: "NOT_FOUND", message: "Route not found"))
        case .methodNotAllowed(let allowed):
            return ErrorResponse(
                status: .methodNotAllowed, body: Self.body(code: "METHOD_NOT_ALLOWED", message: "Method not allowed"),
                headers: [.allow: allowed.joined(separator: ", ")])
        case .notFound:
            return ErrorResponse(status: .notFound, body: Self.body(code: "NOT_FOUND", message: "Resource not found"))
        case .payloadTooLarge(let limit):
            let message = limit > 0 ? "Request body exceeds \(limit) bytes" : "Request body too large"
            return ErrorResponse(status: .contentTooLarge, body: Self.body(code: "PAYLOAD_TOO_LARGE", message: message))
        case .unsupportedMediaType(let expected, _):
            return ErrorResponse(
                status: .unsupportedMediaType, body: Self.body(code: "UNSUPPORTED_MEDIA_TYPE", message: "Expected Content-Type \(expected)"))
        case .invalidInput(let issues):
            let details = JSONValue.array(issues.map { ["field": .string($0.field), "message": .string($0.message)] })
            return ErrorResponse(status: .badRequest, body: Self.body(code: "VALIDATION_ERROR", message: "Invalid request", details: details))
        case .unauthorized:
            return ErrorResponse(status: .unauthorized, body: Self.body(code: "UNAUTHORIZED", message: "Authentication required"))
        case .forbidden:
            return ErrorResponse(status: .forbidden, body: Self.body(code: "FORBIDDEN", message: "You do not have access to this resource"))
        case .tooManyRequests(let retryAfter):
            return ErrorResponse(
                status: .tooManyRequests, body: Self.body(code: "RATE_LIMIT_EXCEEDED", message: "Too many requests, retry later"),
                headers: [.retryAfter: String(max(1, retryAfter))])
        case .serviceUnavailable(let message):
            return ErrorResponse(status: .serviceUnavailable, body: Self.body(code: "SERVICE_UNAVAILABLE", message: message))
        case .badGateway(let message):
            return ErrorResponse(status: .badGateway, body: Self.body(code: "BAD_GATEWAY", message: message))
        case .conflict(let message):
            return ErrorResponse(status: .conflict, body: Self.body(code: "CONFLICT", message: message))
        case .aiProvider(let message):
            return ErrorResponse(status: .badGateway, body: Self.body(code: "AI_PROVIDER_ERROR", message: message))
        }
    }

    func renderHTTPError(_ error: HTTPError) -> ErrorResponse {
        switch error.status {
        case .notFound: return render(core: .routeNotFound)
        case .contentTooLarge: return render(core: .payloadTooLarge(limit: 0))
        default:
            let code = error.status.code >= 500 ? "INTERNAL_ERROR" : "BAD_REQUEST"
            return ErrorResponse(status: error.status, body: Self.body(code: code, message: error.status.reasonPhrase))
        }
    }
}
