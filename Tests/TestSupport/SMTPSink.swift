import Foundation

/// A real SMTP server (aiosmtpd) on a loopback port, run as a child process; messages it
/// accepts land as files that tests read back.
public final class SMTPSink: @unchecked Sendable {
    public let port: Int
    public let directory: URL
    let credentials: (String, String)?
    let tls: TLS?
    var process: Process?
    var input: Pipe?

    /// How the server speaks TLS: STARTTLS offered and required, or TLS from the first byte.
    public enum TLS: Sendable {
        case startTLS(Certificate)
        case implicit(Certificate)
    }

    /// A self-signed certificate for 127.0.0.1 and localhost (openssl), for `SMTP_CA_FILE`.
    public struct Certificate: Sendable {
        public var certificatePath: String
        public var keyPath: String

        public static func selfSigned() throws -> Certificate {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-tls-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let certificate = Certificate(
                certificatePath: folder.appendingPathComponent("cert.pem").path, keyPath: folder.appendingPathComponent("key.pem").path)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", certificate.keyPath, "-out", certificate.certificatePath,
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw ServiceProcess.LaunchError(message: "openssl could not make a certificate") }
            return certificate
        }
    }

    public init(port: Int? = nil, credentials: (String, String)? = nil, tls: TLS? = nil) throws {
        self.port = try port ?? freePort()
        self.credentials = credentials
        self.tls = tls
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-sink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Debian's python3, which has python3-aiosmtpd (a pyenv python on PATH would not).
    static var python: String {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
    }

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/smtp_sink.py").path
    }

    public func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        var arguments = [Self.script, String(port), directory.path]
        if let (user, password) = credentials { arguments += [user, password] }
        switch tls {
        case .startTLS(let certificate)?: arguments += ["--starttls", certificate.certificatePath, certificate.keyPath]
        case .implicit(let certificate)?: arguments += ["--tls", certificate.certificatePath, certificate.keyPath]
        case nil: break
        }
        process.arguments = arguments
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        self.process = process
        self.input = input
        let deadline = ContinuousClock.now + .seconds(15)
        while !isListening(port: port) {
            guard process.isRunning else {
                throw ServiceProcess.LaunchError(
                    message:
                        "SMTP sink exited: \(String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)) (apt-get install python3-aiosmtpd)"
                )
            }
            guard ContinuousClock.now < deadline else { throw ServiceProcess.LaunchError(message: "SMTP sink did not start") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    public func stop() async {
        guard let process, process.isRunning else { return }
        try? input?.fileHandleForWriting.close()
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        self.process = nil
    }

    public struct Message: Sendable {
        public var raw: String
        public var envelope: String

        /// The decoded text of every base64 part, concatenated.
        public var decodedBody: String {
            var result = ""
            let sections = raw.components(separatedBy: "\r\n\r\n")
            for section in sections.dropFirst() {
                let candidate = section.components(separatedBy: "\r\n--").first?.replacingOccurrences(of: "\r\n", with: "") ?? ""
                if let data = Data(base64Encoded: candidate), let text = String(data: data, encoding: .utf8) {
                    result += text + "\n"
                }
            }
            return result
        }

        public func header(_ name: String) -> String? {
            for line in raw.components(separatedBy: "\r\n") {
                if line.isEmpty { break }
                if line.lowercased().hasPrefix(name.lowercased() + ":") {
                    return line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces)
                }
            }
            return nil
        }
    }

    public func messages() -> [Message] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?.filter { $0.hasSuffix(".eml") }.sorted() ?? []
        return files.compactMap { name in
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else { return nil }
            let text = String(decoding: data, as: UTF8.self)
            guard let lineEnd = text.range(of: "\r\n") else { return nil }
            return Message(raw: String(text[lineEnd.upperBound...]), envelope: String(text[..<lineEnd.lowerBound]))
        }
    }

    /// Waits until at least `count` messages arrived.
    public func waitForMessages(_ count: Int, timeout: Duration = .seconds(15)) async throws -> [Message] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let current = messages()
            if current.count >= count { return current }
            guard ContinuousClock.now < deadline else {
                throw ServiceProcess.LaunchError(message: "expected \(count) e-mails, got \(current.count)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Stops the server at once (for `defer`, which cannot await).
    public func kill() {
        if let process, process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process?.waitUntilExit()
        process = nil
    }

    deinit {
        if let process, process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: directory)
    }
}
