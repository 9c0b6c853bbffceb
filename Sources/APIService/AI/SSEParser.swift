import Foundation

/// Server-sent events (the WHATWG format): `event:` and `data:` fields, multi-line data
/// joined with "\n", comments (`:`) ignored, an empty line ends an event; CRLF and LF both
/// end lines. Fed arbitrary byte chunks, it returns the events they complete.
struct SSEParser: Sendable {
    struct Event: Sendable, Equatable {
        var name: String?
        var data: String
    }

    private var buffer: [UInt8] = []
    private var name: String?
    private var data: [String] = []
    private var hasData = false

    mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        buffer.append(contentsOf: bytes)
        var events: [Event] = []
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            var line = Array(buffer[..<newline])
            buffer.removeSubrange(...newline)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if let event = process(String(decoding: line, as: UTF8.self)) { events.append(event) }
        }
        return events
    }

    /// The event left when the stream ends without a final blank line.
    mutating func finish() -> Event? {
        if !buffer.isEmpty {
            let line = String(decoding: buffer, as: UTF8.self)
            buffer.removeAll()
            if let event = process(line) { return event }
        }
        return process("")
    }

    private mutating func process(_ line: String) -> Event? {
        if line.isEmpty {
            defer { name = nil; data = []; hasData = false }
            return hasData ? Event(name: name, data: data.joined(separator: "\n")) : nil
        }
        if line.hasPrefix(":") { return nil }
        let field: Substring
        var value: Substring
        if let colon = line.firstIndex(of: ":") {
            field = line[..<colon]
            value = line[line.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            field = Substring(line)
            value = ""
        }
        switch field {
        case "event": name = String(value)
        case "data": data.append(String(value)); hasData = true
        default: break
        }
        return nil
    }
}
