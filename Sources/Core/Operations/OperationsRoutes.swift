import Foundation
import HTTPTypes
import Hummingbird
import Prometheus

/// `/health`, `/ready`, `/metrics` and `/openapi.json`, identical on both services.
public struct OperationsRoutes: Sendable {
    let checks: [any ReadinessCheck]
    let registry: PrometheusCollectorRegistry
    let openAPI: JSONValue
    /// Run before each scrape: they set the gauges read off state (outbox depth, Redis).
    let scrapeGauges: [@Sendable () async -> Void]

    public init(
        checks: [any ReadinessCheck], registry: PrometheusCollectorRegistry, openAPI: JSONValue, scrapeGauges: [@Sendable () async -> Void] = []
    ) {
        self.checks = checks
        self.registry = registry
        self.openAPI = openAPI
        self.scrapeGauges = scrapeGauges
    }

    public static let operations: [OpenAPIOperation] = [
        OpenAPIOperation("GET", "/health", summary: "Liveness", tag: "operations"),
        OpenAPIOperation(
            "GET", "/ready", summary: "Readiness: database (and cache) reachable", tag: "operations",
            responses: [200: "Ready", 503: "A required dependency is unreachable"]),
        OpenAPIOperation("GET", "/metrics", summary: "Prometheus metrics", tag: "operations"),
        OpenAPIOperation("GET", "/openapi.json", summary: "This document", tag: "operations"),
    ]

    public func register(on router: Router<AppRequestContext>) {
        let openAPIBody = ByteBuffer(data: openAPI.encodedData())
        router.get("/health") { _, _ in
            Self.json(["status": "ok", "timestamp": .string(ISO8601.string(from: Date()))])
        }
        router.get("/ready") { _, _ in
            var results: [String: JSONValue] = [:]
            var ready = true
            await withTaskGroup(of: (String, Bool, Bool).self) { group in
                for check in checks {
                    group.addTask { (check.name, check.isRequired, await check.isReady()) }
                }
                for await (name, required, ok) in group {
                    results[name] = .string(ok ? "ok" : "unavailable")
                    if required && !ok { ready = false }
                }
            }
            return Self.json(["status": ready ? "ready" : "unavailable", "checks": .object(results)], status: ready ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            for refresh in scrapeGauges { await refresh() }
            var buffer: [UInt8] = []
            buffer.reserveCapacity(16 * 1024)
            registry.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: openAPIBody))
        }
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: value.encodedData())))
    }
}
