import NIOCore

/// A RESP2 value (Redis serialization protocol).
public enum RESPValue: Sendable, Equatable {
    case simpleString(String)
    case error(String)
    case integer(Int)
    case bulkString([UInt8]?)
    case array([RESPValue]?)

    public var int: Int? {
        if case .integer(let value) = self { return value }
        return nil
    }

    public var string: String? {
        switch self {
        case .simpleString(let value): value
        case .bulkString(let bytes?): String(decoding: bytes, as: UTF8.self)
        default: nil
        }
    }
}

enum RESPEncoder {
    /// A command as an array of bulk strings.
    static func command(_ arguments: [[UInt8]], into buffer: inout ByteBuffer) {
        buffer.writeString("*\(arguments.count)\r\n")
        for argument in arguments {
            buffer.writeString("$\(argument.count)\r\n")
            buffer.writeBytes(argument)
            buffer.writeString("\r\n")
        }
    }
}

/// Decodes RESP2 values from a byte stream; waits for more bytes when a value is partial.
struct RESPDecoder: ByteToMessageDecoder {
    typealias InboundOut = RESPValue

    struct ProtocolError: Error {}

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        var copy = buffer
        guard let value = try Self.parse(&copy) else { return .needMoreData }
        buffer = copy
        context.fireChannelRead(wrapInboundOut(value))
        return .continue
    }

    /// Bounds a reply must respect (Redis's own `proto-max-bulk-len` is 512 MiB); a reply
    /// beyond them is a protocol error that closes the connection, never a crash or an
    /// unbounded buffer.
    static let maximumBulkLength = 512 << 20
    static let maximumArrayCount = 1 << 20
    static let maximumDepth = 32
    static let maximumLineLength = 64 << 10

    static func parse(_ buffer: inout ByteBuffer, depth: Int = 0) throws -> RESPValue? {
        guard depth < maximumDepth else { throw ProtocolError() }
        guard let type = buffer.readInteger(as: UInt8.self) else { return nil }
        guard let line = try readLine(&buffer) else { return nil }
        switch type {
        case UInt8(ascii: "+"): return .simpleString(line)
        case UInt8(ascii: "-"): return .error(line)
        case UInt8(ascii: ":"):
            guard let value = Int(line) else { throw ProtocolError() }
            return .integer(value)
        case UInt8(ascii: "$"):
            guard let length = Int(line), length <= maximumBulkLength else { throw ProtocolError() }
            if length < 0 { return .bulkString(nil) }
            guard buffer.readableBytes >= length + 2, let bytes = buffer.readBytes(length: length) else { return nil }
            guard buffer.readInteger(as: UInt8.self) == 13, buffer.readInteger(as: UInt8.self) == 10 else { throw ProtocolError() }
            return .bulkString(bytes)
        case UInt8(ascii: "*"):
            guard let count = Int(line), count <= maximumArrayCount else { throw ProtocolError() }
            if count < 0 { return .array(nil) }
            var items: [RESPValue] = []
            // Every item takes at least three bytes: never reserve for more than could be here.
            items.reserveCapacity(min(count, buffer.readableBytes / 3))
            for _ in 0..<count {
                guard let item = try parse(&buffer, depth: depth + 1) else { return nil }
                items.append(item)
            }
            return .array(items)
        default:
            throw ProtocolError()
        }
    }

    /// A line ended by CRLF; nil while incomplete.
    static func readLine(_ buffer: inout ByteBuffer) throws -> String? {
        let view = buffer.readableBytesView
        guard let carriageReturn = view.firstIndex(of: UInt8(ascii: "\r")), carriageReturn + 1 < view.endIndex else {
            if view.count > maximumLineLength { throw ProtocolError() }
            return nil
        }
        let length = carriageReturn - view.startIndex
        guard length <= maximumLineLength, view[carriageReturn + 1] == UInt8(ascii: "\n") else { throw ProtocolError() }
        let line = buffer.readString(length: length)
        buffer.moveReaderIndex(forwardBy: 2)
        return line
    }
}

/// Matches replies to requests in order (Redis answers in order, which makes pipelining
/// a queue). On any failure every waiting request fails and the connection closes.
final class RESPClientHandler: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = RESPValue
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private var waiting = CircularBuffer<EventLoopPromise<RESPValue>>()

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        waiting.append(request.reply)
        context.write(wrapOutboundOut(request.payload), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = unwrapInboundIn(data)
        guard let promise = waiting.popFirst() else {
            context.close(promise: nil)
            return
        }
        promise.succeed(value)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisError.connectionClosed)
        context.fireChannelInactive()
    }

    private func failAll(_ error: any Error) {
        while let promise = waiting.popFirst() {
            promise.fail(error)
        }
    }
}

struct RedisRequest: Sendable {
    var payload: ByteBuffer
    var reply: EventLoopPromise<RESPValue>
}

public enum RedisError: Error, Equatable, Sendable {
    case connectionClosed
    case timeout
    case unavailable
    case server(String)
    case unexpectedReply
}
