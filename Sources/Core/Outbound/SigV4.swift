import Crypto
import Foundation

/// AWS Signature Version 4 in its header form (`Authorization: AWS4-HMAC-SHA256 …`), for
/// S3 and S3-compatible stores. A pure value: it does no I/O, and the clock is injected,
/// so the published test vectors can be checked byte for byte (see SigV4Tests).
///
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
public struct SigV4: Sendable {
    /// An access key; the secret never appears in `description`, `dump` or a debugger.
    public struct Credentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        public let accessKeyID: String
        public let secretAccessKey: String

        public init(accessKeyID: String, secretAccessKey: String) {
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
        }

        public var description: String { "Credentials(accessKeyID: \(accessKeyID), secretAccessKey: <redacted>)" }
        public var debugDescription: String { description }
        public var customMirror: Mirror { Mirror(self, children: ["accessKeyID": accessKeyID, "secretAccessKey": "<redacted>"]) }
    }

    /// A signed request: the headers to send, and the intermediate strings (for tests, and
    /// to compare with a server's `SignatureDoesNotMatch` answer when debugging).
    public struct Signed: Sendable {
        public let canonicalRequest: String
        public let stringToSign: String
        public let signature: String
        public let authorization: String
        /// The caller's headers plus `x-amz-date` (and `x-amz-content-sha256`) and
        /// `Authorization`: exactly what was signed, so send all of them unchanged.
        public let headers: [(name: String, value: String)]
    }

    /// SHA-256 of the empty body, the payload hash of GET, HEAD and DELETE.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public let credentials: Credentials
    public let region: String
    public let service: String
    /// Whether `x-amz-content-sha256` is added and signed: S3 requires it, other services
    /// (and AWS's generic test suite) have none.
    public let sendsContentSHA256: Bool
    let now: @Sendable () -> Date

    public init(
        credentials: Credentials, region: String, service: String, sendsContentSHA256: Bool? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.sendsContentSHA256 = sendsContentSHA256 ?? (service == "s3")
        self.now = now
    }

    /// Signs one request.
    /// - `path`: as it goes on the wire, already percent-encoded (`encodePath`). It is used
    ///   as the canonical URI unchanged, as S3 wants: no dot-segment normalisation and no
    ///   second encoding.
    /// - `query`: decoded name/value pairs; they are encoded and sorted here.
    /// - `headers`: every header to sign, `Host` included (the caller sends the same
    ///   value). Names are case-insensitive; a repeated name is signed as one comma-joined
    ///   value.
    /// - `payloadHash`: hex SHA-256 of the body (`emptyPayloadHash` when there is none).
    public func sign(
        method: String, path: String, query: [(String, String)] = [], headers: [(String, String)], payloadHash: String
    ) -> Signed {
        let timestamp = Self.timestamp(now())
        let date = String(timestamp.prefix(8))
        let scope = "\(date)/\(region)/\(service)/aws4_request"

        // The date (and payload hash) headers are the signer's: the caller's copies would
        // be signed twice or disagree with the clock.
        let own: Set<String> = sendsContentSHA256 ? ["x-amz-date", "x-amz-content-sha256", "authorization"] : ["x-amz-date", "authorization"]
        var sent = headers.filter { !own.contains($0.0.lowercased()) }.map { (name: $0.0, value: $0.1) }
        sent.append((name: "x-amz-date", value: timestamp))
        if sendsContentSHA256 { sent.append((name: "x-amz-content-sha256", value: payloadHash)) }

        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(sent)
        let canonicalRequest = [
            method.uppercased(), path.isEmpty ? "/" : path, Self.canonicalQuery(query), canonicalHeaders, signedHeaders, payloadHash,
        ].joined(separator: "\n")
        let stringToSign = ["AWS4-HMAC-SHA256", timestamp, scope, Hex.sha256(canonicalRequest)].joined(separator: "\n")

        // The key is derived from the secret through date, region, service and
        // "aws4_request", so a leaked signature or derived key is worth one day, one region
        // and one service at most.
        var key = SymmetricKey(data: Data(("AWS4" + credentials.secretAccessKey).utf8))
        for part in [date, region, service, "aws4_request"] { key = SymmetricKey(data: Self.hmac(key, part)) }
        let signature = Hex.string(Self.hmac(key, stringToSign))

        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        sent.append((name: "Authorization", value: authorization))
        return Signed(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature, authorization: authorization, headers: sent)
    }

    /// `20150830T123600Z`: the `x-amz-date` form, always UTC.
    public static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func digits(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return digits(parts.year, 4) + digits(parts.month, 2) + digits(parts.day, 2) + "T" + digits(parts.hour, 2) + digits(parts.minute, 2)
            + digits(parts.second, 2) + "Z"
    }

    /// RFC 3986 percent-encoding as SigV4 defines it: everything but `A-Z a-z 0-9 - . _ ~`
    /// (and `/` when `keepSlash`) becomes `%XX`, upper-case hex, byte by byte of the UTF-8.
    public static func uriEncode(_ text: String, keepSlash: Bool = false) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: "/") where keepSlash:
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A raw path (`/bucket/a b/ü`) in the encoded form to put in the URL and to sign.
    public static func encodePath(_ raw: String) -> String {
        uriEncode(raw, keepSlash: true)
    }

    static func canonicalQuery(_ query: [(String, String)]) -> String {
        query.map { (uriEncode($0.0), uriEncode($0.1)) }
            .sorted { $0.0 == $1.0 ? bytewise($0.1, $1.1) : bytewise($0.0, $1.0) }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// `name:value\n` lines (lower-case names, sorted; values trimmed, inner runs of
    /// spaces collapsed to one) and the `;`-joined names.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (String, String) {
        var values: [String: [String]] = [:]
        for (name, value) in headers {
            let trimmed = value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
            values[name.lowercased().trimmingCharacters(in: .whitespaces), default: []].append(trimmed)
        }
        let names = values.keys.sorted(by: bytewise)
        let lines = names.map { "\($0):\(values[$0]!.joined(separator: ","))\n" }.joined()
        return (lines, names.joined(separator: ";"))
    }

    /// Byte order, as SigV4 sorts (not locale or Unicode collation).
    static func bytewise(_ left: String, _ right: String) -> Bool {
        left.utf8.lexicographicallyPrecedes(right.utf8)
    }

    static func hmac(_ key: SymmetricKey, _ message: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: key))
    }
}
