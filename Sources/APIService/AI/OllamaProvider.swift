import Core
import Foundation

/// A local Ollama: `POST {base}/api/chat`, `format: "json"` for JSON mode, streaming as
/// newline-delimited JSON objects ending with `done: true` and the token counts.
struct OllamaProvider: AIProvider {
    let id = AIProviderID.llama
    let model: String
    let baseURL: String
    let http: ProviderHTTP

    func body(_ request: AIRequest, stream: Bool) -> JSONValue {
        var messages: [JSONValue] = []
        if let system = request.system { messages.append(["role": "system", "content": .string(system)]) }
        messages.append(["role": "user", "content": .string(request.prompt)])
        var body: [String: JSONValue] = [
            "model": .string(model), "messages": .array(messages), "stream": .bool(stream),
            "options": ["temperature": .double(request.temperature), "num_predict": .int(request.maxOutputTokens)],
        ]
        if request.json { body["format"] = "json" }
        return .object(body)
    }

    func complete(_ request: AIRequest) async throws -> AICompletion {
        let json = try await http.json(url: baseURL + "/api/chat", headers: [], body: body(request, stream: false))
        guard let text = json["message"]?["content"]?.stringValue else { throw AIProviderError.malformed("no message.content") }
        return AICompletion(text: text, provider: id, model: json["model"]?.stringValue ?? model, usage: Self.usage(json))
    }

    func stream(_ request: AIRequest) -> AsyncThrowingStream<AIStreamEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let response = try await http.send(url: baseURL + "/api/chat", headers: [], body: body(request, stream: true))
                    var text = ""
                    var finished: AICompletion?
                    for try await line in response.body.jsonLines() {
                        if let error = line["error"]?.stringValue { throw AIProviderError.streamFailed(error) }
                        if let piece = line["message"]?["content"]?.stringValue, !piece.isEmpty {
                            text += piece
                            continuation.yield(.text(piece))
                        }
                        if line["done"] == .bool(true) {
                            finished = AICompletion(text: text, provider: id, model: line["model"]?.stringValue ?? model, usage: Self.usage(line))
                            break
                        }
                    }
                    guard let finished else { throw AIProviderError.streamFailed("stream ended without done") }
                    continuation.yield(.finished(finished))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    static func usage(_ json: JSONValue) -> TokenUsage {
        TokenUsage(input: json["prompt_eval_count"]?.integer ?? 0, output: json["eval_count"]?.integer ?? 0)
    }
}
