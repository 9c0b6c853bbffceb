import Core
import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import APIService

@Suite struct PlatformRoutesTests {
    @Test func plansArePublicAndMatchTheContractUnderBothPrefixes() async throws {
        try await APIHarness.run { _, client in
            for prefix in ["/api/v1", "/api"] {
                try await client.execute(uri: "\(prefix)/plans", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.json["success"] == true)
                    let plans = response.json["data"]?.arrayValue ?? []
                    #expect(plans.map { $0["tier"] } == ["FREE", "PRO", "ENTERPRISE"])
                    let pro = plans.count == 3 ? plans[1] : [:]
                    #expect(pro["price"] == ["amount": 29, "currency": "usd", "interval": "month"])
                    #expect(pro["quotas"] == ["articles": 100, "images": 500, "videos": 20, "research": -1, "wordpress": 50])
                    #expect(pro["monthlyCredits"] == 3000)
                    #expect(plans.first?["quotas"]?["videos"] == 0)
                    #expect(plans.last?["monthlyCredits"] == 15000)
                }
            }
        }
    }

    @Test func meSubscriptionCreditsAndUsageShapes() async throws {
        try await APIHarness.run { harness, client in
            let (id, auth) = try await harness.user(email: "me-\(UUID().uuidString.prefix(6))@example.com")
            for prefix in ["/api/v1", "/api"] {
                try await client.execute(uri: "\(prefix)/me", method: .get, headers: auth) { response in
                    #expect(response.status == .ok)
                    let data = response.json["data"]
                    #expect(data?["user"]?["id"] == .string(id.uuidString.lowercased()))
                    #expect(data?["user"]?["is_verified"] == false)
                    #expect(data?["user"]?["role"] == "user")
                    #expect(data?["plan"] == "FREE")
                    #expect(data?["credits"]?["balance"] == 200)  // the first FREE grant, provisioned lazily
                    #expect(data?["referralCode"]?.stringValue?.count == 8)
                }
            }
            try await client.execute(uri: "/api/subscription/status", method: .get, headers: auth) { response in
                let data = response.json["data"]
                #expect(data?["tier"] == "FREE")
                #expect(data?["plan"] == "FREE")
                #expect(data?["planName"] == "Free")
                #expect(data?["status"] == "ACTIVE")
                #expect(data?["isActive"] == true)
                #expect(data?["cancelAtPeriodEnd"] == false)
                #expect(data?["paymentProvider"] == .null)
                #expect(data?["currentPeriodStart"]?.stringValue != nil)
                #expect(data?["limits"]?["articles"] == 10)
            }
            let reservations = CreditReservations(database: harness.database)
            if case .reserved(let hold) = try await reservations.reserve(userID: id, feature: "article") {
                try await reservations.settle(hold)
            }
            try await client.execute(uri: "/api/v1/subscription/usage", method: .get, headers: auth) { response in
                let data = response.json["data"]
                #expect(data?["plan"] == "FREE")
                #expect(data?["articles"] == ["used": 1, "limit": 10, "remaining": 9])
                #expect(data?["research"] == ["used": 0, "limit": 20, "remaining": 20])
                #expect(data?["videos"] == ["used": 0, "limit": 0, "remaining": 0])
                #expect(data?["tokens"]?["limit"] == -1)
            }
            try await client.execute(uri: "/api/v1/subscription/limits", method: .get, headers: auth) { response in
                #expect(response.json["data"] == ["articles": 10, "images": 25, "videos": 0, "research": 20, "wordpress": 0])
            }
            try await client.execute(uri: "/api/v1/credits", method: .get, headers: auth) { response in
                let data = response.json["data"]
                #expect(data?["balance"] == 190)
                #expect(data?["monthlyGrant"] == 200)
                #expect(data?["lifetimeEarned"] == 200)
                #expect(data?["lifetimeSpent"] == 10)
                #expect(data?["nextGrantAt"]?.stringValue != nil)
            }
            let cursor = try await client.execute(uri: "/api/v1/credits/history?limit=1", method: .get, headers: auth) { response in
                let data = response.json["data"]
                let first = data?["items"]?.arrayValue?.first
                // The next page starts after this row's id, at any depth.
                let next = first?["id"]?.intValue.map(String.init)
                #expect(next != nil)
                #expect(
                    data?["pagination"] == ["page": 1, "limit": 1, "total": 2, "totalPages": 2, "nextCursor": next.map(JSONValue.string) ?? .null])
                #expect(first?["reason"] == "usage")
                #expect(first?["delta"] == -10)
                #expect(first?["balanceAfter"] == 190)
                return next ?? ""
            }
            for uri in ["/api/credits/history?page=2&limit=1", "/api/credits/history?cursor=\(cursor)&limit=1"] {
                try await client.execute(uri: uri, method: .get, headers: auth) { response in
                    #expect(response.json["data"]?["items"]?.arrayValue?.map { $0["reason"] } == ["plan_grant"], "\(uri)")
                }
            }
            // Whatever the document's pattern allows is accepted (schemathesis sends such
            // strings), and the pattern and the parsers agree at their edges.
            for good in ["999999999999999999", "1"] {
                try await client.execute(uri: "/api/credits/history?cursor=\(good)", method: .get, headers: auth) { response in
                    #expect(response.status == .ok, "\(good)")
                }
            }
            for good in [
                "0_00000000-0000-0000-0000-000000000000", "-99999999999999999_ABCDEFAB-CDEF-ABCD-EFAB-CDEFABCDEFAB",
                "99999999999999999_00000000-0000-0000-0000-000000000000",
            ] {
                #expect(TimeCursor(good) != nil, "\(good)")
                #expect(good.range(of: TimeCursor.pattern, options: .regularExpression) != nil, "\(good)")
                try await client.execute(uri: "/api/articles?cursor=\(good)", method: .get, headers: auth) { response in
                    #expect(response.status == .ok, "\(good)")
                }
            }
            #expect(TimeCursor("999999999999999999_00000000-0000-0000-0000-000000000000") == nil)
            for bad in ["abc", "0", "-5", String(repeating: "9", count: 101)] {
                try await client.execute(uri: "/api/credits/history?cursor=\(bad)", method: .get, headers: auth) { response in
                    #expect(response.status == .badRequest, "\(bad)")
                    #expect(response.json["error"]?["details"]?.arrayValue?.first?["field"] == "cursor")
                }
            }
        }
    }

    @Test func badPaginationIsA400WithFieldDetails() async throws {
        try await APIHarness.run { harness, client in
            let (_, auth) = try await harness.user()
            for (query, field) in [("limit=1000", "limit"), ("page=-1", "page"), ("page=abc", "page"), ("limit=0", "limit")] {
                try await client.execute(uri: "/api/v1/credits/history?\(query)", method: .get, headers: auth) { response in
                    #expect(response.status == .badRequest)
                    #expect(response.json["success"] == false)
                    #expect(response.json["error"]?["code"] == "VALIDATION_ERROR")
                    #expect(response.json["error"]?["details"]?.arrayValue?.first?["field"] == .string(field))
                }
            }
            try await client.execute(uri: "/api/notifications?unread=maybe&limit=x", method: .get, headers: auth) { response in
                #expect(response.status == .badRequest)
                #expect(response.json["error"]?["details"]?.arrayValue?.count == 2)
            }
        }
    }

    @Test func authenticationAndUnknownRoutes() async throws {
        try await APIHarness.run { harness, client in
            try await client.execute(uri: "/api/v1/me", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.json["error"]?["code"] == "UNAUTHORIZED")
            }
            try await client.execute(uri: "/api/me", method: .get, headers: [.authorization: "Bearer not.a.token"]) { response in
                #expect(response.status == .unauthorized)
                #expect(response.json["error"]?["code"] == "INVALID_TOKEN")
            }
            let (_, auth) = try await harness.user()
            let cookie = auth[.authorization].map { "access_token=" + $0.dropFirst(7) } ?? ""
            try await client.execute(uri: "/api/me", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .ok)
            }
            for uri in ["/api/v1/unknown", "/api/nothing/here", "/elsewhere"] {
                try await client.execute(uri: uri, method: .get, headers: auth) { response in
                    #expect(response.status == .notFound)
                    #expect(response.json["error"]?["code"] == "NOT_FOUND")
                }
            }
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                let paths = response.json["paths"]
                // Each path once, relative to both prefixes (the document's servers).
                #expect(response.json["servers"] == [["url": "/api/v1"], ["url": "/api"]])
                for path in ["/me", "/plans", "/credits/history", "/notifications/{id}/read"] {
                    #expect(paths?[path] != nil, "\(path) is documented")
                }
                #expect(paths?["/api/v1/me"] == nil && paths?["/api/me"] == nil)
                #expect(paths?["/health"]?["servers"] == [["url": "/"]])
            }
        }
    }

    @Test func referralsMaskEmailsAndCountTwoLevels() async throws {
        try await APIHarness.run(["FRONTEND_URL": "https://app.example.com"]) { harness, client in
            let (me, auth) = try await harness.user()
            let direct = try await TestUsers.create(on: harness.database, email: "john-\(UUID().uuidString.prefix(6))@example.com", referredBy: me)
            try await TestUsers.create(on: harness.database, referredBy: direct)
            try await harness.database.client.withTransaction(logger: harness.database.logger) { runner in
                try await AccountLifecycle.userVerified(userID: direct, on: runner, logger: harness.database.logger)
            }
            try await client.execute(uri: "/api/referrals", method: .get, headers: auth) { response in
                let data = response.json["data"]
                let code = data?["code"]?.stringValue ?? ""
                #expect(code.count == 8)
                #expect(data?["link"] == .string("https://app.example.com/register?ref=\(code)"))
                #expect(data?["stats"] == ["direct": 1, "indirect": 1, "creditsEarned": 200])
                let referrals = data?["referrals"]?.arrayValue ?? []
                #expect(referrals.count == 2)
                let first = referrals.first { $0["level"] == 1 }
                #expect(first?["email"]?.stringValue?.hasPrefix("j***@example.com") == true)
            }
        }
    }

    @Test func notificationsListReadAndOwnership() async throws {
        try await APIHarness.run { harness, client in
            let (me, auth) = try await harness.user()
            let (other, _) = try await harness.user()
            func insert(_ user: UUID, _ title: String) async throws -> String {
                let rows = try await harness.database.client.query(
                    "INSERT INTO notifications (user_id, type, title, message) VALUES (\(user), 'info', \(title), 'hello') RETURNING id",
                    logger: harness.database.logger)
                for try await id in rows.decode(UUID.self) { return id.uuidString.lowercased() }
                return ""
            }
            let mine = try await insert(me, "one")
            _ = try await insert(me, "two")
            let theirs = try await insert(other, "theirs")
            try await client.execute(uri: "/api/v1/notifications", method: .get, headers: auth) { response in
                #expect(response.status == .ok)
                #expect(response.json["data"]?["notifications"]?.arrayValue?.count == 2)
                #expect(response.json["data"]?["unreadCount"] == 2)
            }
            try await client.execute(uri: "/api/v1/notifications/\(mine)/read", method: .patch, headers: auth) { response in
                #expect(response.status == .ok)
                #expect(response.json["data"]?["read"] == true)
                #expect(response.json["data"]?["id"] == .string(mine))
            }
            for id in [theirs, UUID().uuidString, "not-a-uuid"] {
                try await client.execute(uri: "/api/notifications/\(id)/read", method: .patch, headers: auth) { response in
                    #expect(response.status == .notFound)
                    #expect(response.json["error"]?["code"] == "NOT_FOUND")
                }
            }
            try await client.execute(uri: "/api/notifications?unread=true&limit=10", method: .get, headers: auth) { response in
                #expect(response.json["data"]?["notifications"]?.arrayValue?.map { $0["title"] } == ["two"])
            }
            try await client.execute(uri: "/api/notifications/read-all", method: .post, headers: auth) { response in
                #expect(response.json["data"]?["updated"] == 1)
            }
            try await client.execute(uri: "/api/notifications?unread=1", method: .get, headers: auth) { response in
                #expect(response.json["data"]?["unreadCount"] == 0)
            }
        }
    }

    @Test func rateLimitAnswers429WithRetryAfter() async throws {
        try await APIHarness.run(["RATE_LIMIT_ENABLED": "true", "RATE_LIMIT_API_PER_MINUTE": "3"]) { harness, client in
            let (_, auth) = try await harness.user()
            for _ in 0..<3 {
                try await client.execute(uri: "/api/v1/plans", method: .get, headers: auth) { #expect($0.status == .ok) }
            }
            try await client.execute(uri: "/api/plans", method: .get, headers: auth) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.json["error"]?["code"] == "RATE_LIMIT_EXCEEDED")
                #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 >= 1)
            }
            // Another user has their own budget; probes are never limited.
            let (_, otherAuth) = try await harness.user()
            try await client.execute(uri: "/api/plans", method: .get, headers: otherAuth) { #expect($0.status == .ok) }
            try await client.execute(uri: "/health", method: .get, headers: auth) { #expect($0.status == .ok) }
        }
    }

    @Test func configurationErrorsNameTheVariable() throws {
        #expect(throws: ConfigError(variable: "RATE_LIMIT_API_PER_MINUTE", reason: "expected an integer, got 'lots'")) {
            try APIConfig(env: testEnvironment(databaseURL: "postgres://x@127.0.0.1/db", ["RATE_LIMIT_API_PER_MINUTE": "lots"]))
        }
        #expect(throws: ConfigError(variable: "RATE_LIMIT_ENABLED", reason: "expected true or false, got 'maybe'")) {
            try APIConfig(env: testEnvironment(databaseURL: "postgres://x@127.0.0.1/db", ["RATE_LIMIT_ENABLED": "maybe"]))
        }
    }
}
