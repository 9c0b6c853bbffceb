import Foundation

/// Answers without any network, deterministically: the caller's `offlineAnswer` or a
/// labelled restatement of the prompt. Its output is always reported as
/// `provider: "offline"`, `model: "offline-deterministic"`, so it is never mistaken for a
/// model's.
struct OfflineProvider: AIProvider {
    let id = AIProviderID.offline
    let model = "offline-deterministic"
    /// It reads nothing, but answers every shape (labelled), media requests included.
    var readsMedia: Bool { true }

    func complete(_ request: AIRequest) async throws -> AICompletion {
        let text =
            request.offlineAnswer
            ?? (request.json
                ? #"{"offline":true}"# : "[offline] No AI provider is configured; this is a placeholder answer for: \(request.prompt.prefix(200))")
        return AICompletion(text: text, provider: id, model: model, usage: TokenUsage(input: Self.tokens(request.prompt), output: Self.tokens(text)))
    }

    func stream(_ request: AIRequest) -> AsyncThrowingStream<AIStreamEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let completion = try await complete(request)
                    for piece in Self.pieces(completion.text) { continuation.yield(.text(piece)) }
                    continuation.yield(.finished(completion))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// About four characters per token, as the providers' own rule of thumb.
    static func tokens(_ text: String) -> Int { max(1, text.utf8.count / 4) }

    static func pieces(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if current.count >= 64, character == " " { result.append(current); current = "" }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }
}
