import AsyncHTTPClient
import Core
import Foundation
import NIOCore
import NIOHTTP1

/// Media in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2 …), so every replica sees
/// every upload and a restart loses nothing. Objects are `{prefix}ab/cd/<key>` like the
/// disk layout; files are still served through the API (`MediaFileRoutes`, signed URLs),
/// so the bucket stays private and clients see no difference.
///
/// Path-style URLs (`{endpoint}/{bucket}/{object}`): they work with every S3-compatible
/// server and need no wildcard DNS or certificate for bucket sub-domains.
struct S3MediaStorage: MediaStorage {
    /// `scheme://host[:port][/base]`, without a trailing slash.
    let endpoint: URL
    let bucket: String
    /// Empty, or ending in `/`.
    let prefix: String
    let signer: SigV4
    let http: HTTPClient
    /// Per request, body included; a stuck store must not hold a request forever.
    let timeout: Duration

    /// The largest object read back: the largest file stored, a provider's video (see
    /// VideoService).
    static let maxObjectBytes = 512 << 20

    init(endpoint: URL, bucket: String, prefix: String = "", signer: SigV4, http: HTTPClient, timeout: Duration = .seconds(30)) {
        self.endpoint = endpoint
        self.bucket = bucket
        self.prefix = prefix
        self.signer = signer
        self.http = http
        self.timeout = timeout
    }

    func put(_ bytes: [UInt8]) async throws -> String {
        let key = ContentKey.of(bytes)
        // Content-addressed: an object under this key already holds these bytes, so a
        // second upload of the same file costs one HEAD and no transfer.
        if try await size(key) != nil { return key }
        // The key is the body's SHA-256, which is what `x-amz-content-sha256` carries: S3
        // checks the body against it, so a corrupted transfer is refused, not stored.
        let reply = try await send(.PUT, key, body: bytes, payloadHash: key)
        guard (200..<300).contains(reply.status.code) else { throw failure("PUT", key, reply) }
        return key
    }

    func read(_ key: String, range: Range<Int>?) async throws -> [UInt8]? {
        guard ContentKey.isValid(key) else { return nil }
        if let range, range.isEmpty { return try await size(key) == nil ? nil : [] }
        var headers: [(String, String)] = []
        if let range { headers.append(("Range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)")) }
        let reply = try await send(.GET, key, headers: headers)
        switch reply.status {
        case .ok:
            let bytes = Array(buffer: reply.body)
            // A server that ignores `Range` sends the whole object: cut it here.
            guard let range else { return bytes }
            return Array(bytes[min(range.lowerBound, bytes.count)..<min(range.upperBound, bytes.count)])
        case .partialContent:
            return Array(buffer: reply.body)
        case .rangeNotSatisfiable:
            // The object exists but is shorter than the range: nothing, as from the disk.
            return []
        case .notFound:
            // No such object, unless the bucket itself is missing: a configuration fault
            // that must not look like "every file was deleted".
            let error = failure("GET", key, reply)
            if error.code == "NoSuchBucket" { throw error }
            return nil
        default:
            throw failure("GET", key, reply)
        }
    }

    func size(_ key: String) async throws -> Int? {
        guard ContentKey.isValid(key) else { return nil }
        let reply = try await send(.HEAD, key)
        switch reply.status {
        case .ok:
            guard let length = reply.headers.first(name: "content-length").flatMap({ Int($0) }) else {
                throw S3StorageError(operation: "HEAD", object: key, status: 200, code: "NoContentLength", message: nil)
            }
            return length
        case .notFound: return nil
        default: throw failure("HEAD", key, reply)
        }
    }

    func delete(_ key: String) async throws {
        guard ContentKey.isValid(key) else { return }
        let reply = try await send(.DELETE, key)
        // S3 answers 204 whether or not the object existed; others may say 404: both
        // mean it is gone.
        guard [.noContent, .ok, .notFound].contains(reply.status) else { throw failure("DELETE", key, reply) }
    }

    /// `{prefix}ab/cd/<key>`, the disk fan-out, so listings stay browsable.
    func objectName(_ key: String) -> String {
        prefix + ContentKey.fanOut(key)
    }

    struct Reply: Sendable {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    /// One signed request for the object of `key` (which callers have validated), its
    /// answer read whole within `timeout`.
    func send(
        _ method: HTTPMethod, _ key: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        payloadHash: String = SigV4.emptyPayloadHash
    ) async throws -> Reply {
        let path = SigV4.encodePath(endpoint.path + "/" + bucket + "/" + objectName(key))
        var host = endpoint.host ?? ""
        if let port = endpoint.port { host += ":\(port)" }
        // `Host` is signed, so it is set here to the value sent rather than left to the client.
        let signed = signer.sign(method: method.rawValue, path: path, headers: [("Host", host)] + headers, payloadHash: payloadHash)
        var request = HTTPClientRequest(url: "\(endpoint.scheme ?? "https")://\(host)\(path)")
        request.method = method
        for (name, value) in signed.headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        // The client's own timeout ends with the response head; racing the whole exchange
        // against a timer also bounds a store that stalls in the middle of a body.
        let (http, timeout, prepared) = (self.http, self.timeout, request)
        let reply = try await withThrowingTaskGroup(of: Reply?.self) { group in
            group.addTask {
                do {
                    let response = try await http.execute(prepared, timeout: .nanoseconds(Int64(timeout / .nanoseconds(1))))
                    return Reply(status: response.status, headers: response.headers, body: try await response.body.collect(upTo: Self.maxObjectBytes))
                } catch let error as HTTPClientError where error == .deadlineExceeded {
                    return nil  // the same timeout, seen first by the client
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        guard let reply else {
            throw S3StorageError(
                operation: method.rawValue, object: objectName(key), status: nil, code: "Timeout", message: "no complete answer within \(timeout)")
        }
        return reply
    }

    /// The error for an unexpected answer: status and S3's error code and message, never
    /// the request's headers (they carry the signature).
    func failure(_ operation: String, _ key: String, _ reply: Reply) -> S3StorageError {
        let text = String(buffer: reply.body.getSlice(at: reply.body.readerIndex, length: min(reply.body.readableBytes, 64 << 10)) ?? ByteBuffer())
        func element(_ name: String) -> String? {
            guard let start = text.range(of: "<\(name)>"), let end = text.range(of: "</\(name)>", range: start.upperBound..<text.endIndex) else {
                return nil
            }
            return String(text[start.upperBound..<end.lowerBound])
        }
        return S3StorageError(
            operation: operation, object: objectName(key), status: Int(reply.status.code), code: element("Code"), message: element("Message"))
    }
}

/// An S3 answer other than success or "no such object", e.g. `403 SignatureDoesNotMatch`
/// for a wrong secret or `404 NoSuchBucket`, or no answer in time (`status` nil).
struct S3StorageError: Error, CustomStringConvertible {
    let operation: String
    let object: String
    let status: Int?
    let code: String?
    let message: String?

    var description: String {
        "S3 \(operation) \(object):" + (status.map { " HTTP \($0)" } ?? "") + (code.map { " \($0)" } ?? "") + (message.map { ": \($0)" } ?? "")
    }
}
