import NIOCore
import Testing

@testable import Core

/// The RESP decoder reads whatever arrives on the Redis connection: a broken or hostile
/// peer gets a protocol error (the connection closes), never a crash or an endless buffer.
@Suite struct RESPDecoderTests {
    func parse(_ bytes: [UInt8]) throws -> RESPValue? {
        var buffer = ByteBuffer(bytes: bytes)
        return try RESPDecoder.parse(&buffer)
    }

    func parse(_ text: String) throws -> RESPValue? { try parse(Array(text.utf8)) }

    @Test func ordinaryRepliesDecode() throws {
        #expect(try parse("+OK\r\n") == .simpleString("OK"))
        #expect(try parse(":42\r\n") == .integer(42))
        #expect(try parse("$3\r\nabc\r\n") == .bulkString(Array("abc".utf8)))
        #expect(try parse("$-1\r\n") == .bulkString(nil))
        #expect(try parse("*2\r\n:1\r\n$1\r\nx\r\n") == .array([.integer(1), .bulkString([120])]))
        #expect(try parse("$3\r\nab") == nil)
        #expect(try parse("*2\r\n:1\r\n") == nil)
    }

    @Test func hostileRepliesAreProtocolErrors() {
        let attacks: [[UInt8]] = [
            Array("*9223372036854775807\r\n".utf8),
            Array("$9223372036854775807\r\n".utf8),
            Array(String(repeating: "*1\r\n", count: 100_000).utf8),
            Array(("+" + String(repeating: "x", count: 100_000)).utf8),
            Array("$3\r\nabcXY".utf8),
            Array("+OK\rX".utf8),
            Array("?\r\n".utf8),
        ]
        for attack in attacks {
            #expect(throws: RESPDecoder.ProtocolError.self, "\(String(decoding: attack.prefix(24), as: UTF8.self))") { try parse(attack) }
        }
    }
}
