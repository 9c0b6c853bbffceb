import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import AuthService

/// Exact answers recorded from fastapi-users 15.0.5 (FastAPI 0.165, pydantic 2.14) for the
/// same requests; the bodies below are byte-for-byte what it sent.
@Suite struct FastAPIUsersParityTests {
    func expectBody(_ response: TestResponse, _ status: HTTPResponse.Status, _ body: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == status, sourceLocation: sourceLocation)
        #expect(
            response.json == (try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8))), "\(response.text)", sourceLocation: sourceLocation)
    }

    @Test func registerValidationAnswers() async throws {
        let harness = try await AuthHarness()
        try await harness.app().test(.router) { client in
            try await client.postJSON("/auth/register", ["email": "not-an-email", "password": "password123"]) { response in
                expectBody(
                    response, .unprocessableContent,
                    #"{"detail":[{"type":"value_error","loc":["body","email"],"msg":"value is not a valid email address: An email address must have an @-sign.","input":"not-an-email","ctx":{"reason":"An email address must have an @-sign."}}]}"#
                )
            }
            try await client.postJSON("/auth/register", ["email": "a@@example.com", "password": "password123"]) { response in
                #expect(
                    response.json["detail"]?.first?["msg"]
                        == "value is not a valid email address: The part after the @-sign contains invalid characters: '@'.")
            }
            try await client.postJSON("/auth/register", ["email": "a@localhost", "password": "password123"]) { response in
                #expect(
                    response.json["detail"]?.first?["msg"]
                        == "value is not a valid email address: The part after the @-sign is not valid. It should have a period.")
            }
            try await client.postJSON("/auth/register", [:]) { response in
                expectBody(
                    response, .unprocessableContent,
                    #"{"detail":[{"type":"missing","loc":["body","email"],"msg":"Field required","input":{}},{"type":"missing","loc":["body","password"],"msg":"Field required","input":{}}]}"#
                )
            }
            try await client.execute(
                uri: "/auth/register", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{oops")
            ) { response in
                expectBody(
                    response, .unprocessableContent,
                    #"{"detail":[{"type":"json_invalid","loc":["body",1],"msg":"JSON decode error","input":{},"ctx":{"error":"Expecting property name enclosed in double quotes"}}]}"#
                )
            }
            try await client.execute(
                uri: "/auth/register", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"email":"t@example.com","password":"password123""#)
            ) { response in
                #expect(response.json["detail"]?.first?["loc"] == ["body", 49])
                #expect(response.json["detail"]?.first?["ctx"] == ["error": "Expecting ',' delimiter"])
            }
            try await client.execute(uri: "/auth/register", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "hello")) {
                response in
                expectBody(
                    response, .unprocessableContent,
                    #"{"detail":[{"type":"model_attributes_type","loc":["body"],"msg":"Input should be a valid dictionary or object to extract fields from","input":"hello"}]}"#
                )
            }
            try await client.execute(
                uri: "/auth/register", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "[]")
            ) { response in
                expectBody(
                    response, .unprocessableContent,
                    #"{"detail":[{"type":"model_attributes_type","loc":["body"],"msg":"Input should be a valid dictionary or object to extract fields from","input":[]}]}"#
                )
            }
            try await client.execute(uri: "/auth/register", method: .post, headers: [.contentType: "application/json"]) { response in
                expectBody(response, .unprocessableContent, #"{"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]}"#)
            }
        }
    }

    @Test func emailsAreNormalisedLikePydantic() async throws {
        let harness = try await AuthHarness()
        let suffix = UUID().uuidString.prefix(6).lowercased()
        try await harness.app().test(.router) { client in
            try await client.postJSON("/auth/register", ["email": .string("Bob\(suffix) <Bob\(suffix)@EXAMPLE.com>"), "password": "password123"]) {
                response in
                #expect(response.status == .created)
                #expect(response.json["email"] == .string("Bob\(suffix)@example.com"))
            }
            try await client.postJSON("/auth/register", ["email": .string(" sp\(suffix)@Example.COM "), "password": "password123"]) { response in
                #expect(response.json["email"] == .string("sp\(suffix)@example.com"))
            }
            try await client.postJSON("/auth/register", ["email": .string("jörg\(suffix)@exämple.com"), "password": "password123"]) { response in
                #expect(response.status == .created)
            }
        }
    }

    @Test func embeddedBodyFieldsReportNullInput() async throws {
        let harness = try await AuthHarness()
        try await harness.app().test(.router) { client in
            try await client.postJSON("/auth/forgot-password", [:]) { response in
                expectBody(
                    response, .unprocessableContent, #"{"detail":[{"type":"missing","loc":["body","email"],"msg":"Field required","input":null}]}"#)
            }
            try await client.postJSON("/auth/reset-password", [:]) { response in
                expectBody(
                    response, .unprocessableContent,
                    #"{"detail":[{"type":"missing","loc":["body","token"],"msg":"Field required","input":null},{"type":"missing","loc":["body","password"],"msg":"Field required","input":null}]}"#
                )
            }
        }
    }

    @Test func loginFormQuirks() async throws {
        let harness = try await AuthHarness()
        let user = try await harness.createUser()
        try await harness.app().test(.router) { client in
            try await client.execute(
                uri: "/auth/jwt/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "username=\(user.email)&password=")
            ) { response in
                expectBody(
                    response, .unprocessableContent, #"{"detail":[{"type":"missing","loc":["body","password"],"msg":"Field required","input":null}]}"#
                )
            }
            try await client.execute(uri: "/auth/jwt/login", method: .post) { response in
                expectBody(
                    response, .unprocessableContent,
                    #"{"detail":[{"type":"missing","loc":["body","username"],"msg":"Field required","input":null},{"type":"missing","loc":["body","password"],"msg":"Field required","input":null}]}"#
                )
            }
            let boundary = "----nova\(UUID().uuidString)"
            let multipart =
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\n\(user.email)\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n\(AuthHarness.password)\r\n--\(boundary)--\r\n"
            try await client.execute(
                uri: "/auth/jwt/login", method: .post, headers: [.contentType: "multipart/form-data; boundary=\(boundary)"],
                body: ByteBuffer(string: multipart)
            ) { response in
                #expect(response.status == .ok)
                #expect(response.json["token_type"] == "bearer")
            }
            try await client.execute(
                uri: "/auth/jwt/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(
                    string: "username=\(user.email)&password=\(AuthHarness.password.replacingOccurrences(of: " ", with: "+"))&grant_type=password")
            ) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func emptyAnswersHaveNoBodyOrContentType() async throws {
        let harness = try await AuthHarness()
        let user = try await harness.createUser()
        let token = try await harness.token(for: user)
        try await harness.app().test(.router) { client in
            try await client.execute(uri: "/auth/jwt/logout", method: .post, headers: [.authorization: "bearer \(token)"]) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.contentType] == nil)
                #expect(response.body.readableBytes == 0)
            }
            try await client.postJSON("/auth/forgot-password", ["email": .string(user.email)]) { response in
                #expect(response.status == .accepted)
                #expect(response.headers[.contentType] == "application/json")
                #expect(response.text == "null")
            }
        }
    }

    @Test func orderOfChecksFollowsFastAPI() async throws {
        let harness = try await AuthHarness()
        let user = try await harness.createUser()
        let admin = try await harness.createUser(superuser: true)
        let token = try await harness.token(for: user)
        let adminToken = try await harness.token(for: admin)
        try await harness.app().test(.router) { client in
            // Malformed JSON is refused before authentication...
            try await client.execute(uri: "/users/me", method: .patch, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{oops"))
            { response in
                #expect(response.status == .unprocessableContent)
            }
            // ...but field validation comes after it.
            try await client.execute(uri: "/users/me", method: .patch, headers: [.contentType: "application/json"], body: .json(["email": "bad"])) {
                response in
                expectBody(response, .unauthorized, #"{"detail":"Unauthorized"}"#)
            }
            try await client.execute(
                uri: "/users/\(UUID())", method: .patch, headers: bearer(token).merging([.contentType: "application/json"]),
                body: .json(["email": "bad"])
            ) { response in
                expectBody(response, .forbidden, #"{"detail":"Forbidden"}"#)
            }
            try await client.execute(
                uri: "/users/\(UUID())", method: .patch, headers: bearer(adminToken).merging([.contentType: "application/json"]),
                body: .json(["email": "bad"])
            ) { response in
                expectBody(response, .notFound, #"{"detail":"Not Found"}"#)
            }
            // Own address in another case: fastapi-users says it already exists.
            try await client.execute(
                uri: "/users/me", method: .patch, headers: bearer(token).merging([.contentType: "application/json"]),
                body: .json(["email": .string(user.email.uppercased())])
            ) { response in
                expectBody(response, .badRequest, #"{"detail":"UPDATE_USER_EMAIL_ALREADY_EXISTS"}"#)
            }
            try await client.execute(
                uri: "/users/me", method: .patch, headers: bearer(token).merging([.contentType: "application/json"]),
                body: .json(["email": .string(user.email)])
            ) { response in
                #expect(response.status == .ok)
            }
            // Dash-less and upper-case ids, as Python's uuid.UUID parses them.
            let dashless = user.id.uuidString.replacingOccurrences(of: "-", with: "")
            try await client.execute(uri: "/users/\(dashless)", method: .get, headers: bearer(adminToken)) { response in
                #expect(response.status == .ok)
                #expect(response.json["id"] == .string(user.id.uuidString.lowercased()))
            }
        }
    }

    @Test func wrongMethodIs405WithAllow() async throws {
        let harness = try await AuthHarness()
        try await harness.app().test(.router) { client in
            try await client.execute(uri: "/auth/jwt/login", method: .get) { response in
                expectBody(response, .methodNotAllowed, #"{"detail":"Method Not Allowed"}"#)
                #expect(response.headers[.allow] == "POST")
            }
            try await client.execute(uri: "/users/me", method: .put) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET, HEAD, PATCH")
            }
            // TRACE and the draft QUERY too: a known path never answers them 404.
            for method in [HTTPRequest.Method.trace, HTTPRequest.Method("QUERY")].compactMap({ $0 }) {
                try await client.execute(uri: "/auth/jwt/login", method: method) { response in
                    #expect(response.status == .methodNotAllowed, "\(method)")
                }
            }
        }
    }

    @Test func aResetTokenFromTheReplacedServiceStillWorks() async throws {
        let harness = try await AuthHarness()
        let user = try await harness.createUser()
        // fastapi-users' fingerprint: an argon2id hash of the stored password hash.
        let fingerprint = try PythonFixture.run(
            "from argon2 import PasswordHasher; print(PasswordHasher().hash(\(PythonFixture.literal(user.hashedPassword))))")
        let token = try PythonFixture.run(
            """
            import jwt, time
            print(jwt.encode({"sub": "\(user.id.uuidString.lowercased())", "password_fgpt": \(PythonFixture.literal(fingerprint)), "aud": "fastapi-users:reset", "exp": int(time.time()) + 600}, \(PythonFixture.literal(testSecret)), algorithm="HS256"))
            """)
        try await harness.app().test(.router) { client in
            try await client.postJSON("/auth/reset-password", ["token": .string(token), "password": "a fresh password 9"]) { response in
                #expect(response.status == .ok)
            }
            try await client.postJSON("/auth/reset-password", ["token": .string(token), "password": "another password 9"]) { response in
                expectBody(response, .badRequest, #"{"detail":"RESET_PASSWORD_BAD_TOKEN"}"#)
            }
        }
    }
}
