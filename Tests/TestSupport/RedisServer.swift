import Foundation

/// A real `redis-server` on a loopback port, as a child process (Debian's redis-server).
public final class RedisServer: @unchecked Sendable {
    public let port: Int
    var process: Process?

    public init(port: Int? = nil) throws {
        self.port = try port ?? freePort()
    }

    public var url: String { "redis://127.0.0.1:\(port)/0" }

    public func start() async throws {
        let process = Process()
        let candidates = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]
        guard let path = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw ServiceProcess.LaunchError(message: "redis-server is not installed (apt-get install redis-server)")
        }
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now + .seconds(10)
        while !isListening(port: port) {
            guard process.isRunning, ContinuousClock.now < deadline else { throw ServiceProcess.LaunchError(message: "redis-server did not start") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    public func stop() async {
        guard let process, process.isRunning else { return }
        // SIGKILL: the test process may ignore SIGTERM (ServiceLifecycle sets SIG_IGN to
        // watch signals), and a child inherits that; a crash is also the harsher test.
        Foundation.kill(process.processIdentifier, SIGKILL)
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        self.process = nil
    }

    /// Stops the server at once (for `defer`, which cannot await).
    public func kill() {
        if let process, process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process?.waitUntilExit()
        process = nil
    }

    deinit {
        if let process, process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }
}
