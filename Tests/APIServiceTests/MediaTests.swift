import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import APIService

@Suite struct MediaTests {
    static let png: [UInt8] =
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array("IHDR fake image body".utf8) + (0..<200).map { UInt8($0 % 251) }

    /// The whole suite runs against both storages: files on disk (one machine) and an
    /// S3-compatible bucket (moto on loopback, signatures checked), as replicas use.
    enum Storage: String, CaseIterable, Sendable {
        case disk, s3
    }

    /// `body` gets a count of the stored objects (files, or keys in the bucket).
    func withMedia(
        _ storage: Storage, _ env: [String: String] = [:],
        _ body: @Sendable (APIHarness, any TestClientProtocol, @escaping @Sendable () async throws -> Int) async throws -> Void
    ) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("media-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        var environment = env.merging(["MEDIA_STORAGE_PATH": root, "API_PUBLIC_URL": "http://api.test"]) { $1 }
        switch storage {
        case .disk:
            let files: @Sendable () async throws -> Int = {
                (try? FileManager.default.subpathsOfDirectory(atPath: root))?.filter { $0.count > 60 }.count ?? 0
            }
            try await APIHarness.run(environment) { harness, client in try await body(harness, client, files) }
        case .s3:
            let moto = try MotoServer()
            defer { moto.kill() }
            try await moto.start()
            let bucket = "media-suite-\(UUID().uuidString.prefix(8).lowercased())"
            try await moto.createBucket(bucket)
            environment.merge(S3MediaStorageTests.apiEnvironment(moto, bucket, disk: root)) { $1 }
            let objects: @Sendable () async throws -> Int = {
                let listing = try await moto.send("GET", "/\(bucket)", signedFor: "s3")
                return listing.text.components(separatedBy: "<Key>").count - 1
            }
            try await APIHarness.run(environment) { harness, client in try await body(harness, client, objects) }
        }
    }

    func upload(_ client: any TestClientProtocol, _ auth: HTTPFields, _ bytes: [UInt8], field: String = "file", filename: String = "photo.png")
        async throws -> (HTTPResponse.Status, JSONValue)
    {
        let boundary = "----nova\(UUID().uuidString.prefix(8))"
        var body = Array(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"\(filename)\"\r\nContent-Type: image/png\r\n\r\n".utf8)
        body += bytes + Array("\r\n--\(boundary)--\r\n".utf8)
        return try await client.execute(
            uri: "/api/v1/media/upload", method: .post, headers: auth.merging([.contentType: "multipart/form-data; boundary=\(boundary)"]),
            body: ByteBuffer(bytes: body)
        ) { ($0.status, $0.json) }
    }

    /// The path and query of a signed URL.
    static func local(_ url: String) -> String { String(url.dropFirst("http://api.test".count)) }

    @Test(arguments: Storage.allCases)
    func uploadsAreSniffedStoredOnceAndServedWithETagAndRange(_ storage: Storage) async throws {
        try await withMedia(storage) { harness, client, files in
            let (_, auth) = try await harness.user()
            let (_, otherAuth) = try await harness.user()
            // Bytes no other test stores (the database, and so content sharing, is common).
            let png = Self.png + Array(UUID().uuidString.utf8)
            let (status, body) = try await upload(client, auth, png)
            #expect(status == .created)
            #expect(body["data"]?["mimeType"] == "image/png")
            #expect(body["data"]?["size"] == .int(png.count))
            let id = try #require(body["data"]?["id"]?.stringValue)
            let signed = try #require(body["data"]?["url"]?.stringValue)

            let etag = try await client.execute(uri: "/api/media/\(id)/file", method: .get, headers: auth) { response in
                #expect(response.status == .ok)
                #expect(Array(buffer: response.body) == png)
                #expect(response.headers[.contentType] == "image/png")
                return try #require(response.headers[.eTag])
            }
            try await client.execute(uri: "/api/media/\(id)/file", method: .get, headers: auth.merging([.ifNoneMatch: etag])) {
                #expect($0.status == .notModified)
            }
            try await client.execute(uri: "/api/media/\(id)/file", method: .get, headers: auth.merging([.range: "bytes=0-7"])) { response in
                #expect(response.status == .partialContent)
                #expect(response.headers[.contentRange] == "bytes 0-7/\(png.count)")
                #expect(Array(buffer: response.body) == Array(png[0..<8]))
            }
            try await client.execute(uri: "/api/media/\(id)/file", method: .get, headers: auth.merging([.range: "bytes=-4"])) { response in
                #expect(Array(buffer: response.body) == Array(png.suffix(4)))
            }
            try await client.execute(uri: "/api/media/\(id)/file", method: .get, headers: auth.merging([.range: "bytes=99999-"])) {
                #expect($0.status == .rangeNotSatisfiable)
            }
            // Someone else's token finds nothing; the signed URL needs no token; a forged one is refused.
            try await client.execute(uri: "/api/media/\(id)/file", method: .get, headers: otherAuth) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/media/\(id)/file", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: Self.local(signed), method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: Self.local(signed) + "x", method: .get) { #expect($0.status == .forbidden) }
            let urls = SignedMediaURLs(secret: testSecret, baseURL: "http://api.test", lifetime: .seconds(60))
            let expired = urls.url(for: try #require(UUID(uuidString: id)), now: Date().addingTimeInterval(-3600))
            try await client.execute(uri: Self.local(expired), method: .get) { #expect($0.status == .forbidden) }

            // The same bytes again: a second asset, one file. The file goes with the last asset.
            let (_, second) = try await upload(client, auth, png)
            let secondID = try #require(second["data"]?["id"]?.stringValue)
            #expect(try await files() == 1)
            try await client.execute(uri: "/api/media/\(id)", method: .delete, headers: otherAuth) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/media/\(id)", method: .delete, headers: auth) { #expect($0.status == .ok) }
            #expect(try await files() == 1)
            try await client.execute(uri: "/api/v1/media/\(secondID)", method: .delete, headers: auth) { #expect($0.status == .ok) }
            #expect(try await files() == 0)
        }
    }

    @Test(arguments: Storage.allCases)
    func badUploadsAreRefused(_ storage: Storage) async throws {
        try await withMedia(storage) { harness, client, _ in
            let (_, auth) = try await harness.user()
            #expect(try await upload(client, auth, Array("just text pretending to be a png".utf8)).0 == .unsupportedMediaType)
            #expect(try await upload(client, auth, Self.png, field: "other").0 == .badRequest)
            try await client.execute(
                uri: "/api/media/upload", method: .post, headers: auth.merging([.contentType: "application/json"]), body: ByteBuffer(string: "{}")
            ) {
                #expect($0.status == .unsupportedMediaType)
            }
            try await client.execute(
                uri: "/api/media/upload", method: .post, headers: auth.merging([.contentType: "multipart/form-data; boundary=x"]),
                body: ByteBuffer(bytes: [UInt8](repeating: 0x41, count: (26 << 20) + 10))
            ) { response in
                #expect(response.status == .contentTooLarge)
                #expect(response.json["error"]?["code"] == "PAYLOAD_TOO_LARGE")
            }
        }
    }

    @Test(arguments: Storage.allCases)
    func generatedImagesAndSpeechAreChargedStoredAndFallBack(_ storage: Storage) async throws {
        let fake = try FakeAIProviders()
        try await fake.start()
        defer { fake.stop() }
        try await withMedia(storage, fake.environment.merging(["AI_TIMEOUT_SECONDS": "5"]) { $1 }) { harness, client, _ in
            let (_, auth) = try await harness.user()
            let balance = {
                try await client.execute(uri: "/api/credits", method: .get, headers: auth) { $0.json["data"]?["balance"]?.intValue ?? -1 }
            }
            let before = try await balance()
            fake.script(
                "gemini",
                .json(
                    200,
                    [
                        "candidates": [
                            [
                                "content": [
                                    "parts": [["inlineData": ["mimeType": "image/png", "data": .string(Data(Self.png).base64EncodedString())]]]
                                ]
                            ]
                        ]
                    ]))
            let post = { (body: JSONValue, path: String) in
                try await client.execute(
                    uri: path, method: .post, headers: auth.merging([.contentType: "application/json"]), body: ByteBuffer(data: body.encodedData())
                ) {
                    ($0.status, $0.json)
                }
            }
            let (status, image) = try await post(["prompt": "a lighthouse", "style": "watercolor", "aspectRatio": "16:9"], "/api/media/images")
            #expect(status == .ok)
            #expect(image["data"]?["imageUrl"]?.stringValue == "data:image/png;base64," + Data(Self.png).base64EncodedString())
            #expect(image["data"]?["url"]?.stringValue?.hasPrefix("http://api.test/api/v1/media/") == true)
            #expect(fake.requests("gemini").last?.body["generationConfig"]?["imageConfig"]?["aspectRatio"] == "16:9")
            #expect(try await balance() == before - 8)

            // Gemini down: OpenAI's images API answers.
            fake.script("gemini", .json(500, [:]), .json(500, [:]))
            fake.script("openai-images", .json(200, ["data": [["b64_json": .string(Data(Self.png).base64EncodedString())]]]))
            let (fallbackStatus, fallback) = try await post(["prompt": "a harbour"], "/api/v1/media/images")
            #expect(fallbackStatus == .ok)
            #expect(fallback["data"]?["provider"] == "openai")
            #expect(try await balance() == before - 16)

            // Everyone down: 502 and nothing charged.
            fake.script("gemini", .json(503, [:]), .json(503, [:]))
            fake.script("openai-images", .json(503, [:]), .json(503, [:]))
            #expect(try await post(["prompt": "a storm"], "/api/media/images").0 == .badGateway)
            #expect(try await balance() == before - 16)
            #expect(try await post(["prompt": "x", "aspectRatio": "5:1"], "/api/media/images").0 == .badRequest)

            // Speech: PCM 24 kHz in the data URL, a WAV on disk.
            let pcm = [UInt8](repeating: 7, count: 4800)
            fake.script(
                "gemini",
                .json(
                    200,
                    [
                        "candidates": [
                            [
                                "content": [
                                    "parts": [
                                        [
                                            "inlineData": [
                                                "mimeType": "audio/L16;codec=pcm;rate=24000", "data": .string(Data(pcm).base64EncodedString()),
                                            ]
                                        ]
                                    ]
                                ]
                            ]
                        ]
                    ]))
            let (audioStatus, audio) = try await post(["text": "Hello there", "voice": "Puck"], "/api/media/audio")
            #expect(audioStatus == .ok)
            #expect(audio["data"]?["audioUrl"]?.stringValue == "data:audio/pcm;base64," + Data(pcm).base64EncodedString())
            #expect(audio["data"]?["mimeType"] == "audio/wav")
            #expect(audio["data"]?["size"] == .int(pcm.count + 44))
            #expect(
                fake.requests("gemini").last?.body["generationConfig"]?["speechConfig"]?["voiceConfig"]?["prebuiltVoiceConfig"]?["voiceName"]
                    == "Puck")

            try await client.execute(uri: "/api/media?type=IMAGE", method: .get, headers: auth) { response in
                #expect(response.json["data"]?["pagination"]?["total"] == 2)
            }
            try await client.execute(uri: "/api/media?type=FILM", method: .get, headers: auth) { #expect($0.status == .badRequest) }
        }
    }

    @Test(arguments: Storage.allCases)
    func offlineMediaIsLabelledPlaceholders(_ storage: Storage) async throws {
        try await withMedia(storage) { harness, client, _ in
            let (_, auth) = try await harness.user()
            try await client.execute(
                uri: "/api/media/audio", method: .post, headers: auth.merging([.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"text":"hi"}"#)
            ) { response in
                #expect(response.json["data"]?["provider"] == "offline")
                #expect(response.json["data"]?["audioUrl"]?.stringValue == "data:audio/pcm;base64," + Data(count: 48_000).base64EncodedString())
            }
            try await client.execute(
                uri: "/api/media/images", method: .post, headers: auth.merging([.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"prompt":"a <cat>"}"#)
            ) { response in
                #expect(response.json["data"]?["mimeType"] == "image/svg+xml")
                #expect(response.json["data"]?["provider"] == "offline")
            }
        }
    }
}
