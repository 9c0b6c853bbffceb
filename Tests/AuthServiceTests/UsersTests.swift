import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import AuthService

@Suite struct UsersMeTests {
    @Test func refusesEveryKindOfBadCredential() async throws {
        let harness = try await AuthHarness()
        let inactive = try await harness.createUser(active: false)
        let inactiveToken = try await harness.token(for: inactive)
        let unknownToken = try await harness.dependencies.tokens.accessToken(for: UUID())
        let expired = try await TokenService(secret: testSecret, accessTokenLifetime: .seconds(60), now: { Date().addingTimeInterval(-3600) })
            .accessToken(for: inactive.id)
        let wrongSecret = try await TokenService(secret: "a-different-secret-0123456789abcdef").accessToken(for: inactive.id)
        let algNone = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4IiwiYXVkIjpbImZhc3RhcGktdXNlcnM6YXV0aCJdLCJleHAiOjQxMDI0NDQ4MDB9."
        let wrongAudience = try await harness.dependencies.tokens.verifyToken(for: inactive.id, email: inactive.email)
        try await harness.app().test(.router) { client in
            let headerSets: [HTTPFields] = [
                [:], [.authorization: "Bearer"], [.authorization: "Token abc"], bearer("not.a.jwt"), bearer(inactiveToken), bearer(unknownToken),
                bearer(expired), bearer(wrongSecret), bearer(algNone), bearer(wrongAudience),
            ]
            for headers in headerSets {
                try await client.execute(uri: "/users/me", method: .get, headers: headers) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.json == ["detail": "Unauthorized"])
                }
            }
        }
    }

    @Test func patchChangesProfileAndPasswordButNotPrivileges() async throws {
        let harness = try await AuthHarness()
        let user = try await harness.createUser(verified: true)
        let token = try await harness.token(for: user)
        try await harness.app().test(.router) { client in
            try await client.execute(
                uri: "/users/me", method: .patch, headers: bearer(token).merging([.contentType: "application/json"]),
                body: .json([
                    "name": "New Name", "avatar_url": "https://cdn.example.com/a.png", "is_superuser": true, "role": "admin", "is_verified": false,
                    "is_active": false,
                ])
            ) { response in
                #expect(response.status == .ok)
                #expect(response.json["name"] == "New Name")
                #expect(response.json["avatar_url"] == "https://cdn.example.com/a.png")
                #expect(response.json["is_superuser"] == false)
                #expect(response.json["role"] == "user")
                #expect(response.json["is_verified"] == true)
                #expect(response.json["is_active"] == true)
            }
            try await client.execute(
                uri: "/users/me", method: .patch, headers: bearer(token).merging([.contentType: "application/json"]),
                body: .json(["password": "tiny"])
            ) { response in
                #expect(response.status == .badRequest)
                #expect(response.json["detail"]?["code"] == "UPDATE_USER_INVALID_PASSWORD")
            }
            try await client.execute(
                uri: "/users/me", method: .patch, headers: bearer(token).merging([.contentType: "application/json"]),
                body: .json(["password": "my new long password"])
            ) { response in
                #expect(response.status == .ok)
            }
            try await client.login(user.email, "my new long password") { response in #expect(response.status == .ok) }
        }
    }

    @Test func changingTheEmailUnverifiesAndMailsTheNewAddress() async throws {
        let harness = try await AuthHarness()
        let user = try await harness.createUser(verified: true)
        let other = try await harness.createUser()
        let token = try await harness.token(for: user)
        let newEmail = AuthHarness.uniqueEmail("moved")
        try await harness.app().test(.router) { client in
            try await client.execute(
                uri: "/users/me", method: .patch, headers: bearer(token).merging([.contentType: "application/json"]),
                body: .json(["email": .string(other.email.uppercased())])
            ) { response in
                #expect(response.status == .badRequest)
                #expect(response.json == ["detail": "UPDATE_USER_EMAIL_ALREADY_EXISTS"])
            }
            try await client.execute(
                uri: "/users/me", method: .patch, headers: bearer(token).merging([.contentType: "application/json"]),
                body: .json(["email": .string(newEmail)])
            ) { response in
                #expect(response.status == .ok)
                #expect(response.json["email"] == .string(newEmail))
                #expect(response.json["is_verified"] == false)
            }
        }
        #expect(try await harness.outbox(to: newEmail).map(\.kind) == ["verify_email"])
    }
}

@Suite struct UsersByIDTests {
    @Test func onlySuperusersAndInTheRightOrder() async throws {
        let harness = try await AuthHarness()
        let regular = try await harness.createUser()
        let admin = try await harness.createUser(superuser: true)
        let target = try await harness.createUser()
        let regularToken = try await harness.token(for: regular)
        let adminToken = try await harness.token(for: admin)
        try await harness.app().test(.router) { client in
            try await client.execute(uri: "/users/\(target.id)", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/users/\(UUID())", method: .get, headers: bearer(regularToken)) { response in
                #expect(response.status == .forbidden)
                #expect(response.json == ["detail": "Forbidden"])
            }
            try await client.execute(uri: "/users/\(target.id)", method: .get, headers: bearer(adminToken)) { response in
                #expect(response.status == .ok)
                #expect(response.json["email"] == .string(target.email))
            }
            for missing in ["\(UUID())", "not-a-uuid"] {
                try await client.execute(uri: "/users/\(missing)", method: .get, headers: bearer(adminToken)) { response in
                    #expect(response.status == .notFound)
                    #expect(response.json == ["detail": "Not Found"])
                }
            }
        }
    }

    @Test func superuserPatchesFlagsAndRolesAndDeletes() async throws {
        let harness = try await AuthHarness()
        let admin = try await harness.createUser(superuser: true)
        let target = try await harness.createUser()
        let adminToken = try await harness.token(for: admin)
        let targetToken = try await harness.token(for: target)
        let plain = try await harness.createUser()
        let plainToken = try await harness.token(for: plain)
        try await harness.app().test(.router) { client in
            let json = bearer(adminToken).merging([.contentType: "application/json"])
            try await client.execute(uri: "/users/\(target.id)", method: .patch, headers: json, body: .json(["role": "admin", "is_verified": true])) {
                response in
                #expect(response.status == .ok)
                #expect(response.json["role"] == "admin")
                #expect(response.json["is_verified"] == true)
                // One fact: an admin is a superuser.
                #expect(response.json["is_superuser"] == true)
            }
            try await client.execute(uri: "/users/\(target.id)", method: .patch, headers: json, body: .json(["role": "owner"])) { response in
                #expect(response.status == .unprocessableContent)
            }
            // A user cannot raise their own role through /users/{id}.
            try await client.execute(
                uri: "/users/\(plain.id)", method: .patch, headers: bearer(plainToken).merging([.contentType: "application/json"]),
                body: .json(["is_superuser": true])
            ) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/users/\(target.id)", method: .patch, headers: json, body: .json(["is_active": false])) { response in
                #expect(response.json["is_active"] == false)
            }
            try await client.execute(uri: "/users/me", method: .get, headers: bearer(targetToken)) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/users/\(target.id)", method: .delete, headers: bearer(adminToken)) { response in
                #expect(response.status == .noContent)
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/users/\(target.id)", method: .delete, headers: bearer(adminToken)) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}

@Suite struct AdminRoleTests {
    /// A superuser revoked with fastapi-users' own field must stop being an admin in both
    /// services, and nobody can give themselves their role back.
    @Test func revokingSuperuserRevokesTheAdminRoleForGood() async throws {
        let harness = try await AuthHarness()
        let admin = try await harness.createUser(superuser: true)
        let other = try await harness.createUser(superuser: true)
        let adminToken = try await harness.token(for: admin)
        let otherToken = try await harness.token(for: other)
        try await harness.app().test(.router) { client in
            let json = bearer(adminToken).merging([.contentType: "application/json"])
            try await client.execute(uri: "/users/\(other.id)", method: .patch, headers: json, body: .json(["is_superuser": false])) { response in
                #expect(response.status == .ok)
                #expect(response.json["is_superuser"] == false)
                #expect(response.json["role"] == "user")
            }
            let stored = try #require(try await harness.user(id: other.id))
            #expect(stored.role == .user)
            #expect(!stored.isAdmin)
            let otherJSON = bearer(otherToken).merging([.contentType: "application/json"])
            for body: JSONValue in [["role": "admin"], ["is_superuser": true]] {
                try await client.execute(uri: "/users/\(other.id)", method: .patch, headers: otherJSON, body: .json(body)) { response in
                    #expect(response.status == .forbidden)
                }
            }
            // Not even a sitting admin changes their own role.
            try await client.execute(uri: "/users/\(admin.id)", method: .patch, headers: json, body: .json(["is_superuser": false])) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/users/\(other.id)", method: .patch, headers: json, body: .json(["role": "admin", "is_superuser": false]))
            { response in
                #expect(response.status == .unprocessableContent)
            }
            let after = try #require(try await harness.user(id: other.id))
            #expect(after.role == .user && !after.isSuperuser)
            let me = try #require(try await harness.user(id: admin.id))
            #expect(me.role == .admin && me.isSuperuser)
        }
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var result = self
        for field in other { result[field.name] = field.value }
        return result
    }
}
