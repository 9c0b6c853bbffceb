import AsyncHTTPClient
import Core
import Foundation
import NIOCore

/// A built service executable (`AuthService`, `APIService`) running as a child process,
/// for the live tests that talk to the real binaries over HTTP.
public final class ServiceProcess: @unchecked Sendable {
    public let name: String
    public let port: Int
    let process: Process
    let output: Pipe

    /// Where `swift build` put the executables: `NOVA_BIN_DIR` (set by scripts/test), else
    /// the folder of the running test bundle, which is the same one.
    public static func binDirectory() -> URL {
        if let dir = ProcessInfo.processInfo.environment["NOVA_BIN_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    public init(executable: String, port: Int, environment: [String: String], arguments: [String] = ["serve"]) throws {
        let url = Self.binDirectory().appendingPathComponent(executable)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw LaunchError(message: "\(url.path) is not built: run `swift build` (scripts/test does) first")
        }
        name = executable
        self.port = port
        process = Process()
        process.executableURL = url
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TEST_") }
        env.merge(environment) { _, new in new }
        env["PORT"] = String(port)
        env["HOST"] = "127.0.0.1"
        process.environment = env
        output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    public struct LaunchError: Error, CustomStringConvertible {
        public init(message: String) { self.message = message }
        public var message: String
        public var description: String { message }
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Waits until `/ready` answers 200.
    public func waitUntilReady(timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw LaunchError(message: "\(name) exited with \(process.terminationStatus): \(capturedOutput())")
            }
            if let response = try? await HTTP.get("\(baseURL)/ready", timeout: .milliseconds(500)), response.status == 200 {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw LaunchError(message: "\(name) not ready after \(timeout): \(capturedOutput())")
    }

    /// Waits until each of `processes` is ready, runs `body`, then stops them (last
    /// started first) and drops the database at `databaseURL`, also when `body` or a
    /// start-up throws.
    public static func withRunning<T>(
        _ processes: [ServiceProcess], dropping databaseURL: String, _ body: () async throws -> T
    ) async throws -> T {
        do {
            for process in processes { try await process.waitUntilReady() }
            let result = try await body()
            for process in processes.reversed() { _ = try await process.terminate() }
            try await TestDatabase.drop(databaseURL)
            return result
        } catch {
            for process in processes.reversed() { _ = try? await process.terminate() }
            try? await TestDatabase.drop(databaseURL)
            throw error
        }
    }

    /// Sends SIGTERM and waits for the exit status.
    public func terminate(timeout: Duration = .seconds(30)) async throws -> Int32 {
        process.terminate()
        return try await waitForExit(timeout: timeout)
    }

    /// Waits for the process to exit by itself (SIGKILL after `timeout`).
    public func waitForExit(timeout: Duration = .seconds(30)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)
                throw LaunchError(message: "\(name) did not exit within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }

    public var isRunning: Bool { process.isRunning }

    public func capturedOutput() -> String {
        guard !process.isRunning else { return "(still running)" }
        return String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// Minimal HTTP calls for live tests, through the real network stack.
public enum HTTP {
    public struct Reply: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: String

        public var json: JSONValueBox { JSONValueBox(body) }

        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    public static func get(_ url: String, headers: [(String, String)] = [], timeout: Duration = .seconds(10)) async throws -> Reply {
        try await send("GET", url, headers: headers, timeout: timeout)
    }

    /// A client that returns redirects instead of following them (to look at `Location`).
    static let nonFollowing: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// Sends `body` as a client on a slow link does: in `chunk`-byte pieces with a pause
    /// between them (so the server answers while the body is still arriving).
    public static func sendSlowly(
        _ method: String, _ url: String, headers: [(String, String)] = [], body: [UInt8], chunk: Int = 64 << 10,
        pause: Duration = .milliseconds(2), timeout: Duration = .seconds(30)
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let pieces = stride(from: 0, to: body.count, by: chunk).map { ByteBuffer(bytes: body[$0..<min(body.count, $0 + chunk)]) }
        let stream = AsyncStream<ByteBuffer> { continuation in
            let task = Task {
                for piece in pieces {
                    continuation.yield(piece)
                    try? await Task.sleep(for: pause)
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        request.body = .stream(stream, length: .known(Int64(body.count)))
        let response = try await HTTPClient.shared.execute(request, timeout: .init(timeout))
        let collected = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: String(buffer: collected))
    }

    public static func send(
        _ method: String, _ url: String, headers: [(String, String)] = [], body: String? = nil, timeout: Duration = .seconds(10),
        followRedirects: Bool = true
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await (followRedirects ? HTTPClient.shared : nonFollowing).execute(request, timeout: .init(timeout))
        let collected = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: String(buffer: collected))
    }
}

/// JSON of a live reply.
public struct JSONValueBox: Sendable {
    public let value: JSONValue
    init(_ text: String) {
        value = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null
    }
    public subscript(key: String) -> JSONValue? { value[key] }
}
