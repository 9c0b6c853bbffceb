import Core
import Foundation

/// OpenAI chat completions, also spoken by Groq (Llama): `POST {base}/chat/completions`,
/// JSON mode via `response_format`, streaming as SSE `data:` chunks ending in `[DONE]`,
/// with the token usage in a final chunk (`stream_options.include_usage`).
struct OpenAICompatibleProvider: AIProvider {
    let id: AIProviderID
    let model: String
    let apiKey: String
    /// Up to and including `/v1` (`https://api.openai.com/v1`, `https://api.groq.com/openai/v1`).
    let baseURL: String
    let http: ProviderHTTP

    var headers: [(String, String)] { [("Authorization", "Bearer " + apiKey), ("Accept", "application/json")] }

    func body(_ request: AIRequest, stream: Bool) -> JSONValue {
        var messages: [JSONValue] = []
        if let system = request.system { messages.append(["role": "system", "content": .string(system)]) }
        messages.append(["role": "user", "content": .string(request.prompt)])
        var body: [String: JSONValue] = [
            "model": .string(model), "messages": .array(messages), "temperature": .double(request.temperature),
            "max_tokens": .int(request.maxOutputTokens),
        ]
        if request.json { body["response_format"] = ["type": "json_object"] }
        if stream {
            body["stream"] = true
            body["stream_options"] = ["include_usage": true]
        }
        return .object(body)
    }

    func complete(_ request: AIRequest) async throws -> AICompletion {
        let json = try await http.json(url: baseURL + "/chat/completions", headers: headers, body: body(request, stream: false))
        guard let choice = json["choices"]?.arrayItems.first, let text = choice["message"]?["content"]?.stringValue else {
            throw AIProviderError.malformed("no choices[0].message.content")
        }
        return AICompletion(text: text, provider: id, model: json["model"]?.stringValue ?? model, usage: Self.usage(json["usage"]))
    }

    func stream(_ request: AIRequest) -> AsyncThrowingStream<AIStreamEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let response = try await http.send(url: baseURL + "/chat/completions", headers: headers, body: body(request, stream: true))
                    var text = ""
                    var usage = TokenUsage()
                    var responseModel = model
                    var done = false
                    for try await event in response.body.serverSentEvents() {
                        if event.data == "[DONE]" { done = true; break }
                        guard let chunk = try? JSONDecoder().decode(JSONValue.self, from: Data(event.data.utf8)) else {
                            throw AIProviderError.malformed("a stream chunk is not JSON")
                        }
                        if let error = chunk["error"] { throw AIProviderError.streamFailed(error["message"]?.stringValue ?? "error") }
                        if let name = chunk["model"]?.stringValue { responseModel = name }
                        if let piece = chunk["choices"]?.arrayItems.first?["delta"]?["content"]?.stringValue, !piece.isEmpty {
                            text += piece
                            continuation.yield(.text(piece))
                        }
                        if let value = chunk["usage"], value != .null { usage = Self.usage(value) }
                    }
                    guard done else { throw AIProviderError.streamFailed("stream ended without [DONE]") }
                    continuation.yield(.finished(AICompletion(text: text, provider: id, model: responseModel, usage: usage)))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    static func usage(_ json: JSONValue?) -> TokenUsage {
        TokenUsage(input: json?["prompt_tokens"]?.integer ?? 0, output: json?["completion_tokens"]?.integer ?? 0)
    }
}
