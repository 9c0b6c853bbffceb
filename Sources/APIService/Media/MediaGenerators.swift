import Core
import Foundation

/// A generated file, before it is stored.
struct GeneratedMedia: Sendable, Equatable {
    var bytes: [UInt8]
    var mimeType: String
    var provider: AIProviderID
    var model: String
}

/// Image generation and editing, and speech, by provider. Gemini returns images and audio
/// as `inlineData` (base64); OpenAI images as `b64_json`; the offline generator makes a
/// labelled placeholder so the system works without keys.
struct MediaGenerators: Sendable {
    let config: AIConfig
    let http: ProviderHTTP
    var imageModel: String
    var openAIImageModel: String
    var speechModel: String

    enum Task: Sendable {
        case image(prompt: String, aspectRatio: String)
        case edit(prompt: String, image: [UInt8], mimeType: String, aspectRatio: String)
        case speech(text: String, voice: String)
    }

    /// The providers able to do `task`, in the configured order; offline when none is.
    func chain(for task: Task, userKeys: [AIProviderID: String]) -> [AIProviderID] {
        var capable: [AIProviderID] = []
        for id in [config.defaultProvider].compactMap({ $0 }) + config.fallbackOrder where !capable.contains(id) {
            switch (id, task) {
            case (.gemini, _) where (userKeys[.gemini] ?? config.gemini.apiKey) != nil: capable.append(id)
            case (.openai, .image) where (userKeys[.openai] ?? config.openai.apiKey) != nil: capable.append(id)
            default: break
            }
        }
        return capable.isEmpty ? [.offline] : capable
    }

    func run(_ task: Task, provider: AIProviderID, userKeys: [AIProviderID: String]) async throws -> GeneratedMedia {
        switch provider {
        case .gemini:
            guard let key = userKeys[.gemini] ?? config.gemini.apiKey else { throw AIProviderError.notConfigured }
            return try await gemini(task, key: key)
        case .openai:
            guard let key = userKeys[.openai] ?? config.openai.apiKey, case .image(let prompt, let aspect) = task else {
                throw AIProviderError.notConfigured
            }
            let json = try await http.json(
                url: config.openai.baseURL + "/images/generations", headers: [("Authorization", "Bearer " + key)],
                body: ["model": .string(openAIImageModel), "prompt": .string(prompt), "n": 1, "size": .string(Self.openAISize(aspect))])
            guard let b64 = json["data"]?.arrayItems.first?["b64_json"]?.stringValue, let data = Data(base64Encoded: b64) else {
                throw AIProviderError.malformed("no data[0].b64_json")
            }
            let bytes = Array(data)
            return GeneratedMedia(
                bytes: bytes, mimeType: ContentSniffer.mimeType(of: bytes) ?? "image/png", provider: .openai, model: openAIImageModel)
        default:
            return Self.offline(task)
        }
    }

    private func gemini(_ task: Task, key: String) async throws -> GeneratedMedia {
        var parts: [JSONValue] = []
        var generation: [String: JSONValue]
        let model: String
        switch task {
        case .image(let prompt, let aspect):
            parts = [["text": .string(prompt)]]
            generation = ["responseModalities": ["IMAGE"], "imageConfig": ["aspectRatio": .string(aspect)]]
            model = imageModel
        case .edit(let prompt, let image, let mimeType, let aspect):
            parts = [["text": .string(prompt)], ["inlineData": ["mimeType": .string(mimeType), "data": .string(Data(image).base64EncodedString())]]]
            generation = ["responseModalities": ["IMAGE"], "imageConfig": ["aspectRatio": .string(aspect)]]
            model = imageModel
        case .speech(let text, let voice):
            parts = [["text": .string(text)]]
            generation = ["responseModalities": ["AUDIO"], "speechConfig": ["voiceConfig": ["prebuiltVoiceConfig": ["voiceName": .string(voice)]]]]
            model = speechModel
        }
        let json = try await http.json(
            url: "\(config.gemini.baseURL)/models/\(model):generateContent", headers: [("x-goog-api-key", key)],
            body: ["contents": [["role": "user", "parts": .array(parts)]], "generationConfig": .object(generation)])
        let inline = (json["candidates"]?.arrayItems.first?["content"]?["parts"]?.arrayItems ?? []).compactMap { $0["inlineData"] }.first
        guard let inline, let b64 = inline["data"]?.stringValue, let data = Data(base64Encoded: b64) else {
            throw AIProviderError.malformed("no inlineData in the answer")
        }
        let mimeType = inline["mimeType"]?.stringValue ?? "application/octet-stream"
        return GeneratedMedia(bytes: Array(data), mimeType: mimeType, provider: .gemini, model: model)
    }

    static func openAISize(_ aspect: String) -> String {
        switch aspect {
        case "16:9", "4:3", "3:2": "1536x1024"
        case "9:16", "3:4", "2:3": "1024x1536"
        default: "1024x1024"
        }
    }

    /// A labelled SVG for images, one second of silence for speech.
    static func offline(_ task: Task) -> GeneratedMedia {
        switch task {
        case .speech:
            return GeneratedMedia(
                bytes: [UInt8](repeating: 0, count: 48_000), mimeType: "audio/L16;codec=pcm;rate=24000", provider: .offline, model: "offline-silence")
        case .image(let prompt, _), .edit(let prompt, _, _, _):
            let text = String(prompt.prefix(80)).replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;")
            let svg = """
                <svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024" viewBox="0 0 1024 1024"><rect width="1024" height="1024" fill="#e5e7eb"/><text x="512" y="480" font-family="sans-serif" font-size="40" text-anchor="middle" fill="#374151">Offline placeholder image</text><text x="512" y="540" font-family="sans-serif" font-size="24" text-anchor="middle" fill="#6b7280">\(text)</text></svg>
                """
            return GeneratedMedia(bytes: Array(svg.utf8), mimeType: "image/svg+xml", provider: .offline, model: "offline-placeholder")
        }
    }
}

/// 16-bit little-endian mono PCM in a WAV container, so the stored file plays anywhere.
enum WAV {
    static func wrap(pcm: [UInt8], sampleRate: Int = 24_000) -> [UInt8] {
        func le32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }
        func le16(_ value: Int) -> [UInt8] { (0..<2).map { UInt8((value >> (8 * $0)) & 0xFF) } }
        var header = Array("RIFF".utf8) + le32(36 + pcm.count) + Array("WAVE".utf8)
        header += Array("fmt ".utf8) + le32(16) + le16(1) + le16(1) + le32(sampleRate) + le32(sampleRate * 2) + le16(2) + le16(16)
        header += Array("data".utf8) + le32(pcm.count)
        return header + pcm
    }
}
