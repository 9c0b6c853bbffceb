import HTTPTypes
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import Prometheus

/// Counts and times every request for `/metrics`, labelled by route template (not the raw
/// path, which would explode label cardinality), and writes the access log.
public struct RequestMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let handles = MetricHandles()
    static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func record(_ request: Request, context: AppRequestContext, trace: TraceContext, response: Response, elapsed: Duration) {
        let route = context.endpointPath ?? "unmatched"
        let method = request.method.rawValue
        let (counter, histogram) = handles.get(method: method, route: route, status: response.status.code) {
            (
                registry.makeCounter(
                    name: "http_requests_total", labels: [("method", method), ("route", route), ("status", String(response.status.code))]),
                registry.makeDurationHistogram(
                    name: "http_request_duration_seconds", labels: [("method", method), ("route", route)], buckets: Self.buckets)
            )
        }
        counter.increment()
        histogram.record(elapsed)
        // The access log: one line per request at info (server errors at warning). The path
        // without its query (signed URLs and tokens travel there), the route template, and
        // the caller once an authenticator knew them. Built only when the level is on.
        let level: Logger.Level = response.status.code >= 500 ? .warning : .info
        if context.logger.logLevel <= level {
            var metadata: Logger.Metadata = [
                "method": .string(method), "route": .string(route), "path": .string(request.uri.path),
                "status": .stringConvertible(response.status.code), "request_id": .string(trace.requestID), "trace_id": .string(trace.traceID),
                "duration_ms": .stringConvertible(
                    Double(elapsed.components.attoseconds / 1_000_000_000_000) / 1000 + Double(elapsed.components.seconds) * 1000),
            ]
            if let user = context.trace.userID { metadata["user_id"] = .string(user.lowercasedString) }
            context.logger.log(level: level, level == .warning ? "request failed" : "request", metadata: metadata)
        }
    }
}

/// The registry's label lookup is too slow for every request: keep the handles.
final class MetricHandles: Sendable {
    /// The status as a number: its label text is made once, with the handles.
    struct Key: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    private let handles = NIOLockedValueBox([Key: (Counter, DurationHistogram)]())

    func get(method: String, route: String, status: Int, make: () -> (Counter, DurationHistogram)) -> (Counter, DurationHistogram) {
        let key = Key(method: method, route: route, status: status)
        if let existing = handles.withLockedValue({ $0[key] }) { return existing }
        let made = make()
        handles.withLockedValue { $0[key] = made }
        return made
    }
}
