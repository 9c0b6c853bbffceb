import Foundation
import TestSupport
import Testing

/// The test servers' ports: a child process binds its port seconds after `freePort`
/// chose it, so a port must not be one the kernel could hand to anything else meanwhile.
@Suite struct TestPortsTests {
    @Test func portsAreBelowTheEphemeralRangeAndNeverHandedOutTwice() throws {
        let ports = try (0..<300).map { _ in try freePort() }
        #expect(Set(ports).count == ports.count)
        #expect(ports.allSatisfy { $0 < 32_768 })
        #expect(ports.allSatisfy { !isListening(port: $0) })
    }
}
