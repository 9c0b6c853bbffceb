import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import TestSupport
import Testing

@testable import APIService

@Suite struct AdminRoutesTests {
    /// Every admin route, with a body that would be valid for an admin.
    static func adminRoutes(target: UUID) -> [(HTTPRequest.Method, String, String?)] {
        let id = target.uuidString.lowercased()
        return [
            (.get, "/admin/users", nil), (.patch, "/admin/users/\(id)", #"{"role":"admin"}"#),
            (.post, "/admin/users/\(id)/credits", #"{"delta":5,"reason":"x"}"#), (.get, "/admin/subscriptions", nil),
            (.get, "/admin/quota", nil), (.get, "/admin/audit-log", nil), (.get, "/admin/settings", nil),
            (.put, "/admin/settings", #"{"focusKeyphrase":"x"}"#), (.get, "/admin/generation-failures", nil),
            (.get, "/stats/usage", nil), (.get, "/stats/plans", nil), (.get, "/stats/failures", nil),
        ]
    }

    @Test func everyAdminRouteIs403ForUsersAnd401WithoutAToken() async throws {
        try await APIHarness.run { harness, client in
            let (me, auth) = try await harness.user()
            for prefix in ["/api/v1", "/api"] {
                for (method, path, body) in Self.adminRoutes(target: me) {
                    let reply = try await exchange(client, method, prefix + path, auth, body)
                    #expect(reply.status == .forbidden, "\(method) \(prefix)\(path)")
                    #expect(reply.json["success"] == false)
                    #expect(reply.json.envelopeErrorCode == "FORBIDDEN", "\(method) \(prefix)\(path)")
                    let anonymous = try await exchange(client, method, prefix + path, [:], body)
                    #expect(anonymous.status == .unauthorized, "\(method) \(prefix)\(path)")
                }
            }
            // Nothing was changed by the refused calls.
            #expect(try await harness.sqlText("SELECT role FROM users WHERE id = \(me)") == "user")
            #expect(try await harness.sqlInt("SELECT count(*)::int FROM audit_log WHERE user_id = \(me)") == 0)
        }
    }

    /// One source of truth: `role`, with `is_superuser` held equal to it by the database,
    /// so that no half-demoted admin exists for either service to disagree about.
    @Test func adminIsOneFactAndNobodyChangesTheirOwnRole() async throws {
        try await APIHarness.run { harness, client in
            let id = try await TestUsers.create(on: harness.database)
            for half in ["is_superuser = true", "role = 'admin'"] {
                await #expect(throws: (any Error).self) {
                    try await harness.database.client.query(
                        PostgresQuery(unsafeSQL: "UPDATE users SET \(half) WHERE id = '\(id)'"), logger: harness.database.logger)
                }
            }
            let auth: HTTPFields = [.authorization: "Bearer \(try await harness.tokens.accessToken(for: id))"]
            try await harness.database.client.query(
                "UPDATE users SET is_superuser = true, role = 'admin' WHERE id = \(id)", logger: harness.database.logger)
            for prefix in ["/api/v1", "/api"] {
                #expect(try await exchange(client, .get, "\(prefix)/admin/subscriptions", auth).status == .ok)
                #expect(try await exchange(client, .get, "\(prefix)/stats/plans", auth).status == .ok)
            }
            for role in ["admin", "user"] {
                let own = try await exchange(client, .patch, "/api/admin/users/\(id)", auth, #"{"role":"\#(role)"}"#)
                #expect(own.status == .badRequest)
                #expect(own.json["error"]?["details"]?.arrayValue?.first?["message"] == "You cannot change your own role")
            }
            #expect(try await harness.sqlInt("SELECT count(*)::int FROM audit_log WHERE user_id = \(id)") == 0)
            let (_, plain) = try await harness.user()
            #expect(try await exchange(client, .get, "/api/admin/subscriptions", plain).status == .forbidden)
        }
    }

    @Test func unknownAdminRoutesAre404InTheEnvelope() async throws {
        try await APIHarness.run { harness, client in
            let (_, adminAuth) = try await harness.adminUser()
            for uri in ["/api/v1/admin/nothing", "/api/admin/users/\(UUID().uuidString)/nothing"] {
                let reply = try await exchange(client, .get, uri, adminAuth)
                #expect(reply.status == .notFound, "\(uri)")
                #expect(reply.json.envelopeErrorCode == "NOT_FOUND")
            }
        }
    }

    @Test func usersAreListedSearchedAndPaginated() async throws {
        try await APIHarness.run { harness, client in
            let (_, adminAuth) = try await harness.adminUser()
            let marker = "zq\(UUID().uuidString.prefix(6).lowercased())"
            let first = try await TestUsers.create(on: harness.database, email: "alice.\(marker)@example.com")
            try await TestUsers.create(on: harness.database, email: "bob.\(marker)@example.com")
            try await harness.database.client.query(
                "UPDATE users SET name = \("Carol \(marker.uppercased())") WHERE id = \(first)", logger: harness.database.logger)
            // Under /api/ the body is the bare list (the admin dashboard's reading; see
            // FrontendReplayTests); the paginated envelope is /api/v1/'s.
            let bare = try await exchange(client, .get, "/api/admin/users?search=\(marker.uppercased())&limit=1", adminAuth)
            #expect(bare.json.arrayValue?.count == 1)
            #expect(bare.json.arrayValue?.first?["created_at"]?.stringValue != nil)
            for prefix in ["/api/v1"] {
                let reply = try await exchange(client, .get, "\(prefix)/admin/users?search=\(marker.uppercased())&limit=1", adminAuth)
                #expect(reply.status == .ok)
                let item = reply.json["data"]?["items"]?.arrayValue?.first
                let next = reply.json["data"]?["pagination"]?["nextCursor"]?.stringValue
                #expect(
                    reply.json["data"]?["pagination"] == [
                        "page": 1, "limit": 1, "total": 2, "totalPages": 2, "nextCursor": next.map(JSONValue.string) ?? .null,
                    ])
                // The cursor gives the other user, then nothing.
                let after = try await exchange(client, .get, "\(prefix)/admin/users?search=\(marker)&limit=1&cursor=\(next ?? "")", adminAuth)
                let second = after.json["data"]?["items"]?.arrayValue ?? []
                #expect(second.count == 1 && second.first?["id"] != item?["id"])
                let cursor = after.json["data"]?["pagination"]?["nextCursor"]?.stringValue ?? ""
                let end = try await exchange(client, .get, "\(prefix)/admin/users?search=\(marker)&limit=1&cursor=\(cursor)", adminAuth)
                #expect(end.json["data"]?["items"] == [])
                let bad = try await exchange(client, .get, "\(prefix)/admin/users?cursor=12_not-a-uuid", adminAuth)
                #expect(bad.status == .badRequest)
                #expect(item?["role"] == "user")
                #expect(item?["is_active"] == true)
                #expect(item?["is_verified"] == false)
                #expect(item?["plan"] == "FREE")
                #expect(item?["credits"] == ["balance": 0])
                #expect(item?["createdAt"]?.stringValue != nil)
                #expect(item?["email"]?.stringValue?.contains(marker) == true)
            }
            let byName = try await exchange(client, .get, "/api/v1/admin/users?search=carol%20\(marker)", adminAuth)
            #expect(byName.json["data"]?["items"]?.arrayValue?.map { $0["id"] } == [.string(first.uuidString.lowercased())])
            let literal = try await exchange(client, .get, "/api/v1/admin/users?search=%25\(marker)", adminAuth)
            #expect(literal.json["data"]?["pagination"]?["total"] == 0)  // % is not a wildcard
            for query in ["limit=1000", "page=0", "limit=abc", "search=a%00b"] {
                let bad = try await exchange(client, .get, "/api/v1/admin/users?\(query)", adminAuth)
                #expect(bad.status == .badRequest, "\(query)")
                #expect(bad.json.envelopeErrorCode == "VALIDATION_ERROR")
            }
        }
    }

    @Test func patchChangesRolePlanAndActiveFlagWithAnAuditRow() async throws {
        try await APIHarness.run { harness, client in
            let (admin, adminAuth) = try await harness.adminUser()
            let (target, targetAuth) = try await harness.user()
            let id = target.uuidString.lowercased()
            var consoleAuth = adminAuth
            consoleAuth[.userAgent] = "admin-console/1.0"
            let promoted = try await exchange(client, .patch, "/api/v1/admin/users/\(id)", consoleAuth, #"{"role":"admin","plan":"pro"}"#)
            #expect(promoted.status == .ok)
            #expect(promoted.json["data"]?["role"] == "admin")
            #expect(promoted.json["data"]?["is_superuser"] == true)
            #expect(promoted.json["data"]?["plan"] == "PRO")
            #expect(promoted.json["data"]?["credits"] == ["balance": 3200])  // FREE grant on provisioning + the PRO grant of the new period
            #expect(try await harness.sqlText("SELECT coalesce(payment_provider, 'none') FROM subscriptions WHERE user_id = \(target)") == "none")
            let status = try await exchange(client, .get, "/api/subscription/status", targetAuth)
            #expect(status.json["data"]?["tier"] == "PRO")
            #expect(status.json["data"]?["paymentProvider"] == .null)
            // The promoted user (never cached before) is now an admin.
            #expect(try await exchange(client, .get, "/api/admin/settings", targetAuth).status == .ok)
            let audit = try await exchange(client, .get, "/api/v1/admin/audit-log?userId=\(id)&event=admin_user_update", adminAuth)
            let row = audit.json["data"]?["items"]?.arrayValue?.first
            #expect(audit.json["data"]?["pagination"]?["total"] == 1)
            #expect(row?["actorId"] == .string(admin.uuidString.lowercased()))
            #expect(row?["userAgent"] == "admin-console/1.0")
            #expect(row?["details"]?["changes"]?["role"] == ["from": "user", "to": "admin"])
            #expect(row?["details"]?["changes"]?["plan"]?["to"] == "PRO")

            let demoted = try await exchange(client, .patch, "/api/admin/users/\(id)", adminAuth, #"{"role":"user","is_active":false,"plan":"FREE"}"#)
            #expect(demoted.status == .ok)
            #expect(demoted.json["data"]?["is_superuser"] == false)
            #expect(demoted.json["data"]?["is_active"] == false)
            #expect(demoted.json["data"]?["plan"] == "FREE")
            #expect(try await harness.sqlInt("SELECT count(*)::int FROM audit_log WHERE user_id = \(target) AND event = 'admin_user_update'") == 2)
            // A no-op writes no audit row.
            #expect(try await exchange(client, .patch, "/api/admin/users/\(id)", adminAuth, #"{"is_active":false}"#).status == .ok)
            #expect(try await harness.sqlInt("SELECT count(*)::int FROM audit_log WHERE user_id = \(target)") == 2)

            for unknown in [UUID().uuidString, "not-a-uuid"] {
                let reply = try await exchange(client, .patch, "/api/v1/admin/users/\(unknown)", adminAuth, #"{"role":"admin"}"#)
                #expect(reply.status == .notFound)
                #expect(reply.json.envelopeErrorCode == "NOT_FOUND")
            }
            let me = admin.uuidString.lowercased()
            let cases: [(String, String, String)] = [
                (id, #"{"role":"owner"}"#, "role"), (id, #"{"is_active":"yes"}"#, "is_active"), (id, #"{"plan":"GOLD"}"#, "plan"),
                (id, #"{"role":1}"#, "role"), (id, "{}", "body"), (me, #"{"role":"user"}"#, "role"), (me, #"{"is_active":false}"#, "is_active"),
            ]
            for (user, body, field) in cases {
                let reply = try await exchange(client, .patch, "/api/v1/admin/users/\(user)", adminAuth, body)
                #expect(reply.status == .badRequest, "\(body)")
                #expect(reply.json.firstDetailField == .string(field), "\(body)")
            }
            #expect(try await exchange(client, .patch, "/api/v1/admin/users/\(id)", adminAuth, "[").status == .badRequest)
        }
    }

    @Test func creditAdjustmentsUseTheLedgerAndRefuseOverdrafts() async throws {
        try await APIHarness.run { harness, client in
            let (admin, adminAuth) = try await harness.adminUser()
            let (target, targetAuth) = try await harness.user()
            let id = target.uuidString.lowercased()
            let added = try await exchange(
                client, .post, "/api/v1/admin/users/\(id)/credits", adminAuth, #"{"delta":150,"reason":"Support goodwill"}"#)
            #expect(added.status == .ok)
            #expect(added.json["data"]?["balance"] == 150)
            #expect(added.json["data"]?["delta"] == 150)
            let reference = added.json["data"]?["reference"]?.stringValue ?? ""
            #expect(reference.contains(admin.uuidString.lowercased()))
            let removed = try await exchange(client, .post, "/api/admin/users/\(id)/credits", adminAuth, #"{"delta":-50,"reason":"Correction"}"#)
            #expect(removed.json["data"]?["balance"] == 100)
            #expect(removed.json["data"]?["reference"] != added.json["data"]?["reference"])
            #expect(try await harness.sqlInt("SELECT count(*)::int FROM credit_ledger WHERE user_id = \(target) AND reason = 'admin_adjust'") == 2)
            let history = try await exchange(client, .get, "/api/credits/history", targetAuth)
            #expect(history.json["data"]?["items"]?.arrayValue?.first?["reason"] == "admin_adjust")
            // A debit beyond the balance: 402, nothing written.
            let overdraft = try await exchange(client, .post, "/api/admin/users/\(id)/credits", adminAuth, #"{"delta":-101,"reason":"Too much"}"#)
            #expect(overdraft.status.code == 402)
            #expect(overdraft.json.envelopeErrorCode == "INSUFFICIENT_CREDITS")
            #expect(overdraft.json["error"]?["details"] == ["required": 101, "balance": 100])
            let audit = try await exchange(client, .get, "/api/admin/audit-log?event=admin_credit_adjust&userId=\(id)", adminAuth)
            #expect(audit.json["data"]?["pagination"]?["total"] == 2)
            #expect(audit.json["data"]?["items"]?.arrayValue?.first?["details"]?["reason"] == "Correction")
            #expect(audit.json["data"]?["items"]?.arrayValue?.first?["details"]?["delta"] == -50)

            let cases: [(String, String)] = [
                (#"{"delta":0,"reason":"x"}"#, "delta"), (#"{"delta":1000001,"reason":"x"}"#, "delta"),
                (#"{"delta":-1000001,"reason":"x"}"#, "delta"), (#"{"delta":"5","reason":"x"}"#, "delta"),
                (#"{"delta":2.5,"reason":"x"}"#, "delta"), (#"{"delta":5}"#, "reason"), (#"{"delta":5,"reason":""}"#, "reason"),
            ]
            for (body, field) in cases {
                let reply = try await exchange(client, .post, "/api/v1/admin/users/\(id)/credits", adminAuth, body)
                #expect(reply.status == .badRequest, "\(body)")
                #expect(reply.json.firstDetailField == .string(field), "\(body)")
            }
            let unknown = try await exchange(
                client, .post, "/api/v1/admin/users/\(UUID().uuidString)/credits", adminAuth, #"{"delta":5,"reason":"x"}"#)
            #expect(unknown.status == .notFound)
            #expect(try await harness.sqlInt("SELECT balance::int FROM credit_balances WHERE user_id = \(target)") == 100)
        }
    }

    @Test func reportsHaveTheirShapesAndValidateParameters() async throws {
        try await APIHarness.run { harness, client in
            let (_, adminAuth) = try await harness.adminUser()
            let (user, userAuth) = try await harness.user()
            #expect(try await exchange(client, .get, "/api/subscription/status", userAuth).status == .ok)  // provisions FREE
            let recorder = UsageRecorder(database: harness.database)
            try await recorder.record(UsageEvent(userID: user, tool: "article", provider: "gemini", tokensUsed: 9_999_000))
            try await recorder.record(
                UsageEvent(userID: user, tool: "image", provider: "openai", outcome: .failure(errorType: "rate_limited", message: "429")))

            for prefix in ["/api/v1", "/api"] {
                let subscriptions = try await exchange(client, .get, "\(prefix)/admin/subscriptions", adminAuth)
                #expect(subscriptions.status == .ok)
                let data = subscriptions.json["data"]
                #expect((data?["active"]?.intValue ?? 0) >= 1)
                #expect(data?["canceled"]?.intValue != nil)
                #expect(Set(data?["byPlan"]?.keysOfObject ?? []) == ["FREE", "PRO", "ENTERPRISE"])

                let quota = try await exchange(client, .get, "\(prefix)/admin/quota", adminAuth)
                let plans = quota.json["data"]?["plans"]?.arrayValue ?? []
                #expect(plans.map { $0["plan"] } == ["FREE", "PRO", "ENTERPRISE"])
                #expect(plans.first?["limits"]?["articles"] == 10)
                #expect((plans.first?["users"]?.intValue ?? 0) >= 1)
                #expect((plans.first?["used"]?["tokens"]?.intValue ?? 0) >= 9_999_000)
                #expect(plans.first?["usersAtLimit"]?["articles"]?.intValue != nil)

                let top = try await exchange(client, .get, "\(prefix)/stats/usage?days=7&limit=100", adminAuth)
                let mine = top.json["data"]?.arrayValue?.first { $0["userId"] == .string(user.uuidString.lowercased()) }
                #expect(mine?["tokensUsed"] == 9_999_000)
                #expect(mine?["operationsCount"] == 2)
                #expect(mine?["plan"] == "FREE")
                #expect(mine?["email"]?.stringValue != nil)

                let pie = try await exchange(client, .get, "\(prefix)/stats/plans", adminAuth)
                let slices = pie.json["data"]?["plans"]?.arrayValue ?? []
                #expect(slices.map { $0["name"] } == ["Free", "Pro", "Enterprise"])
                #expect(slices.allSatisfy { $0["color"]?.stringValue?.hasPrefix("#") == true })
                #expect(pie.json["data"]?["total"]?.intValue == slices.reduce(0) { $0 + ($1["value"]?.intValue ?? 0) })

                let failures = try await exchange(client, .get, "\(prefix)/stats/failures?days=7", adminAuth)
                #expect(failures.json["data"]?["failures"]?.arrayValue?.count == 7)
                #expect((failures.json["data"]?["total"]?.intValue ?? 0) >= 1)
                #expect((failures.json["data"]?["byService"]?["image"]?.intValue ?? 0) >= 1)
                #expect((failures.json["data"]?["byErrorType"]?["rate_limited"]?.intValue ?? 0) >= 1)
                let month = try await exchange(client, .get, "\(prefix)/stats/failures?period=month", adminAuth)
                #expect(month.json["data"]?["failures"]?.arrayValue?.count == 30)

                let listed = try await exchange(client, .get, "\(prefix)/admin/generation-failures?limit=100", adminAuth)
                let failure = listed.json["data"]?["items"]?.arrayValue?.first { $0["userId"] == .string(user.uuidString.lowercased()) }
                #expect(failure?["errorType"] == "rate_limited")
                #expect(failure?["service"] == "image")
                #expect(failure?["provider"] == "openai")
            }
            let bad: [(String, String)] = [
                ("/api/v1/stats/usage?days=0", "days"), ("/api/v1/stats/usage?limit=1000", "limit"), ("/api/stats/usage?days=x", "days"),
                ("/api/v1/stats/failures?period=year", "period"), ("/api/stats/failures?days=366", "days"),
                ("/api/v1/admin/audit-log?userId=nope", "userId"), ("/api/v1/admin/audit-log?limit=1000", "limit"),
                ("/api/admin/generation-failures?limit=1000", "limit"), ("/api/admin/generation-failures?page=x", "page"),
            ]
            for (uri, field) in bad {
                let reply = try await exchange(client, .get, uri, adminAuth)
                #expect(reply.status == .badRequest, "\(uri)")
                #expect(reply.json.firstDetailField == .string(field), "\(uri)")
            }
        }
    }

    @Test func settingsArePersistedValidatedAndAudited() async throws {
        // Its own database: the saved AI settings would reroute every other test's generations.
        try await APIHarness.run(isolatedDatabase: true) { harness, client in
            let (admin, adminAuth) = try await harness.adminUser()
            let initial = try await exchange(client, .get, "/api/v1/admin/settings", adminAuth)
            #expect(initial.status == .ok)
            let before = initial.json["data"]
            #expect(before?["prices"]?["article"] == 10)
            #expect(before?["fallbackOrder"]?.arrayValue != nil)
            #expect(before?["enabledProviders"]?.arrayValue != nil)
            let originalPrice = before?["prices"]?["video_long"]?.intValue ?? 100
            let body =
                #"{"provider":"Anthropic","focusKeyphrase":"swift servers","fallbackOrder":["anthropic","gemini"],"enabledProviders":["anthropic","gemini","offline"],"prices":{"video_long":120}}"#
            let updated = try await exchange(client, .put, "/api/admin/settings", adminAuth, body)
            #expect(updated.status == .ok)
            let data = updated.json["data"]
            #expect(data?["provider"] == "anthropic")
            #expect(data?["focusKeyphrase"] == "swift servers")
            #expect(data?["fallbackOrder"] == ["anthropic", "gemini"])
            #expect(data?["enabledProviders"] == ["anthropic", "gemini", "offline"])
            #expect(data?["prices"]?["video_long"] == 120)
            #expect(data?["updatedBy"] == .string(admin.uuidString.lowercased()))
            #expect(try await harness.sqlInt("SELECT credits FROM feature_prices WHERE feature = 'video_long'") == 120)
            let reread = try await exchange(client, .get, "/api/v1/admin/settings", adminAuth)
            #expect(reread.json["data"]?["provider"] == "anthropic")
            let audit = try await exchange(client, .get, "/api/admin/audit-log?event=admin_settings_update&userId=\(admin.uuidString)", adminAuth)
            let changes = audit.json["data"]?["items"]?.arrayValue?.first?["details"]?["changes"]
            #expect(changes?["prices"]?["video_long"] == ["from": .int(originalPrice), "to": 120])
            #expect(changes?["provider"]?["to"] == "anthropic")

            let cases: [(String, String)] = [
                (#"{"provider":"mistral"}"#, "provider"), (#"{"fallbackOrder":["gemini","skynet"]}"#, "fallbackOrder"),
                (#"{"fallbackOrder":["gemini","gemini"]}"#, "fallbackOrder"), (#"{"fallbackOrder":[]}"#, "fallbackOrder"),
                (#"{"enabledProviders":"gemini"}"#, "enabledProviders"), (#"{"prices":{"article":-1}}"#, "prices.article"),
                (#"{"prices":{"article":2.5}}"#, "prices.article"), (#"{"prices":{"article":"10"}}"#, "prices.article"),
                (#"{"prices":{"teleport":5}}"#, "prices.teleport"), (#"{"prices":[1]}"#, "prices"), (#"{"focusKeyphrase":3}"#, "focusKeyphrase"),
            ]
            for (body, field) in cases {
                let reply = try await exchange(client, .put, "/api/v1/admin/settings", adminAuth, body)
                #expect(reply.status == .badRequest, "\(body)")
                #expect(reply.json.firstDetailField == .string(field), "\(body)")
            }
            #expect(try await harness.sqlInt("SELECT credits FROM feature_prices WHERE feature = 'article'") == 10)
            // Restore what other tests may read.
            let restore =
                #"{"provider":"gemini","focusKeyphrase":"","fallbackOrder":["gemini","openai","anthropic","llama"],"enabledProviders":["gemini","openai","anthropic","llama","offline"],"prices":{"video_long":\#(originalPrice)}}"#
            #expect(try await exchange(client, .put, "/api/admin/settings", adminAuth, restore).status == .ok)
        }
    }

    @Test func concurrentDebitsNeverOverdraw() async throws {
        try await APIHarness.run { harness, client in
            let (_, adminAuth) = try await harness.adminUser()
            let (target, _) = try await harness.user()
            let uri = "/api/v1/admin/users/\(target.uuidString)/credits"
            #expect(try await exchange(client, .post, uri, adminAuth, #"{"delta":100,"reason":"seed"}"#).status == .ok)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<5 {
                    group.addTask { try await exchange(client, .post, uri, adminAuth, #"{"delta":-30,"reason":"race"}"#).status.code }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.sorted() == [200, 200, 200, 402, 402])
            #expect(try await harness.sqlInt("SELECT balance::int FROM credit_balances WHERE user_id = \(target)") == 10)
        }
    }

    @Test func theRoutesAreDocumentedInOpenAPI() async throws {
        try await APIHarness.run { _, client in
            let paths = try await exchange(client, .get, "/openapi.json").json["paths"]
            for path in [
                "/token-usage/sync", "/token-usage/stats", "/stats", "/feedback/recommend", "/feedback/history",
                "/admin/users/{id}", "/admin/users/{id}/credits", "/admin/settings", "/admin/audit-log",
                "/stats/usage", "/stats/plans", "/stats/failures", "/admin/quota", "/admin/generation-failures",
            ] {
                #expect(paths?[path] != nil, "\(path) is documented")
            }
            #expect(paths?["/admin/users/{id}"]?["patch"] != nil)
            #expect(paths?["/admin/settings"]?["put"] != nil)
        }
    }

    @Test func failureStatisticsPutRowsOnTheirUTCDayAndRespectTheWindow() async throws {
        try await APIHarness.run { harness, client in
            let (_, adminAuth) = try await harness.adminUser()
            let service = "backdated-\(UUID().uuidString.prefix(8))"
            try await UsageRecorder(database: harness.database).record(
                UsageEvent(
                    userID: nil, tool: service, outcome: .failure(errorType: "provider_error", message: "boom")))
            try await harness.database.client.query(
                "UPDATE generation_failures SET created_at = now() - interval '3 days' WHERE service = \(service)", logger: harness.database.logger)
            let day = String(ISO8601.string(from: Date().addingTimeInterval(-3 * 86_400)).prefix(10))
            let week = try await exchange(client, .get, "/api/v1/stats/failures?period=week", adminAuth)
            #expect(week.json["data"]?["days"] == 7)
            #expect(week.json["data"]?["byService"]?[service] == 1)
            let bucket = week.json["data"]?["failures"]?.arrayValue?.first { $0["date"] == .string(day) }
            #expect((bucket?["failures"]?.intValue ?? 0) >= 1)
            let recent = try await exchange(client, .get, "/api/stats/failures?days=2&period=month", adminAuth)
            #expect(recent.json["data"]?["days"] == 2)  // an explicit days wins over period
            #expect(recent.json["data"]?["byService"]?[service] == nil)
        }
    }
}
