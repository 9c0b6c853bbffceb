import Foundation
import Testing

@testable import Core

/// The hand-written formatters and parsers on the request path must agree with
/// Foundation's, which they replace (issue #15).
@Suite struct UUIDTextTests {
    @Test func uuidTextMatchesFoundationBothWays() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let id = UUID()
            #expect(id.lowercasedString == id.uuidString.lowercased())
            #expect(UUID(parsing: id.uuidString) == id)
            #expect(UUID(parsing: id.lowercasedString) == id)
            // One character changed to anything: accepted exactly in the canonical form, and
            // then read as Foundation reads it (which, through `sscanf`, also takes a sign
            // or a space in place of a digit: not copied).
            var bytes = Array(id.uuidString.utf8)
            bytes[Int(random.next() % 36)] = UInt8(random.next() % 128)
            let mutated = String(decoding: bytes, as: UTF8.self)
            #expect((UUID(parsing: mutated) != nil) == Self.isCanonical(mutated), "[\(mutated)]")
            if let parsed = UUID(parsing: mutated) { #expect(parsed == UUID(uuidString: mutated)) }
        }
        for text in [
            "", "0", "00000000-0000-0000-0000-00000000000", "00000000-0000-0000-0000-0000000000000", "00000000000000000000000000000000",
            "{00000000-0000-0000-0000-000000000000}", " 00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-00000000000g",
            "0000000-00000-0000-0000-000000000000", "AbCdEf01-2345-6789-aBcD-eF0123456789", "ffffffff-ffff-ffff-ffff-ffffffffffff",
            "00000000-0000-0000-0000-00000000000é",
        ] {
            #expect((UUID(parsing: text) != nil) == Self.isCanonical(text), "\(text)")
            if let parsed = UUID(parsing: text) { #expect(parsed == UUID(uuidString: text)) }
        }
        let substring = "x6f1c2f0e-8a51-4d8e-9a53-2b0a4b3f6f10".dropFirst()
        #expect(UUID(parsing: substring) == UUID(uuidString: String(substring)))
    }

    static func isCanonical(_ text: String) -> Bool {
        text.wholeMatch(of: /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/) != nil
    }

    @Test func hexIdsHaveFixedWidth() {
        #expect(Hex.string(words: 0) == "0000000000000000")
        #expect(Hex.string(words: 0xAB, UInt64.max) == "00000000000000abffffffffffffffff")
        #expect(RequestIdentity.generate().utf8.count == 32)
        #expect(TraceContext.continuing(nil).traceID.utf8.count == 32)
        #expect(TraceContext.continuing(nil).spanID.utf8.count == 16)
        // Every digit position, against the standard library's radix formatting.
        func padded(_ word: UInt64) -> String { String(repeating: "0", count: 16 - String(word, radix: 16).count) + String(word, radix: 16) }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let (first, second) = (generator.next() as UInt64, generator.next() as UInt64 >> (generator.next() as UInt64 % 64))
            #expect(Hex.string(words: first) == padded(first))
            #expect(Hex.string(words: first, second) == padded(first) + padded(second))
        }
    }

    @Test func timestampsMatchTheCalendar() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var random = SystemRandomNumberGenerator()
        let samples: [Double] =
            [0, -1, -0.5, 86_399.999, 951_782_400, 4_107_542_400, 253_402_300_799.5, -62_167_219_200, 1_798_761_599.123]
            + (0..<2000).map { _ in Double(Int64(random.next() % 20_000_000_000) - 5_000_000_000) + Double(random.next() % 1000) / 1000 }
        for seconds in samples {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(
                ISO8601.string(from: date, fractionalSeconds: true) == ISO8601.wideString(from: date.timeIntervalSince1970, fractionalSeconds: true),
                "\(seconds)")
            #expect(ISO8601.string(from: date) == ISO8601.wideString(from: date.timeIntervalSince1970, fractionalSeconds: false), "\(seconds)")
        }
        #expect(ISO8601.string(from: Date(timeIntervalSince1970: 1_798_761_599.5), fractionalSeconds: true) == "2026-12-31T23:59:59.500Z")
        #expect(ISO8601.string(from: Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00Z")
    }
}
