import Core
import Foundation
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import AuthService

@Suite struct LoginLogoutTests {
    @Test func loginAnswersABearerTokenThatOpensUsersMe() async throws {
        let harness = try await AuthHarness()
        let user = try await harness.createUser(email: AuthHarness.uniqueEmail("Mixed.Case"))
        try await harness.app().test(.router) { client in
            try await client.login(user.email.uppercased(), AuthHarness.password) { response in
                #expect(response.status == .ok)
                #expect(response.json["token_type"] == "bearer")
                let token = try #require(response.json["access_token"]?.stringValue)
                try await client.execute(uri: "/users/me", method: .get, headers: bearer(token)) { me in
                    #expect(me.status == .ok)
                    #expect(me.json["id"] == .string(user.id.uuidString.lowercased()))
                }
            }
        }
    }

    @Test func unknownUserWrongPasswordAndInactiveUserAreIndistinguishable() async throws {
        let harness = try await AuthHarness()
        let active = try await harness.createUser()
        let inactive = try await harness.createUser(active: false)
        try await harness.app().test(.router) { client in
            for (username, password) in [
                (active.email, "wrong password"), ("nobody-\(UUID())@example.com", AuthHarness.password), (inactive.email, AuthHarness.password),
            ] {
                try await client.login(username, password) { response in
                    #expect(response.status == .badRequest)
                    #expect(response.json == ["detail": "LOGIN_BAD_CREDENTIALS"])
                }
            }
        }
    }

    @Test func missingFieldsAndJSONBodiesAre422() async throws {
        let harness = try await AuthHarness()
        try await harness.app().test(.router) { client in
            try await client.execute(
                uri: "/auth/jwt/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "username=a%40b.com")
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.json["detail"] == [["type": "missing", "loc": ["body", "password"], "msg": "Field required", "input": nil]])
            }
            // The frontend must send a form; JSON leaves both fields missing, as in FastAPI.
            try await client.postJSON("/auth/jwt/login", ["username": "a@b.com", "password": "x"]) { response in
                #expect(response.status == .unprocessableContent)
                if case .array(let issues) = response.json["detail"] { #expect(issues.count == 2) } else { Issue.record("no detail list") }
            }
            try await client.execute(
                uri: "/auth/jwt/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "username=a&password=b&grant_type=client_credentials")
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.json["detail"]?.first?["type"] == "string_pattern_mismatch")
            }
        }
    }

    @Test func fastAPIUsersHashesWorkAndAreUpgradedToBcryptCost10() async throws {
        let harness = try await AuthHarness(["BCRYPT_COST": "10"])
        let password = "legacy password 1"
        let argon2 = try PythonFixture.run("from argon2 import PasswordHasher; print(PasswordHasher().hash(\(PythonFixture.literal(password))))")
        let bcrypt12 = try PythonFixture.run(
            "import bcrypt; print(bcrypt.hashpw(\(PythonFixture.literal(password)).encode(), bcrypt.gensalt(12)).decode())")
        #expect(argon2.hasPrefix("$argon2id$"))
        #expect(bcrypt12.hasPrefix("$2b$12$"))
        for legacy in [argon2, bcrypt12] {
            let user = try await harness.createUser(hash: legacy)
            try await harness.app().test(.router) { client in
                try await client.login(user.email, "wrong") { response in #expect(response.status == .badRequest) }
                try await client.login(user.email, password) { response in #expect(response.status == .ok) }
            }
            let rehashed = try #require(try await harness.user(id: user.id)?.hashedPassword)
            #expect(rehashed.hasPrefix("$2b$10$"))
            try await harness.app().test(.router) { client in
                try await client.login(user.email, password) { response in #expect(response.status == .ok) }
            }
        }
    }

    @Test func logoutNeedsAValidToken() async throws {
        let harness = try await AuthHarness()
        let user = try await harness.createUser()
        let token = try await harness.token(for: user)
        try await harness.app().test(.router) { client in
            try await client.execute(uri: "/auth/jwt/logout", method: .post, headers: bearer(token)) { response in
                #expect(response.status == .noContent)
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/auth/jwt/logout", method: .post) { response in
                #expect(response.status == .unauthorized)
                #expect(response.json == ["detail": "Unauthorized"])
            }
        }
    }
}

/// Hashes and tokens made by the Python libraries fastapi-users uses (Debian's
/// python3-argon2, python3-bcrypt, python3-jwt), so interop is tested against them.
enum PythonFixture {
    static func run(_ code: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", code]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw ServiceProcess.LaunchError(
                message: "python failed: \(String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func literal(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}
