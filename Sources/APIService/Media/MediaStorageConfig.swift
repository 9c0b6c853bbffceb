import AsyncHTTPClient
import Core
import Foundation

/// Where media files live: `MEDIA_STORAGE=disk` (default; `MEDIA_STORAGE_PATH`, one
/// process only) or `MEDIA_STORAGE=s3`, a bucket every replica shares (see README,
/// "Media storage"). Read at start-up, so a missing S3 setting stops the service with the
/// variable's name instead of failing on the first upload.
struct MediaStorageConfig: Sendable {
    enum Backend: Sendable {
        case disk(path: String)
        case s3(S3)
    }

    struct S3: Sendable {
        /// `S3_ENDPOINT`, without a trailing slash.
        var endpoint: URL
        /// `S3_BUCKET`.
        var bucket: String
        /// `S3_REGION` (default `us-east-1`; MinIO and moto accept it whatever they run).
        var region: String
        /// `S3_ACCESS_KEY_ID` and `S3_SECRET_ACCESS_KEY` (the secret redacted when printed).
        var credentials: SigV4.Credentials
        /// `S3_PREFIX`: empty or ending in `/`, so several environments can share a bucket.
        var prefix: String
        /// `S3_TIMEOUT_SECONDS` (default 30) per request, body included.
        var timeout: Duration
    }

    var backend: Backend

    init(env: EnvironmentReader) throws {
        switch env.string("MEDIA_STORAGE")?.lowercased() ?? "disk" {
        case "disk":
            backend = .disk(path: env.string("MEDIA_STORAGE_PATH") ?? "./data/media")
        case "s3":
            func missing(_ name: String) -> ConfigError { ConfigError(variable: name, reason: "required when MEDIA_STORAGE=s3") }
            func required(_ name: String) throws -> String {
                guard let value = env.string(name) else { throw missing(name) }
                return value
            }
            guard let endpoint = try env.url("S3_ENDPOINT") else { throw missing("S3_ENDPOINT") }
            guard endpoint.query == nil, endpoint.fragment == nil else {
                throw ConfigError(variable: "S3_ENDPOINT", reason: "expected scheme://host[:port] without query or fragment")
            }
            let bucket = try required("S3_BUCKET")
            // Bucket names are DNS-like; checking here also keeps the object path plain.
            guard (3...63).contains(bucket.count), bucket.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || "-._".contains($0)) }) else {
                throw ConfigError(variable: "S3_BUCKET", reason: "expected 3 to 63 characters of a-z, 0-9, '.', '-' or '_', got '\(bucket)'")
            }
            var prefix = env.string("S3_PREFIX") ?? ""
            while prefix.hasPrefix("/") { prefix.removeFirst() }
            if !prefix.isEmpty, !prefix.hasSuffix("/") { prefix += "/" }
            let base = endpoint.absoluteString.hasSuffix("/") ? String(endpoint.absoluteString.dropLast()) : endpoint.absoluteString
            backend = .s3(
                S3(
                    endpoint: URL(string: base) ?? endpoint, bucket: bucket, region: env.string("S3_REGION") ?? "us-east-1",
                    credentials: SigV4.Credentials(
                        accessKeyID: try required("S3_ACCESS_KEY_ID"), secretAccessKey: try required("S3_SECRET_ACCESS_KEY")),
                    prefix: prefix, timeout: .seconds(try env.int("S3_TIMEOUT_SECONDS", default: 30, range: 1...3600))))
        case let other:
            throw ConfigError(variable: "MEDIA_STORAGE", reason: "expected disk or s3, got '\(other)'")
        }
    }

    func make(http: HTTPClient) -> any MediaStorage {
        switch backend {
        case .disk(let path):
            return DiskMediaStorage(root: path)
        case .s3(let s3):
            return S3MediaStorage(
                endpoint: s3.endpoint, bucket: s3.bucket, prefix: s3.prefix,
                signer: SigV4(credentials: s3.credentials, region: s3.region, service: "s3"), http: http,
                timeout: s3.timeout)
        }
    }
}
