import Foundation
import Logging
import NIOConcurrencyHelpers

/// What a request learns on the way in that its outermost middleware needs on the way out
/// (the caller, for the access log), shared by reference because each middleware works on
/// its own copy of the request context.
public final class RequestTrace: Sendable {
    private let caller = NIOLockedValueBox<UUID?>(nil)

    public init() {}

    public var userID: UUID? {
        get { caller.withLockedValue { $0 } }
        set { caller.withLockedValue { $0 = newValue } }
    }
}

/// W3C Trace Context `traceparent`: `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`.
/// A valid incoming one is continued (same trace id, this service's span as the parent of
/// what it calls); anything else starts a new trace. Outbound calls (the gateway, AI
/// providers) carry `header`, and logs carry `traceID`, so one request can be followed
/// through both services and to the providers.
public struct TraceContext: Sendable, Equatable {
    /// The trace of the request being handled, for code far from the request (provider
    /// calls); set by `ServiceMiddleware` around the whole handling, inherited by tasks it starts.
    @TaskLocal public static var current: TraceContext?

    public var traceID: String
    public var spanID: String
    public var flags: String
    /// The request's `X-Request-ID` (see `RequestIdentity`), for log lines.
    public var requestID = ""

    public init(traceID: String, spanID: String, flags: String) {
        self.traceID = traceID
        self.spanID = spanID
        self.flags = flags
    }

    /// The incoming `traceparent` continued with a new span of ours, or a new trace.
    public static func continuing(_ header: String?) -> TraceContext {
        if let header, let parsed = parse(header) {
            return TraceContext(traceID: parsed.traceID, spanID: randomHex(8), flags: parsed.flags)
        }
        return TraceContext(traceID: randomHex(16), spanID: randomHex(8), flags: "01")
    }

    /// A version-00 `traceparent`, or nil when malformed (all-zero ids are invalid).
    public static func parse(_ header: String) -> TraceContext? {
        let parts = header.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff", isHex(parts[0]),
            parts[1].count == 32, isHex(parts[1]), parts[1].contains(where: { $0 != "0" }),
            parts[2].count == 16, isHex(parts[2]), parts[2].contains(where: { $0 != "0" }),
            parts[3].count == 2, isHex(parts[3]),
            parts[0] != "00" || parts.count == 4
        else { return nil }
        return TraceContext(traceID: String(parts[1]), spanID: String(parts[2]), flags: String(parts[3]))
    }

    /// The header to send on calls made while handling this request.
    public var header: String { "00-\(traceID)-\(spanID)-\(flags)" }

    static func isHex(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// 8 or 16 random bytes as hex.
    static func randomHex(_ bytes: Int) -> String {
        var generator = IdentifierRandom()
        return bytes == 16 ? Hex.string(words: generator.next(), generator.next()) : Hex.string(words: generator.next())
    }
}

extension Logger.MetadataProvider {
    /// `request_id` and `trace_id` of the request being handled, added to every line
    /// written while it is (`LoggingSetup` installs it). Read only when a line is written:
    /// setting them as logger metadata copied the logger's storage on every request.
    public static let request = Logger.MetadataProvider {
        guard let trace = TraceContext.current else { return [:] }
        return ["request_id": .string(trace.requestID), "trace_id": .string(trace.traceID)]
    }
}
