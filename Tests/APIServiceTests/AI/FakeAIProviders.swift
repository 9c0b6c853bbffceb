import Core
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TestSupport

/// OpenAI, Anthropic, Gemini and Ollama on one loopback port (`/openai/v1`, `/anthropic`,
/// `/gemini/v1beta`, `/ollama`), replaying scripted answers in each provider's wire format
/// and recording the requests.
final class FakeAIProviders: @unchecked Sendable {
    indirect enum Reply: Sendable {
        /// A JSON answer with a status and extra headers.
        case json(Int, JSONValue, [String: String] = [:])
        /// A raw body (malformed JSON, for instance).
        case raw(Int, String)
        /// Server-sent events: (event name, data); `pause` between them.
        case sse([(String?, String)])
        /// Newline-delimited JSON (Ollama).
        case ndjson([JSONValue])
        /// Binary content with its type.
        case bytes([UInt8], String)
        /// Waits before answering `then`.
        case delayed(Duration, Reply)
    }

    struct Recorded: Sendable {
        var path: String
        var headers: [String: String]
        var body: JSONValue
    }

    private let lock = NSLock()
    private var scripts: [String: [Reply]] = [:]
    private var recorded: [Recorded] = []
    let port: Int
    private var task: Task<Void, any Error>?

    init() throws { port = try freePort() }
    var base: String { "http://127.0.0.1:\(port)" }

    /// Environment pointing every provider here, with keys.
    var environment: [String: String] {
        [
            "OPENAI_API_KEY": "sk-openai", "OPENAI_BASE_URL": base + "/openai/v1", "OPENAI_MODEL": "gpt-test",
            "ANTHROPIC_API_KEY": "sk-ant", "ANTHROPIC_BASE_URL": base + "/anthropic", "ANTHROPIC_MODEL": "claude-test",
            "GEMINI_API_KEY": "g-key", "GEMINI_BASE_URL": base + "/gemini/v1beta", "GEMINI_MODEL": "gemini-test",
            "OLLAMA_BASE_URL": base + "/ollama", "OLLAMA_MODEL": "llama-test",
        ]
    }

    /// Queues replies for a provider ("openai", "anthropic", "gemini", "ollama"); when the
    /// queue is empty the provider answers with `success(for:)`.
    func script(_ provider: String, _ replies: Reply...) { lock.withLock { scripts[provider, default: []] += replies } }
    func requests(_ provider: String) -> [Recorded] { lock.withLock { recorded.filter { $0.path.hasPrefix("/" + provider) } } }

    func start() async throws {
        let router = Router()
        router.post("/openai/v1/chat/completions") { [self] request, _ in try await answer("openai", request) }
        router.post("/openai/v1/images/generations") { [self] request, _ in try await answer("openai-images", request) }
        router.post("/anthropic/v1/messages") { [self] request, _ in try await answer("anthropic", request) }
        router.post("/gemini/v1beta/models/:call") { [self] request, _ in try await answer("gemini", request) }
        router.get("/gemini/v1beta/models/:call/operations/:operation") { [self] request, _ in try await answer("veo-op", request) }
        router.get("/gemini/files/:file") { [self] request, _ in try await answer("veo-file", request) }
        router.post("/ollama/api/chat") { [self] request, _ in try await answer("ollama", request) }
        task = try await LocalServer.start(router, port: port)
    }

    func stop() { task?.cancel() }

    private func answer(_ provider: String, _ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
        let json = (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: body))) ?? .null
        let reply: Reply = lock.withLock {
            recorded.append(Recorded(path: request.uri.path + (request.uri.query.map { "?" + $0 } ?? ""), headers: headers, body: json))
            if var queue = scripts[provider], !queue.isEmpty {
                let next = queue.removeFirst()
                scripts[provider] = queue
                return next
            }
            return Self.success(for: provider, stream: json["stream"] == true || request.uri.path.contains("streamGenerateContent"))
        }
        return try await render(reply)
    }

    private func render(_ reply: Reply) async throws -> Response {
        switch reply {
        case .json(let status, let value, let headers):
            var fields: HTTPFields = [.contentType: "application/json"]
            for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
            return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(data: value.encodedData())))
        case .raw(let status, let text):
            return Response(
                status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
        case .sse(let events):
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream"],
                body: .init { writer in
                    for (name, data) in events {
                        let text = (name.map { "event: \($0)\r\n" } ?? "") + "data: \(data)\r\n\r\n"
                        try await writer.write(ByteBuffer(string: text))
                        try await Task.sleep(for: .milliseconds(5))
                    }
                    try await writer.finish(nil)
                })
        case .ndjson(let lines):
            return Response(
                status: .ok, headers: [.contentType: "application/x-ndjson"],
                body: .init { writer in
                    for line in lines {
                        try await writer.write(ByteBuffer(data: line.encodedData() + Data("\n".utf8)))
                    }
                    try await writer.finish(nil)
                })
        case .bytes(let bytes, let type):
            return Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        case .delayed(let duration, let then):
            try await Task.sleep(for: duration)
            return try await render(then)
        }
    }

    static func success(for provider: String, stream: Bool) -> Reply {
        switch (provider, stream) {
        case ("openai", false):
            return .json(
                200,
                [
                    "id": "chatcmpl-1", "model": "gpt-test",
                    "choices": [["index": 0, "message": ["role": "assistant", "content": "Hello from OpenAI"], "finish_reason": "stop"]],
                    "usage": ["prompt_tokens": 12, "completion_tokens": 4, "total_tokens": 16],
                ])
        case ("openai", true):
            return .sse([
                (nil, #"{"id":"c","model":"gpt-test","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#),
                (nil, #"{"id":"c","model":"gpt-test","choices":[{"index":0,"delta":{"content":"Hello"}}]}"#),
                (nil, #"{"id":"c","model":"gpt-test","choices":[{"index":0,"delta":{"content":" stream"}}]}"#),
                (nil, #"{"id":"c","model":"gpt-test","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#),
                (nil, #"{"id":"c","model":"gpt-test","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}"#),
                (nil, "[DONE]"),
            ])
        case ("anthropic", false):
            return .json(
                200,
                [
                    "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-test",
                    "content": [["type": "text", "text": "Hello from Claude"]],
                    "stop_reason": "end_turn", "usage": ["input_tokens": 10, "output_tokens": 5],
                ])
        case ("anthropic", true):
            return .sse([
                (
                    "message_start",
                    #"{"type":"message_start","message":{"id":"msg_1","model":"claude-test","usage":{"input_tokens":10,"output_tokens":1}}}"#
                ),
                ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#),
                ("ping", #"{"type":"ping"}"#),
                ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}"#),
                ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" Claude"}}"#),
                ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
                ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":7}}"#),
                ("message_stop", #"{"type":"message_stop"}"#),
            ])
        case ("gemini", false):
            return .json(
                200,
                [
                    "candidates": [["content": ["role": "model", "parts": [["text": "Hello from Gemini"]]], "finishReason": "STOP"]],
                    "usageMetadata": ["promptTokenCount": 8, "candidatesTokenCount": 3], "modelVersion": "gemini-test",
                ])
        case ("gemini", true):
            return .sse([
                (nil, #"{"candidates":[{"content":{"role":"model","parts":[{"text":"Hello"}]}}],"modelVersion":"gemini-test"}"#),
                (
                    nil,
                    #"{"candidates":[{"content":{"role":"model","parts":[{"text":" Gemini"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":2}}"#
                ),
            ])
        case ("ollama", false):
            return .json(
                200,
                [
                    "model": "llama-test", "message": ["role": "assistant", "content": "Hello from Llama"], "done": true, "prompt_eval_count": 6,
                    "eval_count": 4,
                ])
        default:
            return .ndjson([
                ["model": "llama-test", "message": ["role": "assistant", "content": "Hello"], "done": false],
                ["model": "llama-test", "message": ["role": "assistant", "content": " Llama"], "done": false],
                ["model": "llama-test", "message": ["role": "assistant", "content": ""], "done": true, "prompt_eval_count": 6, "eval_count": 2],
            ])
        }
    }
}
