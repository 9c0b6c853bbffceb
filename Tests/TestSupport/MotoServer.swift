import AsyncHTTPClient
import Core
import Foundation
import NIOCore

/// A real S3-compatible server on a loopback port: `moto_server` (PyPI `moto[server]`)
/// as a child process, with signature checking on.
///
/// moto accepts any signature by default, which would let a wrong secret read data; so
/// `start` creates an IAM user with an access key and then switches authentication on
/// (`/moto-api/reset-auth`): from then on every request must be signed with a key moto
/// issued, and moto recomputes the signature with botocore, an independent SigV4.
public final class MotoServer: @unchecked Sendable {
    public let port: Int
    public let region = "us-east-1"
    /// A key allowed everything (S3 and IAM), valid once `start` returned.
    public private(set) var credentials = SigV4.Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "unchecked-until-start")
    var process: Process?
    let log: URL

    public init(port: Int? = nil) throws {
        self.port = try port ?? freePort()
        log = FileManager.default.temporaryDirectory.appendingPathComponent("moto-\(self.port)-\(UUID().uuidString.prefix(8)).log")
    }

    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// `MOTO_SERVER` when set, else `moto_server` on `PATH` or where pip puts scripts.
    public static func executable() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["MOTO_SERVER"], !path.isEmpty { return FileManager.default.isExecutableFile(atPath: path) ? path : nil }
        var directories = (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        directories += ["/usr/local/bin", "/usr/bin", NSHomeDirectory() + "/.local/bin"]
        return directories.map { $0 + "/moto_server" }.first(where: FileManager.default.isExecutableFile(atPath:))
    }

    public func start() async throws {
        // Missing is a failure, not a skip: the test command installs it.
        guard let path = Self.executable() else {
            throw ServiceProcess.LaunchError(message: "moto_server is not installed (pip install 'moto[server]'), or set MOTO_SERVER to its path")
        }
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
        process.standardOutput = output
        process.standardError = output
        try process.run()
        self.process = process
        // Python and moto's imports take a few seconds on a cold machine.
        let deadline = ContinuousClock.now + .seconds(60)
        while !isListening(port: port) {
            guard process.isRunning, ContinuousClock.now < deadline else {
                throw ServiceProcess.LaunchError(message: "moto_server did not start: \(recentOutput())")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        // The listener must be this moto, not another server that got the port first.
        let probe = try await send("GET", "/moto-api/data.json", signedFor: nil)
        guard process.isRunning, probe.status == 200 else {
            throw ServiceProcess.LaunchError(message: "port \(port) answers, but not as moto (\(probe.status)): \(recentOutput())")
        }

        // While authentication is off moto reads the service from the signature's scope and
        // ignores the key: any signer value will do for creating the first real one.
        credentials = try await createAccessKey(user: "nova-admin", allowing: ["*"])
        let reply = try await send("POST", "/moto-api/reset-auth", body: "0", signedFor: nil)
        guard reply.status == 200 else { throw ServiceProcess.LaunchError(message: "moto reset-auth: \(reply.status) \(reply.text)") }
    }

    /// A new IAM user whose key may do `actions` (e.g. `["s3:GetObject"]`) on everything.
    public func createAccessKey(user: String, allowing actions: [String]) async throws -> SigV4.Credentials {
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":\#(actionsJSON(actions)),"Resource":"*"}]}"#
        _ = try await iam(["Action": "CreateUser", "UserName": user])
        _ = try await iam(["Action": "PutUserPolicy", "UserName": user, "PolicyName": "test", "PolicyDocument": policy])
        let created = try await iam(["Action": "CreateAccessKey", "UserName": user])
        guard let id = Self.element("AccessKeyId", in: created), let secret = Self.element("SecretAccessKey", in: created) else {
            throw ServiceProcess.LaunchError(message: "moto CreateAccessKey answered without a key: \(created)")
        }
        return SigV4.Credentials(accessKeyID: id, secretAccessKey: secret)
    }

    /// Creates a bucket (a signed `PUT /bucket`).
    public func createBucket(_ name: String) async throws {
        let reply = try await send("PUT", "/\(name)", signedFor: "s3")
        guard reply.status == 200 else { throw ServiceProcess.LaunchError(message: "moto CreateBucket \(name): \(reply.status) \(reply.text)") }
    }

    public struct Reply: Sendable {
        public var status: Int
        public var text: String
    }

    /// One request, SigV4-signed with `credentials` for `service` (unsigned when nil).
    public func send(_ method: String, _ path: String, headers: [(String, String)] = [], body: String = "", signedFor service: String?) async throws
        -> Reply
    {
        var all = [("Host", "127.0.0.1:\(port)")] + headers
        if let service {
            let signer = SigV4(credentials: credentials, region: region, service: service)
            all = signer.sign(method: method, path: path, headers: all, payloadHash: Hex.sha256(body)).headers.map { ($0.name, $0.value) }
        }
        var request = HTTPClientRequest(url: endpoint + path)
        request.method = .init(rawValue: method)
        for (name, value) in all { request.headers.add(name: name, value: value) }
        if !body.isEmpty { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return Reply(status: Int(response.status.code), text: String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    func iam(_ parameters: [String: String]) async throws -> String {
        let form = parameters.merging(["Version": "2010-05-08"]) { $1 }.sorted { $0.key < $1.key }
            .map { "\(SigV4.uriEncode($0.key))=\(SigV4.uriEncode($0.value))" }.joined(separator: "&")
        let reply = try await send(
            "POST", "/", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: form, signedFor: "iam")
        guard reply.status == 200 else {
            throw ServiceProcess.LaunchError(message: "moto IAM \(parameters["Action"] ?? ""): \(reply.status) \(reply.text)")
        }
        return reply.text
    }

    func actionsJSON(_ actions: [String]) -> String {
        "[" + actions.map { "\"\($0)\"" }.joined(separator: ",") + "]"
    }

    static func element(_ name: String, in xml: String) -> String? {
        guard let start = xml.range(of: "<\(name)>"), let end = xml.range(of: "</\(name)>", range: start.upperBound..<xml.endIndex) else {
            return nil
        }
        return String(xml[start.upperBound..<end.lowerBound])
    }

    func recentOutput() -> String {
        String((try? String(contentsOf: log, encoding: .utf8))?.suffix(2000) ?? "")
    }

    public func stop() async {
        if let process, process.isRunning {
            // SIGKILL, as for RedisServer: a child inherits the test process's ignored SIGTERM.
            Foundation.kill(process.processIdentifier, SIGKILL)
            while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        }
        process = nil
        try? FileManager.default.removeItem(at: log)
    }

    /// Stops the server at once (for `defer`, which cannot await).
    public func kill() {
        if let process, process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process?.waitUntilExit()
        process = nil
        try? FileManager.default.removeItem(at: log)
    }

    deinit {
        if let process, process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }
}
