import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

@testable import APIService

/// URLs users name (their WordPress site) never reach this machine, the private network or
/// the cloud's metadata service. No test here sends traffic beyond loopback: refused
/// addresses are refused before any connection, and the network tests use loopback only.
@Suite struct OutboundRequestTests {
    @Test(arguments: [
        "127.0.0.1", "127.255.255.254", "0.0.0.0", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
        "169.254.0.1", "100.64.0.1", "192.0.0.1", "198.18.0.1", "224.0.0.1", "255.255.255.255", "::", "::1", "::ffff:127.0.0.1",
        "::ffff:169.254.169.254", "::127.0.0.1", "64:ff9b::a9fe:a9fe", "fe80::1", "fec0::1", "fc00::1", "fd00:ec2::254", "ff02::1",
        "2002:7f00:1::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001:db8::1", "100::1",
    ])
    func privateAndSpecialAddressesAreRefused(_ address: String) throws {
        let bytes = try #require(GuardedHTTPClient.parseAddress(address))
        #expect(!OutboundAddressPolicy.isPublic(bytes), "\(address)")
    }

    @Test(arguments: ["93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "2a00:1450:4001:82a::200e"])
    func publicAddressesPass(_ address: String) throws {
        let bytes = try #require(GuardedHTTPClient.parseAddress(address))
        #expect(OutboundAddressPolicy.isPublic(bytes), "\(address)")
    }

    /// Spellings of loopback and metadata that a string check would miss: each is resolved
    /// first and refused on its address.
    @Test(arguments: [
        "http://127.0.0.1/", "http://localhost/", "http://LOCALHOST.:8080/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://2130706433/",
        "http://0x7f.1/", "http://0/", "http://127.1/", "http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/",
        "https://10.0.0.5/", "http://192.168.0.10:8443/",
    ])
    func localNamesAreRefusedAfterResolution(_ url: String) async throws {
        await #expect(throws: OutboundRefusal.self, "\(url)") { try await GuardedHTTPClient().target(for: url) }
    }

    @Test func portsAreLimitedAndTrustedHostsAreTheOperatorsChoice() async throws {
        await #expect(throws: OutboundRefusal.port(22)) { try await GuardedHTTPClient().target(for: "http://93.184.216.34:22/") }
        await #expect(throws: OutboundRefusal.port(3001)) { try await GuardedHTTPClient().target(for: "http://127.0.0.1:3001") }
        let target = try await GuardedHTTPClient().target(for: "https://93.184.216.34/")
        #expect(target == .init(host: "93.184.216.34", port: 443, address: "93.184.216.34"))
        let trusted = GuardedHTTPClient(allowedHosts: ["127.0.0.1:3001"])
        #expect(try await trusted.target(for: "http://127.0.0.1:3001").address == "127.0.0.1")
        // The exception names one host and port, not every spelling of loopback.
        await #expect(throws: OutboundRefusal.self) { try await trusted.target(for: "http://localhost:3001") }
        await #expect(throws: OutboundRefusal.self) { try await trusted.target(for: "http://127.0.0.1:8080") }
    }

    func withSites(_ body: @Sendable (FakeWordPress, FakeWordPress, APIHarness, any TestClientProtocol) async throws -> Void) async throws {
        let trusted = try FakeWordPress()
        let inner = try FakeWordPress()
        try await trusted.start()
        try await inner.start()
        defer { trusted.stop(); inner.stop() }
        try await APIHarness.run(trusted.environment) { harness, client in try await body(trusted, inner, harness, client) }
    }

    func publish(_ client: any TestClientProtocol, _ auth: HTTPFields, _ url: String) async throws -> (HTTPResponse.Status, JSONValue) {
        let id = try #require(
            try await writerCall(client, .post, "/api/articles", auth, ["title": .string("Post \(UUID().uuidString)")]).1["data"]?["id"]?.stringValue)
        let site: JSONValue = [
            "wordpressUrl": .string(url), "username": .string(FakeWordPress.username), "applicationPassword": .string(FakeWordPress.password),
        ]
        return try await writerCall(client, .post, "/api/articles/\(id)/publish", auth, site)
    }

    @Test func publishingToLocalAddressesIsRefusedBeforeAnythingIsSentOrCharged() async throws {
        try await withSites { trusted, inner, harness, client in
            let (_, auth) = try await writerUser(harness, plan: "PRO")
            let before = try await writerBalance(client, auth)
            let innerRequests = inner.requestCount
            // The API service itself, as in the report; then a live loopback site under a
            // name that resolves to 127.0.0.1.
            for url in ["http://127.0.0.1:3001", "http://localhost:\(inner.port)", "http://[::ffff:127.0.0.1]:\(inner.port)"] {
                let (status, answer) = try await publish(client, auth, url)
                #expect(status == .badRequest, "\(url)")
                #expect(answer["error"]?["code"] == "VALIDATION_ERROR")
                #expect(answer["error"]?["details"]?.arrayValue?.first?["field"] == "wordpressUrl")
            }
            #expect(inner.requestCount == innerRequests)
            #expect(try await writerBalance(client, auth) == before)
            _ = trusted
        }
    }

    @Test func redirectsAreNotFollowed() async throws {
        try await withSites { trusted, inner, harness, client in
            let (_, auth) = try await writerUser(harness, plan: "PRO")
            let before = try await writerBalance(client, auth)
            let innerRequests = inner.requestCount
            trusted.redirect(to: "\(inner.base)/wp-json/wp/v2/posts")
            let (status, answer) = try await publish(client, auth, trusted.base)
            #expect(status == .badGateway)
            #expect(answer["error"]?["message"] == "WordPress answered 307")
            #expect(inner.requestCount == innerRequests)
            #expect(inner.received.isEmpty)
            #expect(try await writerBalance(client, auth) == before)
            // The trusted site itself works.
            trusted.redirect(to: nil)
            #expect(try await publish(client, auth, trusted.base).0 == .ok)
        }
    }
}
