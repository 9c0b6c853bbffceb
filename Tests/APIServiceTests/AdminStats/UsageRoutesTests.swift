import Core
import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import APIService

@Suite struct UsageRoutesTests {
    @Test func syncRecordsUsageAndStatsAggregateItUnderBothPrefixes() async throws {
        try await APIHarness.run { harness, client in
            let (id, auth) = try await harness.user()
            let user = id.uuidString.lowercased()
            let created = try await exchange(
                client, .post, "/api/v1/token-usage/sync", auth,
                #"{"userId":"\#(user)","action":"article","tokensUsed":1200,"provider":"Gemini","source":"wordpress","metadata":{"postId":7}}"#)
            #expect(created.status == .created)
            #expect(created.json["success"] == true)
            #expect(created.json["data"]?["tokensUsed"] == 1200)
            #expect(created.json["data"]?["provider"] == "gemini")
            #expect(created.json["data"]?["userId"] == .string(user))
            try await exchange(client, .post, "/api/token-usage/sync", auth, #"{"userId":"\#(user)","action":"section","tokensUsed":300}"#)
            try await exchange(
                client, .post, "/api/token-usage/sync", auth, #"{"userId":"\#(user)","action":"article","tokensUsed":0,"provider":null}"#)
            for prefix in ["/api/v1", "/api"] {
                let stats = try await exchange(client, .get, "\(prefix)/token-usage/stats?period=day", auth)
                #expect(stats.status == .ok)
                let data = stats.json["data"]
                #expect(data?["period"] == "day")
                #expect(data?["totalTokens"] == 1500)
                #expect(data?["totalOperations"] == 3)
                #expect(data?["byAction"]?["article"] == ["tokens": 1200, "operations": 2])
                #expect(data?["byAction"]?["section"] == ["tokens": 300, "operations": 1])
                #expect(data?["byProvider"]?["gemini"] == ["tokens": 1200, "operations": 1])
                #expect(data?["byProvider"]?["unknown"] == ["tokens": 300, "operations": 2])
                #expect(data?["bySource"]?["wordpress"] == ["tokens": 1200, "operations": 1])
                #expect(data?["bySource"]?["sync"] == ["tokens": 300, "operations": 2])
                let records = data?["records"]?.arrayValue ?? []
                #expect(records.count == 3)
                #expect(records.last?["metadata"] == ["postId": 7])
                #expect(records.first?["action"] == "article")
            }
            // The default window is a month; another user's rows never show.
            let (_, otherAuth) = try await harness.user()
            let other = try await exchange(client, .get, "/api/v1/token-usage/stats", otherAuth)
            #expect(other.json["data"]?["period"] == "month")
            #expect(other.json["data"]?["totalOperations"] == 0)
            #expect(other.json["data"]?["records"] == [])
        }
    }

    @Test func syncRefusesBadInputAndOtherUsers() async throws {
        try await APIHarness.run { harness, client in
            let (id, auth) = try await harness.user()
            let user = id.uuidString.lowercased()
            let long = String(repeating: "a", count: 101)
            let cases: [(String, String)] = [
                (#"{"userId":"\#(user)","action":"x","tokensUsed":"12"}"#, "tokensUsed"),
                (#"{"userId":"\#(user)","action":"x","tokensUsed":1.5}"#, "tokensUsed"),
                (#"{"userId":"\#(user)","action":"x","tokensUsed":-1}"#, "tokensUsed"),
                (#"{"userId":"\#(user)","action":"x","tokensUsed":10000001}"#, "tokensUsed"),
                (#"{"userId":"\#(user)","action":"","tokensUsed":1}"#, "action"),
                (#"{"userId":"\#(user)","action":"\#(long)","tokensUsed":1}"#, "action"),
                (#"{"userId":"\#(user)","action":5,"tokensUsed":1}"#, "action"),
                (#"{"action":"x","tokensUsed":1}"#, "userId"),
                (#"{"userId":"nope","action":"x","tokensUsed":1}"#, "userId"),
                (#"{"userId":"\#(user)","action":"x","tokensUsed":1,"metadata":[1]}"#, "metadata"),
                (#"{"userId":"\#(user)","action":"x","tokensUsed":1,"provider":7}"#, "provider"),
            ]
            for (body, field) in cases {
                let reply = try await exchange(client, .post, "/api/v1/token-usage/sync", auth, body)
                #expect(reply.status == .badRequest, "\(body)")
                #expect(reply.json.envelopeErrorCode == "VALIDATION_ERROR")
                #expect(reply.json.firstDetailField == .string(field), "\(body)")
            }
            for body in [#"{"userId":"#, "[1,2]", ""] {
                #expect(try await exchange(client, .post, "/api/token-usage/sync", auth, body).status == .badRequest, "\(body)")
            }
            // Someone else's id: 403 for a user, allowed for an admin (404 when unknown).
            let (other, _) = try await harness.user()
            let body = #"{"userId":"\#(other.uuidString)","action":"x","tokensUsed":5}"#
            let forbidden = try await exchange(client, .post, "/api/v1/token-usage/sync", auth, body)
            #expect(forbidden.status == .forbidden)
            #expect(forbidden.json.envelopeErrorCode == "FORBIDDEN")
            let (_, adminAuth) = try await harness.adminUser()
            #expect(try await exchange(client, .post, "/api/v1/token-usage/sync", adminAuth, body).status == .created)
            #expect(try await harness.sqlInt("SELECT count(*)::int FROM tool_usage WHERE user_id = \(other)") == 1)
            #expect(try await harness.sqlInt("SELECT count(*)::int FROM audit_log WHERE user_id = \(other) AND event = 'admin_usage_sync'") == 1)
            let unknown = try await exchange(
                client, .post, "/api/token-usage/sync", adminAuth, #"{"userId":"\#(UUID().uuidString)","action":"x","tokensUsed":5}"#)
            #expect(unknown.status == .notFound)
            #expect(try await exchange(client, .post, "/api/token-usage/sync", [:], body).status == .unauthorized)
            let period = try await exchange(client, .get, "/api/token-usage/stats?period=year", auth)
            #expect(period.status == .badRequest)
            #expect(period.json.firstDetailField == "period")
        }
    }

    @Test func usageRecorderWritesUsageFailuresAndTheTokenCounter() async throws {
        try await APIHarness.run { harness, client in
            let (id, auth) = try await harness.user()
            // Provisions the subscription (its period is what the token counter follows).
            #expect(try await exchange(client, .get, "/api/v1/subscription/usage", auth).status == .ok)
            let recorder = UsageRecorder(database: harness.database)
            let first = try await recorder.record(
                UsageEvent(
                    userID: id, tool: "section", provider: "gemini", model: "gemini-test", tokensIn: 100, tokensOut: 250, credits: 5, latencyMs: 1200)
            )
            try await recorder.record(
                UsageEvent(
                    userID: id, tool: "section", provider: "openai", latencyMs: 60_000,
                    outcome: .failure(errorType: "timeout", message: String(repeating: "x", count: 5_000))))
            #expect(first > 0)
            #expect(try await harness.sqlInt("SELECT tokens_used::int FROM tool_usage WHERE id = \(first)") == 350)
            #expect(try await harness.sqlInt("SELECT count(*)::int FROM tool_usage WHERE user_id = \(id) AND status = 'failure'") == 1)
            #expect(
                try await harness.sqlInt(
                    "SELECT length(message) FROM generation_failures WHERE user_id = \(id) AND error_type = 'timeout'")
                    == UsageRecorder.maximumMessageLength)
            let usage = try await exchange(client, .get, "/api/subscription/usage", auth)
            #expect(usage.json["data"]?["tokens"]?["used"] == 350)
        }
    }

    @Test func statsReportThePeriodCreditsAndAZeroFilledSeries() async throws {
        try await APIHarness.run { harness, client in
            let (id, auth) = try await harness.user()
            let reservations = CreditReservations(database: harness.database)
            if case .reserved(let hold) = try await reservations.reserve(userID: id, feature: "article") {
                try await reservations.settle(hold)
            }
            try await UsageRecorder(database: harness.database).record(
                UsageEvent(userID: id, tool: "article", tokensIn: 40, tokensOut: 60, credits: 10))
            for prefix in ["/api/v1", "/api"] {
                let reply = try await exchange(client, .get, "\(prefix)/stats", auth)
                #expect(reply.status == .ok)
                let data = reply.json["data"]
                #expect(data?["plan"] == "FREE")
                #expect(data?["usage"]?["articles"] == ["used": 1, "limit": 10, "remaining": 9])
                #expect(data?["usage"]?["videos"] == ["used": 0, "limit": 0, "remaining": 0])
                #expect(data?["usage"]?["tokens"]?["used"] == 100)
                #expect(data?["creditsSpent"] == 10)
                #expect(data?["credits"]?["balance"] == 190)
                #expect(data?["period"]?["start"]?.stringValue != nil)
                let daily = data?["daily"]?.arrayValue ?? []
                #expect(daily.count == 30)
                let today = String(ISO8601.string(from: Date()).prefix(10))
                #expect(daily.last == ["date": .string(today), "operations": 1, "tokens": 100, "credits": 10])
                #expect(daily.first?["operations"] == 0)
                #expect(daily.dropLast().allSatisfy { $0["operations"] == 0 && $0["credits"] == 0 })
                #expect(data?["totals"] == ["operations": 1, "tokens": 100, "credits": 10])
            }
            #expect(try await exchange(client, .get, "/api/stats").status == .unauthorized)
        }
    }
}
