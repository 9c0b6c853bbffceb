import Core
import Foundation

/// Gemini `generateContent` and `streamGenerateContent?alt=sse` with the key in
/// `x-goog-api-key`; JSON mode through `responseMimeType`, grounding through the
/// `google_search` tool (sources from `groundingChunks`, citations from
/// `groundingSupports`, whose indices are UTF-8 byte offsets into the answer).
struct GeminiProvider: AIProvider {
    let id = AIProviderID.gemini
    let model: String
    let apiKey: String
    /// Up to the API version (`https://generativelanguage.googleapis.com/v1beta`).
    let baseURL: String
    let http: ProviderHTTP
    /// Gemini reads audio and video as inline data.
    var readsMedia: Bool { true }

    var headers: [(String, String)] { [("x-goog-api-key", apiKey), ("Accept", "application/json")] }

    func body(_ request: AIRequest) -> JSONValue {
        var config: [String: JSONValue] = ["temperature": .double(request.temperature), "maxOutputTokens": .int(request.maxOutputTokens)]
        // Gemini refuses JSON mode together with tools; grounded JSON is asked for in words.
        if request.json && !request.grounded { config["responseMimeType"] = "application/json" }
        var body: [String: JSONValue] = [
            "contents": [
                [
                    "role": "user",
                    "parts": .array(
                        [["text": .string(request.prompt)]]
                            + request.attachments.map {
                                ["inlineData": ["mimeType": .string($0.mimeType), "data": .string(Data($0.data).base64EncodedString())]]
                            }),
                ]
            ], "generationConfig": .object(config),
        ]
        if let system = request.system { body["systemInstruction"] = ["parts": [["text": .string(system)]]] }
        if request.grounded { body["tools"] = [["google_search": [:]]] }
        return .object(body)
    }

    func complete(_ request: AIRequest) async throws -> AICompletion {
        let json = try await http.json(url: "\(baseURL)/models/\(model):generateContent", headers: headers, body: body(request))
        guard let candidate = json["candidates"]?.arrayItems.first else {
            let reason = json["promptFeedback"]?["blockReason"]?.stringValue ?? "no candidates"
            throw AIProviderError.malformed(reason)
        }
        return AICompletion(
            text: Self.text(candidate), provider: id, model: json["modelVersion"]?.stringValue ?? model, usage: Self.usage(json["usageMetadata"]),
            grounding: Self.grounding(candidate["groundingMetadata"]))
    }

    func stream(_ request: AIRequest) -> AsyncThrowingStream<AIStreamEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let response = try await http.send(
                        url: "\(baseURL)/models/\(model):streamGenerateContent?alt=sse", headers: headers, body: body(request))
                    var text = ""
                    var usage = TokenUsage()
                    var grounding: Grounding?
                    var responseModel = model
                    var sawCandidate = false
                    for try await event in response.body.serverSentEvents() {
                        guard let chunk = try? JSONDecoder().decode(JSONValue.self, from: Data(event.data.utf8)) else {
                            throw AIProviderError.malformed("a stream chunk is not JSON")
                        }
                        if let error = chunk["error"] { throw AIProviderError.streamFailed(error["status"]?.stringValue ?? "error") }
                        if let name = chunk["modelVersion"]?.stringValue { responseModel = name }
                        if let candidate = chunk["candidates"]?.arrayItems.first {
                            sawCandidate = true
                            let piece = Self.text(candidate)
                            if !piece.isEmpty {
                                text += piece
                                continuation.yield(.text(piece))
                            }
                            if let metadata = Self.grounding(candidate["groundingMetadata"]) { grounding = metadata }
                        }
                        if chunk["usageMetadata"] != nil { usage = Self.usage(chunk["usageMetadata"]) }
                    }
                    guard sawCandidate else { throw AIProviderError.streamFailed("stream had no candidates") }
                    continuation.yield(.finished(AICompletion(text: text, provider: id, model: responseModel, usage: usage, grounding: grounding)))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    static func text(_ candidate: JSONValue) -> String {
        (candidate["content"]?["parts"]?.arrayItems ?? []).compactMap { part in
            part["thought"] == .bool(true) ? nil : part["text"]?.stringValue
        }.joined()
    }

    static func usage(_ json: JSONValue?) -> TokenUsage {
        TokenUsage(input: json?["promptTokenCount"]?.integer ?? 0, output: json?["candidatesTokenCount"]?.integer ?? 0)
    }

    static func grounding(_ metadata: JSONValue?) -> Grounding? {
        guard let metadata, metadata != .null else { return nil }
        var grounding = Grounding()
        for chunk in metadata["groundingChunks"]?.arrayItems ?? [] {
            guard let uri = chunk["web"]?["uri"]?.stringValue else { continue }
            grounding.sources.append(.init(title: chunk["web"]?["title"]?.stringValue ?? uri, uri: uri))
        }
        for support in metadata["groundingSupports"]?.arrayItems ?? [] {
            guard let segment = support["segment"], let end = segment["endIndex"]?.integer else { continue }
            grounding.citations.append(
                .init(
                    text: segment["text"]?.stringValue ?? "", startIndex: segment["startIndex"]?.integer ?? 0, endIndex: end,
                    sourceIndices: (support["groundingChunkIndices"]?.arrayItems ?? []).compactMap(\.integer)))
        }
        grounding.queries = (metadata["webSearchQueries"]?.arrayItems ?? []).compactMap(\.stringValue)
        return grounding.sources.isEmpty && grounding.citations.isEmpty ? nil : grounding
    }
}
