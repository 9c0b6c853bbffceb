import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import Testing

@testable import Core

/// The access log, W3C trace context and JSON log lines.
@Suite struct ObservabilityTests {
    @Test func traceparentIsContinuedWhenValidAndStartedOtherwise() {
        let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let continued = TraceContext.continuing(incoming)
        #expect(continued.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(continued.spanID != "00f067aa0ba902b7" && continued.spanID.count == 16)
        #expect(continued.header.hasPrefix("00-4bf92f3577b34da6a3ce929d0e0e4736-") && continued.header.hasSuffix("-01"))
        for bad in [
            "", "garbage", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", String(repeating: "0", count: 100_000),
        ] {
            #expect(TraceContext.parse(bad) == nil, "\(bad.prefix(60))")
            let fresh = TraceContext.continuing(bad)
            #expect(fresh.traceID.count == 32 && fresh.traceID != "00000000000000000000000000000000")
        }
        // A later version may add fields after the flags.
        #expect(
            TraceContext.parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-ever")?.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
    }

    @Test func jsonLinesKeepTheirOwnMessageAndLevel() throws {
        let data = JSONLogHandler.line(
            label: "APIService", level: .info, message: "request",
            metadata: ["message": "from a provider", "level": "critical", "status": .stringConvertible(200)])
        let line = try JSONDecoder().decode(JSONValue.self, from: data)
        #expect(line["message"] == "request")
        #expect(line["level"] == "info")
        #expect(line["meta_message"] == "from a provider")
        #expect(line["meta_level"] == "critical")
        #expect(line["status"] == "200")
    }

    @Test func everyRequestWritesOneAccessLineWithRouteStatusRequestAndUser() async throws {
        let lines = CapturedLines()
        let logger = Logger(label: "test") { _ in CapturingHandler(lines: lines) }
        let router = Router(context: AppRequestContext.self)
        router.add(
            middleware: ServiceMiddleware(
                trustedProxies: try TrustedProxies([]), metrics: RequestMetrics(registry: .init()), cors: CORSPolicy(allowedOrigins: []),
                renderer: FastAPIErrorRenderer(), bodyLimits: BodyLimits(limit: 1 << 20)))
        router.get("/items/:id") { _, context -> String in
            var context = context
            context.user = UserRecord(id: UUID(uuidString: "6f1c2f0e-8a51-4d8e-9a53-2b0a4b3f6f10")!, email: "a@example.com", hashedPassword: "x")
            return TraceContext.current?.traceID ?? "none"
        }
        let app = Application(router: router, logger: logger)
        try await app.test(.router) { client in
            let trace = try await client.execute(
                uri: "/items/42?token=secret-token", method: .get,
                headers: [.traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", .authorization: "Bearer secret-token"]
            ) { String(buffer: $0.body) }
            #expect(trace == "4bf92f3577b34da6a3ce929d0e0e4736")
        }
        let access = lines.all.filter { $0.message == "request" }
        #expect(access.count == 1)
        let line = try #require(access.first)
        #expect(line.level == .info)
        #expect(line.metadata["route"] == "/items/{id}")
        #expect(line.metadata["method"] == "GET")
        #expect(line.metadata["status"]?.description == "200")
        #expect(line.metadata["user_id"] == "6f1c2f0e-8a51-4d8e-9a53-2b0a4b3f6f10")
        #expect(line.metadata["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(line.metadata["request_id"] != nil)
        #expect(line.metadata["duration_ms"] != nil)
        // Never the query (signed URLs, tokens) nor a credential.
        #expect(!lines.all.contains { "\($0.metadata)".contains("secret-token") })
    }
}

final class CapturedLines: Sendable {
    struct Line: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    private let box = NIOLockedValueBox<[Line]>([])
    var all: [Line] { box.withLockedValue { $0 } }
    func append(_ line: Line) { box.withLockedValue { $0.append(line) } }
}

struct CapturingHandler: LogHandler {
    let lines: CapturedLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.append(.init(level: event.level, message: event.message.description, metadata: metadata.merging(event.metadata ?? [:]) { $1 }))
    }
}
