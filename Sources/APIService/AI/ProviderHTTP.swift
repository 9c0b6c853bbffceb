import AsyncHTTPClient
import Core
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// The HTTP round trip every provider shares: JSON in, status mapped to
/// `AIProviderError`, a bounded body out. Keys travel only in headers, never in logs.
struct ProviderHTTP: Sendable {
    let client: HTTPClient
    let timeout: Duration
    let logger: Logger
    static let maxResponseBytes = 32 << 20

    /// Sends `body` and returns the response once its status is 2xx.
    func send(url: String, headers: [(String, String)], body: JSONValue?, method: HTTPMethod = .POST) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        // The request's trace goes on to the provider (W3C Trace Context).
        if let trace = TraceContext.current { request.headers.add(name: "traceparent", value: trace.header) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body.encodedData()))
        }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .milliseconds(Int64(timeout / .milliseconds(1))))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw AIProviderError.timeout
        } catch {
            throw AIProviderError.transport(String(describing: type(of: error)))
        }
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let text = (try? await response.body.collect(upTo: 64 << 10)).map { String(buffer: $0) } ?? ""
            throw Self.error(status: status, retryAfter: response.headers.first(name: "retry-after"), body: text)
        }
        return response
    }

    /// `send`, then the whole body as JSON.
    func json(url: String, headers: [(String, String)], body: JSONValue?, method: HTTPMethod = .POST) async throws -> JSONValue {
        let response = try await send(url: url, headers: headers, body: body, method: method)
        let buffer: ByteBuffer
        do {
            buffer = try await response.body.collect(upTo: Self.maxResponseBytes)
        } catch {
            throw AIProviderError.transport("body: \(type(of: error))")
        }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: buffer) else { throw AIProviderError.malformed("response is not JSON") }
        return value
    }

    static func error(status: Int, retryAfter: String?, body: String) -> AIProviderError {
        switch status {
        case 429: return .rateLimited(retryAfter: retryAfter.flatMap(parseRetryAfter))
        case 500...599: return .unavailable(status: status)
        case 408: return .timeout
        default:
            // Providers put a developer-facing message in the body; keep a short prefix.
            let message =
                (try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8))).flatMap { json in
                    json["error"]?["message"]?.stringValue ?? json["error"]?.stringValue ?? json["message"]?.stringValue
                } ?? ""
            return .rejected(status: status, message: String(message.prefix(200)))
        }
    }

    /// Seconds, or an HTTP date.
    static func parseRetryAfter(_ value: String) -> Duration? {
        if let seconds = Double(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 { return .milliseconds(Int64(seconds * 1000)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .milliseconds(Int64(max(0, date.timeIntervalSinceNow) * 1000))
    }
}

extension HTTPClientResponse.Body {
    /// Server-sent events as they arrive.
    func serverSentEvents() -> AsyncThrowingStream<SSEParser.Event, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                var parser = SSEParser()
                do {
                    for try await chunk in self {
                        for event in parser.feed(chunk.readableBytesView) { continuation.yield(event) }
                    }
                    if let last = parser.finish() { continuation.yield(last) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: AIProviderError.transport("stream: \(type(of: error))"))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Newline-delimited JSON (Ollama) as it arrives.
    func jsonLines() -> AsyncThrowingStream<JSONValue, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                var pending: [UInt8] = []
                do {
                    for try await chunk in self {
                        pending.append(contentsOf: chunk.readableBytesView)
                        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                            let line = Array(pending[..<newline])
                            pending.removeSubrange(...newline)
                            guard !line.allSatisfy({ $0 == 32 || $0 == 13 }) else { continue }
                            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(line)) else {
                                throw AIProviderError.malformed("a stream line is not JSON")
                            }
                            continuation.yield(value)
                        }
                    }
                    if !pending.isEmpty, let value = try? JSONDecoder().decode(JSONValue.self, from: Data(pending)) { continuation.yield(value) }
                    continuation.finish()
                } catch let error as AIProviderError {
                    continuation.finish(throwing: error)
                } catch {
                    continuation.finish(throwing: AIProviderError.transport("stream: \(type(of: error))"))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

extension JSONValue {
    var arrayItems: [JSONValue] {
        if case .array(let items) = self { return items }
        return []
    }

    var integer: Int? {
        switch self {
        case .int(let value): value
        case .double(let value): Int(value)
        default: nil
        }
    }
}
