import Core
import Foundation
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import AuthService

@Suite struct VerifyTests {
    @Test func requestVerifyTokenIsAlways202Null() async throws {
        let harness = try await AuthHarness()
        let unverified = try await harness.createUser()
        let verified = try await harness.createUser(verified: true)
        let inactive = try await harness.createUser(active: false)
        try await harness.app().test(.router) { client in
            for email in [unverified.email, verified.email, inactive.email, "nobody-\(UUID())@example.com"] {
                try await client.postJSON("/auth/request-verify-token", ["email": .string(email)]) { response in
                    #expect(response.status == .accepted)
                    #expect(response.text == "null")
                }
            }
            try await client.postJSON("/auth/request-verify-token", ["email": "bad"]) { response in
                #expect(response.status == .unprocessableContent)
            }
        }
        #expect(try await harness.outbox(to: unverified.email).count == 1)
        #expect(try await harness.outbox(to: verified.email).isEmpty)
        #expect(try await harness.outbox(to: inactive.email).isEmpty)
    }

    @Test func verifyWithJSONOrQueryTokenThenAlreadyVerified() async throws {
        let harness = try await AuthHarness()
        let first = try await harness.createUser()
        let second = try await harness.createUser()
        let firstToken = try await harness.dependencies.tokens.verifyToken(for: first.id, email: first.email)
        let secondToken = try await harness.dependencies.tokens.verifyToken(for: second.id, email: second.email)
        try await harness.app().test(.router) { client in
            try await client.postJSON("/auth/verify", ["token": .string(firstToken)]) { response in
                #expect(response.status == .ok)
                #expect(response.json["is_verified"] == true)
                #expect(response.json["id"] == .string(first.id.uuidString.lowercased()))
            }
            try await client.postJSON("/auth/verify", ["token": .string(firstToken)]) { response in
                #expect(response.status == .badRequest)
                #expect(response.json == ["detail": "VERIFY_USER_ALREADY_VERIFIED"])
            }
            // The existing frontend: ?token= and an empty body.
            try await client.execute(uri: "/auth/verify?token=\(secondToken)", method: .post) { response in
                #expect(response.status == .ok)
                #expect(response.json["is_verified"] == true)
            }
        }
        #expect(try await harness.outbox(to: first.email).contains { $0.kind == "welcome" })
    }

    @Test func badTokensAreRefused() async throws {
        let harness = try await AuthHarness()
        let user = try await harness.createUser()
        let tokens = harness.dependencies.tokens
        let accessToken = try await tokens.accessToken(for: user.id)
        let wrongEmail = try await tokens.verifyToken(for: user.id, email: "someone-else@example.com")
        let unknownUser = try await tokens.verifyToken(for: UUID(), email: user.email)
        let expired = try await TokenService(secret: testSecret, now: { Date().addingTimeInterval(-7200) }).verifyToken(
            for: user.id, email: user.email)
        try await harness.app().test(.router) { client in
            for token in ["garbage", accessToken, wrongEmail, unknownUser, expired] {
                try await client.postJSON("/auth/verify", ["token": .string(token)]) { response in
                    #expect(response.status == .badRequest)
                    #expect(response.json == ["detail": "VERIFY_USER_BAD_TOKEN"])
                }
            }
            try await client.postJSON("/auth/verify", [:]) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.json["detail"]?.first?["loc"] == ["body", "token"])
            }
        }
    }

    @Test func resendVerificationAnswersTheFrontendShape() async throws {
        let harness = try await AuthHarness()
        let user = try await harness.createUser()
        try await harness.app().test(.router) { client in
            try await client.execute(uri: "/auth/resend-verification?email=\(user.email)", method: .post) { response in
                #expect(response.status == .ok)
                #expect(response.json["success"] == true)
                #expect(response.json["message"]?.stringValue?.isEmpty == false)
            }
            try await client.execute(uri: "/auth/resend-verification", method: .post) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.json["detail"]?.first?["loc"] == ["query", "email"])
            }
        }
        #expect(try await harness.outbox(to: user.email).count == 1)
    }
}

@Suite struct ForgotResetPasswordTests {
    @Test func forgotPasswordIs202NullAndMailsOnlyActiveUsers() async throws {
        let harness = try await AuthHarness()
        let active = try await harness.createUser()
        let inactive = try await harness.createUser(active: false)
        try await harness.app().test(.router) { client in
            for email in [active.email, inactive.email, "nobody-\(UUID())@example.com"] {
                try await client.postJSON("/auth/forgot-password", ["email": .string(email)]) { response in
                    #expect(response.status == .accepted)
                    #expect(response.text == "null")
                }
            }
            try await client.postJSON("/auth/forgot-password", [:]) { response in
                #expect(response.status == .unprocessableContent)
            }
        }
        #expect(try await harness.outbox(to: active.email).map(\.kind) == ["reset_password"])
        #expect(try await harness.outbox(to: inactive.email).isEmpty)
    }

    @Test func theMailedTokenResetsThePasswordOnce() async throws {
        let harness = try await AuthHarness()
        let user = try await harness.createUser()
        try await harness.app().test(.router) { client in
            try await client.postJSON("/auth/forgot-password", ["email": .string(user.email)]) { _ in }
            let token = try #require(try await harness.mailedToken(kind: "reset_password", to: user.email))
            try await client.postJSON("/auth/reset-password", ["token": .string(token), "password": "short"]) { response in
                #expect(response.status == .badRequest)
                #expect(response.json["detail"]?["code"] == "RESET_PASSWORD_INVALID_PASSWORD")
                #expect(response.json["detail"]?["reason"] == "Password should be at least 8 characters")
            }
            try await client.postJSON("/auth/reset-password", ["token": .string(token), "password": "a brand new password"]) { response in
                #expect(response.status == .ok)
                #expect(response.text == "null")
            }
            try await client.login(user.email, "a brand new password") { response in #expect(response.status == .ok) }
            try await client.login(user.email, AuthHarness.password) { response in #expect(response.status == .badRequest) }
            // Used once: the password hash changed, so the fingerprint no longer matches.
            try await client.postJSON("/auth/reset-password", ["token": .string(token), "password": "another new password"]) { response in
                #expect(response.status == .badRequest)
                #expect(response.json == ["detail": "RESET_PASSWORD_BAD_TOKEN"])
            }
        }
    }

    @Test func badExpiredAndInactiveTokensAreRefused() async throws {
        let harness = try await AuthHarness()
        let user = try await harness.createUser()
        let inactive = try await harness.createUser(active: false)
        let tokens = harness.dependencies.tokens
        let inactiveToken = try await tokens.resetToken(for: inactive.id, passwordHash: inactive.hashedPassword)
        let expired = try await TokenService(secret: testSecret, now: { Date().addingTimeInterval(-7200) }).resetToken(
            for: user.id, passwordHash: user.hashedPassword)
        let verifyToken = try await tokens.verifyToken(for: user.id, email: user.email)
        try await harness.app().test(.router) { client in
            for token in ["nonsense", inactiveToken, expired, verifyToken] {
                try await client.postJSON("/auth/reset-password", ["token": .string(token), "password": "a brand new password"]) { response in
                    #expect(response.status == .badRequest)
                    #expect(response.json == ["detail": "RESET_PASSWORD_BAD_TOKEN"])
                }
            }
        }
    }
}
