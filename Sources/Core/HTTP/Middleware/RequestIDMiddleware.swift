import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    public static let requestID = HTTPField.Name("X-Request-ID")!
    public static let csrfToken = HTTPField.Name("X-CSRF-Token")!
    public static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    public static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    public static let forwardedHost = HTTPField.Name("X-Forwarded-Host")!
}

/// Gives every request an id: the caller's `X-Request-ID` when it is a sane token (so a
/// gateway's id follows the request through both services), otherwise a new one. The
/// id is echoed in the response and attached to every log line of the request, as is the
/// W3C trace id (`traceparent` continued, or a new trace; see `TraceContext`).
public struct RequestIDMiddleware: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        let id = request.headers[.requestID].flatMap { Self.isAcceptable($0) ? $0 : nil } ?? Self.generate()
        context.requestID = id
        context.logger[metadataKey: "request_id"] = .string(id)
        let trace = TraceContext.continuing(request.headers[.traceparent])
        context.logger[metadataKey: "trace_id"] = .string(trace.traceID)
        var response = try await TraceContext.$current.withValue(trace) { try await next(request, context) }
        response.headers[.requestID] = id
        return response
    }

    static func isAcceptable(_ id: String) -> Bool {
        id.utf8.count <= 128 && !id.isEmpty
            && id.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x3A
            }
    }

    static func generate() -> String {
        var generator = IdentifierRandom()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return String(high, radix: 16).leftPadded(to: 16) + String(low, radix: 16).leftPadded(to: 16)
    }
}

extension String {
    func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
