import Core
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import APIService

@Suite struct SettingsAndKeysTests {
    func put(_ client: any TestClientProtocol, _ uri: String, _ body: String, _ auth: HTTPFields) async throws -> (HTTPResponse.Status, JSONValue) {
        try await client.execute(uri: uri, method: .put, headers: auth.merging([.contentType: "application/json"]), body: ByteBuffer(string: body)) {
            ($0.status, $0.json)
        }
    }

    func get(_ client: any TestClientProtocol, _ uri: String, _ auth: HTTPFields) async throws -> JSONValue {
        try await client.execute(uri: uri, method: .get, headers: auth) { response in
            #expect(response.status == .ok)
            return response.json["data"] ?? .null
        }
    }

    /// A user on PRO for the current month, written before the service has cached anything.
    func proUser(_ harness: APIHarness) async throws -> (UUID, HTTPFields) {
        let (id, auth) = try await harness.user()
        try await harness.database.client.query(
            """
            INSERT INTO subscriptions (user_id, plan, status, current_period_start, current_period_end)
            VALUES (\(id), 'PRO', 'ACTIVE', now(), now() + interval '1 month')
            """, logger: harness.database.logger)
        return (id, auth)
    }

    @Test func settingsHaveDefaultsAndSavesAreReadBackAtOnce() async throws {
        try await APIHarness.run { harness, client in
            let (_, auth) = try await harness.user()
            let initial = try await get(client, "/api/settings", auth)
            #expect(initial["defaultProvider"] == .null)
            #expect(initial["preferences"] == [:])
            #expect(initial["apiKeys"]?["GEMINI"] == ["configured": false, "last4": .null])
            #expect(initial["apiKeys"]?["LLAMA"]?["configured"] == false)

            let (status, saved) = try await put(
                client, "/api/v1/settings", #"{"defaultProvider":"OpenAI","focusKeyphrase":"swift servers","preferences":{"tone":"friendly"}}"#, auth)
            #expect(status == .ok)
            #expect(saved["data"]?["defaultProvider"] == "openai")
            // Cached for 10 minutes, but the save dropped the entry: the next read is fresh.
            let again = try await get(client, "/api/settings", auth)
            #expect(again["focusKeyphrase"] == "swift servers")
            #expect(again["preferences"]?["tone"] == "friendly")
            // Absent fields are kept; null clears.
            _ = try await put(client, "/api/settings", #"{"focusKeyphrase":null}"#, auth)
            let cleared = try await get(client, "/api/settings", auth)
            #expect(cleared["focusKeyphrase"] == .null)
            #expect(cleared["defaultProvider"] == "openai")

            for body in [#"{"defaultProvider":"skynet"}"#, #"{"preferences":[1,2]}"#, #"{"focusKeyphrase":5}"#, #"[]"#, #"{"defaultProvider":"#] {
                let (status, error) = try await put(client, "/api/settings", body, auth)
                #expect(status == .badRequest, "\(body)")
                #expect(error["error"]?["code"] == "VALIDATION_ERROR")
            }
            let (_, invalid) = try await put(client, "/api/settings", #"{"defaultProvider":"skynet"}"#, auth)
            #expect(invalid["error"]?["details"]?.arrayValue?.first?["field"] == "defaultProvider")
        }
    }

    @Test func providerKeysAreSealedBoundToTheirOwnerAndShownOnlyAsLast4() async throws {
        try await APIHarness.run { harness, client in
            let (id, auth) = try await harness.user()
            let (otherID, _) = try await harness.user()
            let secret = "sk-test-0123456789abcdWXYZ"
            let (status, body) = try await put(client, "/api/settings/api-keys/openai", #"{"apiKey":"\#(secret)"}"#, auth)
            #expect(status == .ok)
            #expect(body["data"] == ["provider": "OPENAI", "configured": true, "last4": "WXYZ"])
            #expect(try await get(client, "/api/settings", auth)["apiKeys"]?["OPENAI"] == ["configured": true, "last4": "WXYZ"])

            // At rest: no plaintext, and it opens only for its owner and provider.
            let sealed = try await harness.database.client.query(
                "SELECT sealed_key FROM user_provider_keys WHERE user_id = \(id)", logger: harness.database.logger)
            var bytes: [UInt8] = []
            for try await buffer in sealed.decode(ByteBuffer.self) { bytes = Array(buffer: buffer) }
            #expect(!bytes.isEmpty)
            #expect(String(decoding: bytes, as: UTF8.self).contains("0123456789") == false)
            let box = SecretBox(key: SecretBox.derivedKey(fromSecret: testSecret))
            let store = ProviderKeyStore(database: harness.database, box: box)
            #expect(try await store.key(for: id, provider: .openai) == secret)
            #expect(throws: SecretBox.OpenError.self) { try box.open(bytes, context: ProviderKeyStore.context(otherID, .openai)) }
            #expect(throws: SecretBox.OpenError.self) { try box.open(bytes, context: ProviderKeyStore.context(id, .gemini)) }

            for (path, body) in [
                ("/api/settings/api-keys/skynet", #"{"apiKey":"abcdefghij"}"#), ("/api/settings/api-keys/gemini", #"{"apiKey":"short"}"#),
                ("/api/settings/api-keys/gemini", #"{"apiKey":"has spaces in it"}"#), ("/api/settings/api-keys/gemini", #"{"key":"abcdefghij"}"#),
            ] {
                #expect(try await put(client, path, body, auth).0 == .badRequest, "\(path) \(body)")
            }
            try await client.execute(uri: "/api/v1/settings/api-keys/OPENAI", method: .delete, headers: auth) { response in
                #expect(response.json["data"]?["configured"] == false)
            }
            #expect(try await store.key(for: id, provider: .openai) == nil)
        }
    }

    @Test func encryptionKeyConfiguration() throws {
        let hex = String(repeating: "ab", count: 32)
        #expect(SecretBox.parseKey(hex) != nil)
        #expect(SecretBox.parseKey(Data(repeating: 7, count: 32).base64EncodedString()) != nil)
        #expect(SecretBox.parseKey("replace-with-32-bytes-base64") == nil)
        #expect(SecretBox.parseKey(Data(repeating: 7, count: 16).base64EncodedString()) == nil)
        let base = ["SECRET": "718f9865e5f1f63d102457172d1d24a91918171826f0d3ba84191de13cfad612", "DATABASE_URL": "postgres://u@db/x"]
        #expect(throws: ConfigError.self) { try APIConfig(env: EnvironmentReader(base.merging(["ENCRYPTION_KEY": "nope"]) { $1 })) }
        #expect(throws: ConfigError.self) { try APIConfig(env: EnvironmentReader(base.merging(["ENV": "production"]) { $1 })) }
        _ = try APIConfig(env: EnvironmentReader(base.merging(["ENV": "production", "ENCRYPTION_KEY": hex]) { $1 }))
    }

    @Test func emailSettingsDefaultOnExceptProductNews() async throws {
        try await APIHarness.run { harness, client in
            let (_, auth) = try await harness.user()
            #expect(
                try await get(client, "/api/settings/email", auth)
                    == ["quotaWarnings": true, "usageReset": true, "subscription": true, "articlePublished": true, "product": false])
            let (status, body) = try await put(client, "/api/v1/settings/email", #"{"product":true,"quotaWarnings":false}"#, auth)
            #expect(status == .ok)
            #expect(body["data"]?["product"] == true)
            #expect(try await get(client, "/api/settings/email", auth)["quotaWarnings"] == false)
            #expect(try await put(client, "/api/settings/email", #"{"newsletter":true}"#, auth).0 == .badRequest)
            #expect(try await put(client, "/api/settings/email", #"{"product":"yes"}"#, auth).0 == .badRequest)
        }
    }

    /// `null` reads as an absent field, so it changes nothing; each field that is no
    /// e-mail setting is named.
    @Test func emailSettingsTakeNullAsAbsentAndNameEachUnknownField() async throws {
        try await APIHarness.run { harness, client in
            let (_, auth) = try await harness.user()
            let (status, body) = try await put(client, "/api/settings/email", #"{"product":null,"quotaWarnings":false}"#, auth)
            #expect(status == .ok)
            #expect(body["data"] == ["quotaWarnings": false, "usageReset": true, "subscription": true, "articlePublished": true, "product": false])
            let (refused, error) = try await put(client, "/api/settings/email", #"{"newsletter":true,"digest":null}"#, auth)
            #expect(refused == .badRequest)
            #expect(error["error"]?["details"]?.arrayValue?.compactMap { $0["field"]?.stringValue } == ["digest", "newsletter"])
            #expect(error["error"]?["details"]?.arrayValue?.first?["message"] == "digest is not an e-mail setting")
        }
    }

    @Test func platformKeysNeedProAreShownOnceAndRevocable() async throws {
        try await APIHarness.run { harness, client in
            let (_, freeAuth) = try await harness.user()
            try await client.execute(
                uri: "/api/api-keys", method: .post, headers: freeAuth.merging([.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"name":"WordPress"}"#)
            ) { response in
                #expect(response.status == .forbidden)
                #expect(response.json["error"]?["code"] == "FEATURE_NOT_AVAILABLE")
                #expect(response.json["error"]?["details"]?["requiredPlan"] == "PRO")
            }

            let (_, auth) = try await proUser(harness)
            let (keyID, secret) = try await client.execute(
                uri: "/api/v1/api-keys", method: .post, headers: auth.merging([.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"name":"WordPress"}"#)
            ) { response in
                #expect(response.status == .created)
                let data = response.json["data"]
                #expect(data?["name"] == "WordPress")
                return (try #require(data?["id"]?.stringValue), try #require(data?["key"]?.stringValue))
            }
            #expect(secret.hasPrefix("nxf_") && secret.count == 47)
            let listed = try await get(client, "/api/api-keys", auth).arrayValue ?? []
            #expect(listed.count == 1)
            #expect(listed.first?["last4"] == .string(String(secret.suffix(4))))
            #expect(listed.first?["key"] == nil)
            // The key is stored as a hash only.
            #expect(
                try await TestUsers.integer(
                    "SELECT count(*)::int FROM platform_api_keys WHERE key_hash = \(PlatformKeyStore.hash(secret))", on: harness.database) == 1)
            #expect(
                try await TestUsers.integer(
                    "SELECT count(*)::int FROM platform_api_keys WHERE key_hash = \(secret) OR last4 = \(secret)", on: harness.database) == 0)

            // A platform key works only on the routes marked *key*.
            try await client.execute(uri: "/api/me", method: .get, headers: [.authorization: "Bearer \(secret)"]) {
                #expect($0.status == .unauthorized)
            }
            #expect(APIAuthentication.acceptsKey("/api/v1/token-usage/sync"))
            #expect(APIAuthentication.acceptsKey("/api/token-usage/sync"))
            // The WordPress plugin's connection test and periodic sync use the key too.
            #expect(APIAuthentication.acceptsKey("/api/v1/token-usage/stats"))
            #expect(APIAuthentication.acceptsKey("/api/sync/token-usage"))
            #expect(!APIAuthentication.acceptsKey("/api/v1/credits"))
            #expect(try await PlatformKeyStore(database: harness.database).owner(of: secret) != nil)

            // Another user cannot revoke it; its owner can, once.
            let (_, otherAuth) = try await harness.user()
            try await client.execute(uri: "/api/api-keys/\(keyID)", method: .delete, headers: otherAuth) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/api-keys/\(keyID)", method: .delete, headers: auth) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/api-keys/\(keyID)", method: .delete, headers: auth) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/api-keys/not-a-uuid", method: .delete, headers: auth) { #expect($0.status == .notFound) }
            #expect(try await PlatformKeyStore(database: harness.database).owner(of: secret) == nil)
            try await client.execute(
                uri: "/api/api-keys", method: .post, headers: auth.merging([.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"name":""}"#)
            ) { #expect($0.status == .badRequest) }
        }
    }
}
