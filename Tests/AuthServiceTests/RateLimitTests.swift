import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import AuthService

@Suite(.serialized) struct RateLimitTests {
    @Test func perIPLimitOnAuthPostsAnswers429WithRetryAfter() async throws {
        let harness = try await AuthHarness(["RATE_LIMIT_AUTH_PER_MINUTE": "3"])
        try await harness.app().test(.router) { client in
            for _ in 0..<3 {
                try await client.postJSON("/auth/forgot-password", ["email": "nobody@example.com"]) { #expect($0.status == .accepted) }
            }
            try await client.postJSON("/auth/forgot-password", ["email": "nobody@example.com"]) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.json == ["detail": "TOO_MANY_REQUESTS"])
                let retryAfter = Int(response.headers[.retryAfter] ?? "") ?? 0
                #expect(retryAfter >= 1 && retryAfter <= 61)
            }
            // GETs are not limited.
            try await client.execute(uri: "/users/me", method: .get) { #expect($0.status == .unauthorized) }
        }
        let off = try await AuthHarness(["RATE_LIMIT_AUTH_PER_MINUTE": "1", "RATE_LIMIT_ENABLED": "false"])
        try await off.app().test(.router) { client in
            for _ in 0..<4 {
                try await client.postJSON("/auth/forgot-password", ["email": "nobody@example.com"]) { #expect($0.status == .accepted) }
            }
        }
    }

    @Test func loginIsLimitedPerAccountAcrossAddresses() async throws {
        let harness = try await AuthHarness(["RATE_LIMIT_LOGIN_PER_MINUTE": "2", "TRUSTED_PROXIES": "127.0.0.1"])
        let user = try await harness.createUser()
        try await harness.app().test(.live) { client in
            for attempt in 0..<3 {
                let body = "username=\(user.email)&password=wrong"
                let response = try await client.execute(
                    uri: "/auth/jwt/login", method: .post,
                    headers: [.contentType: "application/x-www-form-urlencoded", .forwardedFor: "198.51.100.\(attempt + 1)"],
                    body: ByteBuffer(string: body))
                #expect(response.status == (attempt < 2 ? .badRequest : .tooManyRequests))
            }
        }
    }

    @Test func twoInstancesSharingRedisEnforceOneLimitAndSurviveItsLoss() async throws {
        let redis = try RedisServer()
        try await redis.start()
        defer { redis.kill() }
        let settings = ["REDIS_URL": redis.url, "RATE_LIMIT_AUTH_PER_MINUTE": "4"]
        let first = try await AuthHarness(settings).app()
        let second = try await AuthHarness(settings).app()
        try await first.test(.router) { one in
            try await second.test(.router) { two in
                var statuses: [Int] = []
                for index in 0..<6 {
                    let client: any TestClientProtocol = index % 2 == 0 ? one : two
                    let response = try await client.execute(
                        uri: "/auth/forgot-password", method: .post, headers: [.contentType: "application/json"],
                        body: .json(["email": "x@example.com"]))
                    statuses.append(Int(response.status.code))
                }
                #expect(statuses == [202, 202, 202, 202, 429, 429])
                try await one.execute(uri: "/ready", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.json["checks"]?["redis"] == "ok")
                }
                // Redis goes away: requests keep working on in-process limits, /ready says so.
                await redis.stop()
                try await two.execute(
                    uri: "/auth/forgot-password", method: .post, headers: [.contentType: "application/json"], body: .json(["email": "x@example.com"])
                ) { response in
                    #expect(response.status == .accepted)
                }
                try await two.execute(uri: "/ready", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.json["checks"]?["redis"] == "unavailable")
                    #expect(response.json["checks"]?["database"] == "ok")
                }
            }
        }
    }
}
