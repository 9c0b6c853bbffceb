import AsyncHTTPClient
import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import APIService

/// `S3MediaStorage` against a real S3-compatible server (moto, signatures checked), and
/// the API with `MEDIA_STORAGE=s3`: what one replica stores, another serves.
@Suite struct S3MediaStorageTests {
    /// A fresh moto with a fresh bucket; moto is stopped afterwards.
    func withMoto(_ body: (MotoServer, String) async throws -> Void) async throws {
        let moto = try MotoServer()
        defer { moto.kill() }
        try await moto.start()
        let bucket = "nova-media-\(UUID().uuidString.prefix(8).lowercased())"
        try await moto.createBucket(bucket)
        try await body(moto, bucket)
    }

    func makeStorage(_ moto: MotoServer, _ bucket: String, prefix: String = "media/", credentials: SigV4.Credentials? = nil) throws -> S3MediaStorage
    {
        S3MediaStorage(
            endpoint: try #require(URL(string: moto.endpoint)), bucket: bucket, prefix: prefix,
            signer: SigV4(credentials: credentials ?? moto.credentials, region: moto.region, service: "s3"), http: .shared,
            timeout: .seconds(10))
    }

    static func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) } + Array(UUID().uuidString.utf8)
    }

    @Test func putReadRangeSizeDelete() async throws {
        try await withMoto { moto, bucket in
            let storage = try makeStorage(moto, bucket)
            let bytes = Self.bytes(1000)
            let key = try await storage.put(bytes)
            #expect(key == ContentKey.of(bytes))
            #expect(try await storage.size(key) == bytes.count)
            #expect(try await storage.read(key, range: nil) == bytes)
            #expect(try await storage.read(key, range: 10..<20) == Array(bytes[10..<20]))
            #expect(try await storage.read(key, range: 990..<bytes.count) == Array(bytes[990...]))
            #expect(try await storage.read(key, range: 5..<5) == [])

            // Under the prefix, fanned out like the disk.
            let object = "/\(bucket)/media/\(key.prefix(2))/\(key.dropFirst(2).prefix(2))/\(key)"
            #expect(try await moto.send("HEAD", object, signedFor: "s3").status == 200)

            // Unknown and malformed keys are "not there", not errors.
            let unknown = ContentKey.of(Array("never stored".utf8))
            #expect(try await storage.size(unknown) == nil)
            #expect(try await storage.read(unknown, range: nil) == nil)
            #expect(try await storage.read(unknown, range: 0..<4) == nil)
            #expect(try await storage.read("../../etc/passwd", range: nil) == nil)
            #expect(try await storage.size("ABC") == nil)

            try await storage.delete(key)
            #expect(try await storage.size(key) == nil)
            #expect(try await storage.read(key, range: nil) == nil)
            try await storage.delete(key)  // already gone: fine
        }
    }

    @Test func putOfStoredContentSendsNothing() async throws {
        try await withMoto { moto, bucket in
            let storage = try makeStorage(moto, bucket)
            let bytes = Self.bytes(300)
            let key = try await storage.put(bytes)
            #expect(try await storage.put(bytes) == key)
            #expect(try await storage.read(key, range: nil) == bytes)

            // A key that may read but not write: storing what is there succeeds (only a HEAD
            // is sent), storing anything new is refused by the server.
            let reader = try makeStorage(moto, bucket, credentials: try await moto.createAccessKey(user: "reader", allowing: ["s3:GetObject"]))
            #expect(try await reader.put(bytes) == key)
            let refused = await #expect(throws: S3StorageError.self) { try await reader.put(Self.bytes(301)) }
            #expect(refused?.status == 403)
            #expect(refused?.code == "AccessDenied")
        }
    }

    @Test func aWrongSecretGetsAnErrorNotData() async throws {
        try await withMoto { moto, bucket in
            let key = try await makeStorage(moto, bucket).put(Self.bytes(100))
            let wrong = try makeStorage(
                moto, bucket, credentials: .init(accessKeyID: moto.credentials.accessKeyID, secretAccessKey: "not-the-secret"))
            let error = await #expect(throws: S3StorageError.self) { try await wrong.read(key, range: nil) }
            #expect(error?.status == 403)
            #expect(error?.code == "SignatureDoesNotMatch")
            #expect(error.map { "\($0)".contains("not-the-secret") } == false)
            // HEAD has no error body, but is refused all the same (not "no such file").
            await #expect(throws: S3StorageError.self) { try await wrong.size(key) }
            await #expect(throws: S3StorageError.self) { try await wrong.put(Self.bytes(5)) }
            await #expect(throws: S3StorageError.self) { try await wrong.delete(key) }
            #expect(try await makeStorage(moto, bucket).size(key) == 100 + 36)

            // A bucket that does not exist is a configuration fault, not a missing file.
            let nowhere = try makeStorage(moto, "no-such-bucket-here")
            let missing = await #expect(throws: S3StorageError.self) { try await nowhere.read(key, range: nil) }
            #expect(missing?.code == "NoSuchBucket")
        }
    }

    /// A store that stops answering, before the head or in the middle of a body, gives
    /// an error after `timeout` rather than holding the request.
    @Test func aStalledStoreTimesOut() async throws {
        let port = try freePort()
        let router = Router()
        router.head("**") { _, _ -> Response in
            try await Task.sleep(for: .seconds(120))
            return Response(status: .ok)
        }
        router.get("**") { _, _ in
            Response(
                status: .ok, headers: [.contentLength: "100"],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(bytes: [UInt8](repeating: 1, count: 10)))
                    try await Task.sleep(for: .seconds(120))
                    try await writer.write(ByteBuffer(bytes: [UInt8](repeating: 1, count: 90)))
                    try await writer.finish(nil)
                })
        }
        let server = try await LocalServer.start(router, port: port)
        defer { server.cancel() }
        let storage = S3MediaStorage(
            endpoint: try #require(URL(string: "http://127.0.0.1:\(port)")), bucket: "stalled",
            signer: SigV4(
                credentials: .init(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "x"), region: "us-east-1", service: "s3"),
            http: .shared, timeout: .milliseconds(500))
        let key = ContentKey.of([1, 2, 3])
        for operation in ["HEAD", "GET"] {
            let started = ContinuousClock.now
            let error = await #expect(throws: S3StorageError.self) {
                if operation == "HEAD" { _ = try await storage.size(key) } else { _ = try await storage.read(key, range: nil) }
            }
            #expect(error?.code == "Timeout")
            // Far below the two-minute stall, with room for a loaded machine.
            #expect(ContinuousClock.now - started < .seconds(30))
        }
    }

    // MARK: - Configuration

    static let s3Environment = [
        "MEDIA_STORAGE": "s3", "S3_ENDPOINT": "http://127.0.0.1:9000/", "S3_BUCKET": "nova-media", "S3_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "S3_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    ]

    @Test func configuration() throws {
        guard case .disk(let path) = try MediaStorageConfig(env: EnvironmentReader([:])).backend else { Issue.record("not disk"); return }
        #expect(path == "./data/media")
        guard
            case .disk(let custom) = try MediaStorageConfig(env: EnvironmentReader(["MEDIA_STORAGE": "disk", "MEDIA_STORAGE_PATH": "/srv/m"])).backend
        else { Issue.record("not disk"); return }
        #expect(custom == "/srv/m")

        guard case .s3(let s3) = try MediaStorageConfig(env: EnvironmentReader(Self.s3Environment.merging(["S3_PREFIX": "/prod"]) { $1 })).backend
        else { Issue.record("not s3"); return }
        #expect(s3.endpoint.absoluteString == "http://127.0.0.1:9000")
        #expect(s3.bucket == "nova-media")
        #expect(s3.region == "us-east-1")
        #expect(s3.prefix == "prod/")
        #expect(s3.timeout == .seconds(30))
        #expect(!"\(s3)".contains("EXAMPLEKEY"))
        #expect(try MediaStorageConfig(env: EnvironmentReader(Self.s3Environment)).make(http: .shared) is S3MediaStorage)

        // Every required variable, named when missing; through APIConfig, so start-up fails.
        for name in ["S3_ENDPOINT", "S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"] {
            var env = Self.s3Environment
            env[name] = nil
            #expect(throws: ConfigError(variable: name, reason: "required when MEDIA_STORAGE=s3")) {
                try APIConfig(env: testEnvironment(databaseURL: "postgres://x@127.0.0.1/db", env))
            }
        }
        #expect(throws: ConfigError(variable: "MEDIA_STORAGE", reason: "expected disk or s3, got 'nfs'")) {
            try MediaStorageConfig(env: EnvironmentReader(["MEDIA_STORAGE": "nfs"]))
        }
        #expect(throws: ConfigError.self) {
            try MediaStorageConfig(env: EnvironmentReader(Self.s3Environment.merging(["S3_ENDPOINT": "ftp://x"]) { $1 }))
        }
        #expect(throws: ConfigError.self) {
            try MediaStorageConfig(env: EnvironmentReader(Self.s3Environment.merging(["S3_BUCKET": "My_Bucket/x"]) { $1 }))
        }
    }

    // MARK: - End to end: two API instances, one bucket

    static func apiEnvironment(_ moto: MotoServer, _ bucket: String, disk: String) -> [String: String] {
        [
            "MEDIA_STORAGE": "s3", "S3_ENDPOINT": moto.endpoint, "S3_BUCKET": bucket, "S3_REGION": moto.region, "S3_PREFIX": "uploads",
            "S3_ACCESS_KEY_ID": moto.credentials.accessKeyID, "S3_SECRET_ACCESS_KEY": moto.credentials.secretAccessKey,
            "MEDIA_STORAGE_PATH": disk, "API_PUBLIC_URL": "http://api.test",
        ]
    }

    @Test func anUploadOnOneReplicaIsServedByAnother() async throws {
        try await withMoto { moto, bucket in
            // Each instance has its own (empty) disk directory, like pods with an emptyDir.
            let disks = (0..<2).map { _ in FileManager.default.temporaryDirectory.appendingPathComponent("media-s3-\(UUID().uuidString)").path }
            defer { for disk in disks { try? FileManager.default.removeItem(atPath: disk) } }
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array("IHDR s3 replica test".utf8) + Array(UUID().uuidString.utf8)

            try await APIHarness.run(Self.apiEnvironment(moto, bucket, disk: disks[0])) { harness, first in
                let (_, auth) = try await harness.user()
                let (status, body) = try await MediaTests().upload(first, auth, png)
                #expect(status == .created)
                let id = try #require(body["data"]?["id"]?.stringValue)
                let signed = try #require(body["data"]?["url"]?.stringValue)
                try await first.execute(uri: MediaTests.local(signed), method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(Array(buffer: response.body) == png)
                }
                // In the bucket, under the prefix; nothing on this instance's disk.
                let key = ContentKey.of(png)
                #expect(try await makeStorage(moto, bucket, prefix: "uploads/").size(key) == png.count)
                #expect((try? FileManager.default.subpathsOfDirectory(atPath: disks[0]))?.isEmpty ?? true)

                // A second instance (another pod, or this one after a restart) on the same
                // database and bucket serves the same file, ranges and ETag included.
                try await APIHarness.run(Self.apiEnvironment(moto, bucket, disk: disks[1])) { _, second in
                    try await second.execute(uri: MediaTests.local(signed), method: .get) { response in
                        #expect(response.status == .ok)
                        #expect(Array(buffer: response.body) == png)
                        #expect(response.headers[.contentType] == "image/png")
                        #expect(response.headers[.eTag] == "\"\(key)\"")
                    }
                    try await second.execute(uri: MediaTests.local(signed), method: .get, headers: [.range: "bytes=4-11"]) { response in
                        #expect(response.status == .partialContent)
                        #expect(response.headers[.contentRange] == "bytes 4-11/\(png.count)")
                        #expect(Array(buffer: response.body) == Array(png[4..<12]))
                    }
                    try await second.execute(uri: "/api/media/\(id)/file", method: .get, headers: auth) { #expect($0.status == .ok) }
                    // Deleted through the second: gone from the bucket, so for the first too.
                    try await second.execute(uri: "/api/media/\(id)", method: .delete, headers: auth) { #expect($0.status == .ok) }
                }
                #expect(try await makeStorage(moto, bucket, prefix: "uploads/").size(key) == nil)
                try await first.execute(uri: MediaTests.local(signed), method: .get) { #expect($0.status == .notFound) }
            }
        }
    }
}
