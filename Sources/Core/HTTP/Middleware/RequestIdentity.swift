import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    public static let requestID = HTTPField.Name("X-Request-ID")!
    public static let csrfToken = HTTPField.Name("X-CSRF-Token")!
    public static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    public static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    public static let forwardedHost = HTTPField.Name("X-Forwarded-Host")!
}

/// Every request's id: the caller's `X-Request-ID` when it is a sane token (so a gateway's
/// id follows the request through both services), otherwise a new one. `ServiceMiddleware`
/// echoes it in the response and attaches it to every log line of the request, as it does
/// the W3C trace id (`traceparent` continued, or a new trace; see `TraceContext`).
enum RequestIdentity {
    static func id(accepting header: String?) -> String {
        if let header, isAcceptable(header) { return header }
        return generate()
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
        return Hex.string(words: generator.next(), generator.next())
    }
}
