import Core
import Foundation
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization

/// Environment values for a service under test: test mode, quiet logs, a small pool.
public func testEnvironment(databaseURL: String, _ overrides: [String: String] = [:]) -> EnvironmentReader {
    var values = [
        "ENV": "test",
        "DATABASE_URL": databaseURL,
        "DATABASE_POOL_SIZE": "4",
        "LOG_LEVEL": "error",
        "SECRET": testSecret,
        "AUTO_MIGRATE": "false",
        "HOST": "127.0.0.1",
    ]
    values.merge(overrides) { _, new in new }
    return EnvironmentReader(values)
}

public let testSecret = "test-secret-0123456789abcdef0123456789abcdef"

public var quietLogger: Logger {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    return logger
}

/// A loopback port nothing listens on right now, and that nothing else will be given.
///
/// A server started as a child process (moto, redis, a service) binds its port seconds
/// after it was chosen. A port from the kernel's ephemeral range could be handed in that
/// window to any port-0 listener or outgoing connection of this process, and the check
/// for readiness would then talk to the wrong server. So ports come from below the
/// ephemeral range (Linux: 32768 and up), and each is handed out once per test process.
public func freePort() throws -> Int {
    for _ in 0..<2000 {
        let port = Int.random(in: 20_000..<32_000)
        guard handedOutPorts.withLock({ $0.insert(port).inserted }) else { continue }
        if canBind(port: port) { return port }
    }
    throw POSIXError(.EADDRINUSE)
}

private let handedOutPorts = Mutex<Set<Int>>([])

/// Whether a listener could bind `port` on loopback now (without SO_REUSEADDR, so a
/// port in TIME_WAIT counts as taken).
private func canBind(port: Int) -> Bool {
    let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    return bound == 0 && !isListening(port: port)
}

extension TestResponse {
    /// The body parsed as JSON (`.null` when empty or not JSON).
    public var json: JSONValue {
        (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: body))) ?? .null
    }

    public var text: String { String(buffer: body) }
}

extension ByteBuffer {
    public static func json(_ value: JSONValue) -> ByteBuffer {
        ByteBuffer(data: value.encodedData())
    }
}

/// Whether something accepts TCP connections on the loopback port.
public func isListening(port: Int) -> Bool {
    let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    return result == 0
}
