import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import APIService

/// `/metrics` says what the platform does, beside the HTTP metrics.
@Suite struct BusinessMetricsTests {
    @Test func providerAttemptsCreditHoldsAndBuildInfoAreCounted() async throws {
        try await APIHarness.run { harness, client in
            let (_, auth) = try await writerUser(harness)
            #expect(
                try await writerCall(client, .post, "/api/research/query", auth, ["query": .string("Metrics test \(UUID().uuidString)")]).0 == .ok)
            let text = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(text.contains(#"nova_ai_provider_attempts_total{provider="offline",outcome="success"}"#), "\(text.prefix(2000))")
            #expect(text.contains(#"nova_credit_holds_total{event="reserved"} 1"#))
            #expect(text.contains(#"nova_credit_holds_total{event="settled"} 1"#))
            #expect(text.contains(#"nova_credits_total{event="settled"} 5"#))
            #expect(text.contains(#"nova_build_info{service="APIService",version="#))
            #expect(text.contains("nova_redis_configured 0"))
        }
    }
}
