import Foundation
import Testing

@testable import Core

@Suite struct MultipartTests {
    @Test func partsAreReadBetweenDelimiters() {
        let body = Array(
            "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nann@example.com\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\u{1}\u{2}\r\n--XyZ--\r\n"
                .utf8)
        let parts = Multipart.parse(body, boundary: "XyZ")
        #expect(parts.map(\.name) == ["username", "file"])
        #expect(parts[0].text == "ann@example.com")
        #expect(parts[1].filename == "a.png" && parts[1].contentType == "image/png" && parts[1].body == [1, 2])
    }

    @Test func boundariesFollowRFC2046() {
        #expect(
            Multipart.boundary(in: "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW") == "----WebKitFormBoundary7MA4YWxkTrZu0gW")
        #expect(Multipart.boundary(in: #"multipart/form-data; boundary="a b""#) == "a b")
        #expect(Multipart.boundary(in: "multipart/form-data; boundary=" + String(repeating: "a", count: 70)) != nil)
        #expect(Multipart.boundary(in: "multipart/form-data; boundary=" + String(repeating: "a", count: 71)) == nil)
        #expect(Multipart.boundary(in: "multipart/form-data; boundary=") == nil)
        #expect(Multipart.boundary(in: "multipart/form-data; boundary=a\u{7F}b") == nil)
        #expect(Multipart.boundary(in: "multipart/form-data") == nil)
    }

    @Test func theSearchIsLinearAndAgreesWithANaiveOne() {
        func naive(_ needle: [UInt8], _ haystack: [UInt8]) -> [Int] {
            var found: [Int] = []
            var index = 0
            while index + needle.count <= haystack.count {
                if Array(haystack[index..<(index + needle.count)]) == needle {
                    found.append(index)
                    index += needle.count
                } else {
                    index += 1
                }
            }
            return found
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let needle = (0..<Int.random(in: 1...5, using: &generator)).map { _ in UInt8.random(in: 97...98, using: &generator) }
            let haystack = (0..<Int.random(in: 0...60, using: &generator)).map { _ in UInt8.random(in: 97...98, using: &generator) }
            #expect(BytePattern(needle).occurrences(in: haystack) == naive(needle, haystack), "\(needle) in \(haystack)")
        }
        // The shape that made the naive search quadratic: counted, not timed.
        let pattern = BytePattern(Array(String(repeating: "a", count: 69).utf8) + [98])
        #expect(pattern.occurrences(in: [UInt8](repeating: 97, count: 1 << 20)).isEmpty)
    }
}
