import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import APIService

/// Serialized, on a database of its own: every API app runs a video poller over the rows
/// of its database, and another test's poller (with other fakes, or no Gemini key) must
/// not poll these operations.
@Suite(.serialized) struct VideoTests {
    static let mp4: [UInt8] = [0, 0, 0, 0x18] + Array("ftypmp42".utf8) + [0, 0, 0, 0] + Array("isommp42 fake video".utf8)

    func withVideo(syncWait: Int = 10, _ body: @Sendable (FakeAIProviders, APIHarness, any TestClientProtocol) async throws -> Void) async throws {
        let fake = try FakeAIProviders()
        try await fake.start()
        defer { fake.stop() }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("video-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let env = fake.environment.merging([
            "MEDIA_STORAGE_PATH": root, "API_PUBLIC_URL": "http://api.test", "GEMINI_VIDEO_MODEL": "veo-test",
            "VIDEO_SYNC_WAIT_SECONDS": String(syncWait),
            "VIDEO_POLL_INTERVAL_MS": "50",
        ]) { $1 }
        try await APIHarness.run(env, isolatedDatabase: true) { harness, client in try await body(fake, harness, client) }
    }

    func proUser(_ harness: APIHarness) async throws -> HTTPFields {
        let (id, auth) = try await harness.user()
        try await harness.database.client.query(
            "INSERT INTO subscriptions (user_id, plan, status, current_period_start, current_period_end) VALUES (\(id), 'PRO', 'ACTIVE', now(), now() + interval '1 month')",
            logger: harness.database.logger)
        return auth
    }

    func post(_ client: any TestClientProtocol, _ auth: HTTPFields, _ body: JSONValue) async throws -> (HTTPResponse.Status, JSONValue) {
        try await client.execute(
            uri: "/api/v1/media/videos", method: .post, headers: auth.merging([.contentType: "application/json"]),
            body: ByteBuffer(data: body.encodedData())
        ) {
            ($0.status, $0.json)
        }
    }

    func balance(_ client: any TestClientProtocol, _ auth: HTTPFields) async throws -> Int {
        try await client.execute(uri: "/api/credits", method: .get, headers: auth) { $0.json["data"]?["balance"]?.intValue ?? -1 }
    }

    @Test func aVideoOperationIsPolledStoredAndChargedOnce() async throws {
        try await withVideo { fake, harness, client in
            let auth = try await proUser(harness)
            let before = try await balance(client, auth)
            fake.script("gemini", .json(200, ["name": "models/veo-test/operations/op-1"]))
            fake.script(
                "veo-op", .json(200, ["name": "models/veo-test/operations/op-1", "done": false]),
                .json(200, ["name": "models/veo-test/operations/op-1", "done": false]),
                .json(
                    200,
                    [
                        "name": "models/veo-test/operations/op-1", "done": true,
                        "response": [
                            "generateVideoResponse": [
                                "generatedSamples": [
                                    ["video": ["uri": .string("\(fake.base)/gemini/files/abc:download?alt=media")]]
                                ]
                            ]
                        ],
                    ]))
            fake.script("veo-file", .bytes(Self.mp4, "video/mp4"))
            let (status, body) = try await post(client, auth, ["prompt": "a drone over a lighthouse", "aspectRatio": "9:16", "duration": 8])
            #expect(status == .ok)
            #expect(body["data"]?["status"] == "completed")
            let url = try #require(body["data"]?["videoUrl"]?.stringValue)
            // The provider's download link (which needs the key) is never handed out.
            #expect(url.hasPrefix("http://api.test/api/v1/media/") && !url.contains("files/abc"))
            #expect(fake.requests("gemini").first { $0.path.hasSuffix(":predictLongRunning") }?.body["parameters"]?["aspectRatio"] == "9:16")
            #expect(fake.requests("gemini/files").last?.headers["x-goog-api-key"] == "g-key")
            #expect(fake.requests("gemini/v1beta/models/veo-test/operations").count == 3)
            try await client.execute(uri: String(url.dropFirst("http://api.test".count)), method: .get) { response in
                #expect(Array(buffer: response.body) == Self.mp4)
                #expect(response.headers[.contentType] == "video/mp4")
            }
            #expect(try await balance(client, auth) == before - 50)
        }
    }

    /// The frontend waits 30 s and reads only `videoUrl`; a video that is not done by then
    /// answers `processing` with a message saying where it will appear.
    @Test func aLongVideoAnswersProcessingWithAMessage() async throws {
        try await withVideo(syncWait: 0) { fake, harness, client in
            let auth = try await proUser(harness)
            fake.script("gemini", .json(200, ["name": "models/veo-test/operations/op-3"]))
            fake.script("veo-op", .json(200, ["name": "models/veo-test/operations/op-3", "done": false]))
            let (status, body) = try await post(client, auth, ["prompt": "a long sunset", "duration": "9s"])
            #expect(status == .ok)
            #expect(body["data"]?["status"] == "processing")
            #expect(body["data"]?["message"]?.stringValue?.contains("/media/") == true)
            #expect(body["data"]?["videoUrl"] == nil)
        }
    }

    @Test func aFailedOperationCostsNothingAndFreeCannotMakeVideos() async throws {
        try await withVideo { fake, harness, client in
            let auth = try await proUser(harness)
            let before = try await balance(client, auth)
            fake.script("gemini", .json(200, ["name": "models/veo-test/operations/op-2"]))
            fake.script(
                "veo-op",
                .json(200, ["name": "models/veo-test/operations/op-2", "done": true, "error": ["code": 3, "message": "prompt was filtered"]]))
            let (_, body) = try await post(client, auth, ["prompt": "something filtered"])
            #expect(body["data"]?["status"] == "failed")
            #expect(body["data"]?["videoUrl"] == nil)
            #expect(try await balance(client, auth) == before)

            fake.script("gemini", .json(503, [:]))
            #expect(try await post(client, auth, ["prompt": "provider down"]).0 == .badGateway)
            #expect(try await balance(client, auth) == before)

            let (_, freeAuth) = try await harness.user()
            let (status, refused) = try await post(client, freeAuth, ["prompt": "free video"])
            #expect(status == .forbidden)
            #expect(refused["error"]?["code"] == "FEATURE_NOT_AVAILABLE")
            #expect(try await post(client, auth, ["prompt": "x", "duration": 600]).0 == .badRequest)
            #expect(try await post(client, auth, ["prompt": "x", "resolution": "8k"]).0 == .badRequest)
        }
    }
}
