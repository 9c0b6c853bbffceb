import Core
import Foundation

/// Anthropic messages: `POST {base}/v1/messages` with `x-api-key` and
/// `anthropic-version`; streaming as named SSE events (`message_start`, `ping`,
/// `content_block_delta`, `message_delta`, `message_stop`, and `error` mid-stream).
struct AnthropicProvider: AIProvider {
    let id = AIProviderID.anthropic
    let model: String
    let apiKey: String
    let baseURL: String
    let http: ProviderHTTP
    static let version = "2023-06-01"

    var headers: [(String, String)] { [("x-api-key", apiKey), ("anthropic-version", Self.version), ("Accept", "application/json")] }

    func body(_ request: AIRequest, stream: Bool) -> JSONValue {
        var system = request.system ?? ""
        if request.json {
            // No JSON mode in the Messages API: the instruction goes into the system prompt.
            system += (system.isEmpty ? "" : "\n\n") + "Answer with one JSON value only, without Markdown fences or commentary."
        }
        var body: [String: JSONValue] = [
            "model": .string(model), "max_tokens": .int(request.maxOutputTokens), "temperature": .double(request.temperature),
            "messages": [["role": "user", "content": .string(request.prompt)]],
        ]
        if !system.isEmpty { body["system"] = .string(system) }
        if stream { body["stream"] = true }
        return .object(body)
    }

    func complete(_ request: AIRequest) async throws -> AICompletion {
        let json = try await http.json(url: baseURL + "/v1/messages", headers: headers, body: body(request, stream: false))
        let blocks = json["content"]?.arrayItems ?? []
        let text = blocks.compactMap { $0["type"] == "text" ? $0["text"]?.stringValue : nil }.joined()
        guard !blocks.isEmpty else { throw AIProviderError.malformed("no content blocks") }
        return AICompletion(
            text: text, provider: id, model: json["model"]?.stringValue ?? model,
            usage: TokenUsage(input: json["usage"]?["input_tokens"]?.integer ?? 0, output: json["usage"]?["output_tokens"]?.integer ?? 0))
    }

    func stream(_ request: AIRequest) -> AsyncThrowingStream<AIStreamEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let response = try await http.send(url: baseURL + "/v1/messages", headers: headers, body: body(request, stream: true))
                    var text = ""
                    var usage = TokenUsage()
                    var responseModel = model
                    var stopped = false
                    for try await event in response.body.serverSentEvents() {
                        guard let payload = try? JSONDecoder().decode(JSONValue.self, from: Data(event.data.utf8)) else {
                            throw AIProviderError.malformed("a stream event is not JSON")
                        }
                        switch event.name ?? payload["type"]?.stringValue {
                        case "message_start":
                            responseModel = payload["message"]?["model"]?.stringValue ?? model
                            usage.input = payload["message"]?["usage"]?["input_tokens"]?.integer ?? 0
                        case "content_block_delta":
                            if let piece = payload["delta"]?["text"]?.stringValue, !piece.isEmpty {
                                text += piece
                                continuation.yield(.text(piece))
                            }
                        case "message_delta":
                            if let output = payload["usage"]?["output_tokens"]?.integer { usage.output = output }
                        case "message_stop":
                            stopped = true
                        case "error":
                            throw AIProviderError.streamFailed(payload["error"]?["type"]?.stringValue ?? "error")
                        default:
                            break  // ping, content_block_start/stop
                        }
                        if stopped { break }
                    }
                    guard stopped else { throw AIProviderError.streamFailed("stream ended without message_stop") }
                    continuation.yield(.finished(AICompletion(text: text, provider: id, model: responseModel, usage: usage)))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
