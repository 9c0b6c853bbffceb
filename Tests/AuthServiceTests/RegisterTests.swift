import Core
import Foundation
import HummingbirdTesting
import TestSupport
import Testing

@testable import AuthService

@Suite struct RegisterTests {
    @Test func createsAnUnverifiedUserAndQueuesAVerificationMail() async throws {
        let harness = try await AuthHarness()
        let email = AuthHarness.uniqueEmail("New.Person")
        try await harness.app().test(.router) { client in
            try await client.postJSON("/auth/register", ["email": .string(email), "password": "a sound password", "full_name": "Ada"]) { response in
                #expect(response.status == .created)
                let user = response.json
                #expect(user["email"] == .string(email))
                #expect(user["is_active"] == true)
                #expect(user["is_superuser"] == false)
                #expect(user["is_verified"] == false)
                #expect(user["role"] == "user")
                #expect(user["name"] == "Ada")
                #expect(UUID(uuidString: user["id"]?.stringValue ?? "") != nil)
                #expect(user["hashed_password"] == nil)
                #expect(!response.text.contains("password"))
            }
        }
        let mails = try await harness.outbox(to: email)
        #expect(mails.map(\.kind) == ["verify_email"])
        #expect(mails.first?.text.contains("http://localhost:3000/verify-email?token=") == true)
    }

    @Test func privilegedFieldsAreIgnored() async throws {
        let harness = try await AuthHarness()
        try await harness.app().test(.router) { client in
            try await client.postJSON(
                "/auth/register",
                [
                    "email": .string(AuthHarness.uniqueEmail()), "password": "a sound password", "is_superuser": true, "is_verified": true,
                    "is_active": false, "role": "admin", "username": "bob", "agreed_to_terms": true,
                ]
            ) { response in
                #expect(response.status == .created)
                #expect(response.json["is_superuser"] == false)
                #expect(response.json["is_verified"] == false)
                #expect(response.json["is_active"] == true)
                #expect(response.json["role"] == "user")
                #expect(response.json["name"] == "bob")
            }
        }
    }

    @Test func anExistingEmailIsRefusedWhateverItsCase() async throws {
        let harness = try await AuthHarness()
        let existing = try await harness.createUser()
        try await harness.app().test(.router) { client in
            try await client.postJSON("/auth/register", ["email": .string(existing.email.uppercased()), "password": "a sound password"]) { response in
                #expect(response.status == .badRequest)
                #expect(response.json == ["detail": "REGISTER_USER_ALREADY_EXISTS"])
            }
        }
    }

    @Test func weakPasswordsAreRefusedWithAReason() async throws {
        let harness = try await AuthHarness()
        try await harness.app().test(.router) { client in
            try await client.postJSON("/auth/register", ["email": .string(AuthHarness.uniqueEmail()), "password": "short"]) { response in
                #expect(response.status == .badRequest)
                #expect(response.json["detail"]?["code"] == "REGISTER_INVALID_PASSWORD")
                #expect(response.json["detail"]?["reason"] == "Password should be at least 8 characters")
            }
            // The e-mail inside the password is no reason to refuse it (the frontend could
            // not show that reason: see FrontendReplayTests).
            let name = "margaret" + UUID().uuidString.prefix(6).lowercased()
            try await client.postJSON("/auth/register", ["email": .string("\(name)@example.com"), "password": .string("xx\(name)123")]) { response in
                #expect(response.status == .created)
            }
        }
    }

    @Test func invalidInputIsA422InFastAPIShape() async throws {
        let harness = try await AuthHarness()
        try await harness.app().test(.router) { client in
            try await client.postJSON("/auth/register", ["email": "not-an-email", "password": "a sound password"]) { response in
                #expect(response.status == .unprocessableContent)
                let issue = response.json["detail"]?.first
                #expect(issue?["type"] == "value_error")
                #expect(issue?["loc"] == ["body", "email"])
                #expect(issue?["msg"]?.stringValue?.hasPrefix("value is not a valid email address:") == true)
                #expect(issue?["input"] == "not-an-email")
            }
            try await client.postJSON("/auth/register", ["email": .string(AuthHarness.uniqueEmail())]) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.json["detail"]?.first?["loc"] == ["body", "password"])
                #expect(response.json["detail"]?.first?["type"] == "missing")
            }
            try await client.execute(uri: "/auth/register", method: .post, headers: [.contentType: "application/json"], body: .init(string: "{oops"))
            { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.json["detail"]?.first?["type"] == "json_invalid")
            }
            try await client.postJSON("/auth/register", ["email": .string(AuthHarness.uniqueEmail()), "password": 12345678]) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.json["detail"]?.first?["type"] == "string_type")
            }
        }
    }

    @Test func aReferralCodeFixesTheReferrer() async throws {
        let harness = try await AuthHarness()
        let referrer = try await harness.createUser()
        let code = try #require(referrer.referralCode)
        let email = AuthHarness.uniqueEmail()
        try await harness.app().test(.router) { client in
            try await client.postJSON(
                "/auth/register", ["email": .string(email), "password": "a sound password", "referral_code": .string(code.lowercased())]
            ) { response in
                #expect(response.status == .created)
                let id = try #require(UUID(uuidString: response.json["id"]?.stringValue ?? ""))
                #expect(try await harness.user(id: id)?.referredBy == referrer.id)
            }
            // An unknown code is ignored, not an error.
            try await client.postJSON(
                "/auth/register", ["email": .string(AuthHarness.uniqueEmail()), "password": "a sound password", "referral_code": "NOSUCHCODE"]
            ) { response in
                #expect(response.status == .created)
            }
        }
    }

    @Test func concurrentRegistrationsOfOneAddressCreateOneUser() async throws {
        let harness = try await AuthHarness()
        let email = AuthHarness.uniqueEmail()
        try await harness.app().test(.live) { client in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<6 {
                    let address = index % 2 == 0 ? email : email.uppercased()
                    group.addTask {
                        try await client.execute(
                            uri: "/auth/register", method: .post, headers: [.contentType: "application/json"],
                            body: .json(["email": .string(address), "password": "a sound password"])
                        ).status.code
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1)
            #expect(statuses.filter { $0 == 400 }.count == 5)
        }
    }
}

extension JSONValue {
    var first: JSONValue? {
        if case .array(let items) = self { return items.first }
        return nil
    }
}
