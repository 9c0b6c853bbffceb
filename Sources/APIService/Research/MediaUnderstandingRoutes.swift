import Core
import Foundation
import Hummingbird

/// POST /research/transcribe and /research/summarize-video, as
/// FE/services/geminiResearchService.js L82-131 and L180-232 send them: the media as raw
/// base64 in JSON. Gemini reads it as inline data (the only configured provider that
/// reads audio and video); the offline provider answers, labelled, without reading it.
struct MediaUnderstandingRoutes: APIRouteCollection {
    let generation: GenerationService
    let requiresAuth = true

    /// What Gemini accepts inline in one request.
    static let maximumBytes = 20 << 20

    var operations: [OpenAPIOperation] {
        [
            OpenAPIOperation(
                "POST", "/research/transcribe", summary: "Transcribe audio: {text, language, provider} (3 credits)", tag: "research", requiresAuth: true,
                requestBody: OpenAPIDocument.object(
                    ["audioData": OpenAPIDocument.string, "mimeType": OpenAPIDocument.string, "language": OpenAPIDocument.string, "model": OpenAPIDocument.string],
                    required: ["audioData"])),
            OpenAPIOperation(
                "POST", "/research/summarize-video", summary: "Summarise a video: {summary, keyframes, transcript?, provider} (10 credits)", tag: "research",
                requiresAuth: true,
                requestBody: OpenAPIDocument.object(
                    ["videoData": OpenAPIDocument.string, "mimeType": OpenAPIDocument.string, "summaryType": OpenAPIDocument.string,
                     "includeKeyframes": ["type": "boolean"], "includeTranscript": ["type": "boolean"], "language": OpenAPIDocument.string],
                    required: ["videoData"])),
        ]
    }

    /// The media of `field`: base64 (a data: URL prefix allowed), at most `maximumBytes`,
    /// of a type `accepts` takes by its content; returns the bytes and the MIME type sent on.
    static func media(_ body: JSONValue, _ field: String, declared: String?, accepts: (String) -> Bool) throws -> AIRequest.Attachment {
        guard case .string(let encoded)? = body[field], !encoded.isEmpty else {
            throw CoreError.invalidInput([SettingsRoutes.issue(field, "is required (base64)")])
        }
        guard let bytes = ContentSniffer.base64Media(encoded) else { throw CoreError.invalidInput([SettingsRoutes.issue(field, "must be base64")]) }
        guard bytes.count <= maximumBytes else { throw CoreError.payloadTooLarge(limit: maximumBytes) }
        guard let sniffed = ContentSniffer.mimeType(of: bytes), accepts(sniffed) else {
            throw CoreError.unsupportedMediaType(expected: field == "audioData" ? "audio" : "video", body: nil)
        }
        // A WebM or MP4 recording of sound sniffs as video; the client's audio type says what it is.
        let mimeType = declared.flatMap { accepts($0) && $0.count <= 100 ? $0 : nil } ?? sniffed
        return AIRequest.Attachment(mimeType: mimeType, data: bytes)
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("/research/transcribe") { request, context in
            let body = try await SettingsRoutes.object(request, context)
            let audio = try Self.media(body, "audioData", declared: body["mimeType"]?.stringValue) {
                $0.hasPrefix("audio/") || $0 == "video/webm" || $0 == "video/mp4"
            }
            let language = body["language"]?.stringValue.map { String($0.prefix(20)) } ?? "en-US"
            var job = GenerationService.Job(
                feature: "transcription", tool: "transcription",
                request: AIRequest(prompt: "Transcribe this recording verbatim in its language (expected: \(language)). Answer with the transcript only."),
                idempotencyKey: try request.idempotencyKey())
            job.request.attachments = [audio]
            job.request.offlineAnswer = "[offline] No AI provider that reads audio is configured: the recording was not transcribed."
            let output = try await generation.generate(for: try context.requireUser(), job)
            return Envelope.ok(["text": .string(output.text), "language": .string(language), "provider": .string(output.provider.rawValue)])
        }
        group.post("/research/summarize-video") { request, context in
            let body = try await SettingsRoutes.object(request, context)
            let video = try Self.media(body, "videoData", declared: body["mimeType"]?.stringValue) { $0.hasPrefix("video/") }
            let detail = body["summaryType"]?.stringValue.map { String($0.prefix(30)) } ?? "detailed"
            let keyframes = body["includeKeyframes"] == true
            let transcript = body["includeTranscript"] == true
            let language = body["language"]?.stringValue.map { String($0.prefix(20)) } ?? "en"
            var job = GenerationService.Job(
                feature: "video_summary", tool: "video_summary",
                request: AIRequest(prompt: """
                    Summarise this video (\(detail) summary, in \(language)). Answer only JSON: {"summary": string, \
                    "keyframes": [{"time": string (m:ss), "description": string}]\(keyframes ? "" : " (empty)"), \
                    "transcript": \(transcript ? "string" : "null")}.
                    """),
                idempotencyKey: try request.idempotencyKey())
            job.request.attachments = [video]
            job.request.offlineAnswer = JSONValue.object([
                "summary": "[offline] No AI provider that reads video is configured: the video was not summarised.", "keyframes": [], "transcript": .null,
            ]).encodedString
            let (output, value) = try await generation.generateJSON(for: try context.requireUser(), job) { value in
                guard let summary = value["summary"]?.stringValue else { return nil }
                let frames: [JSONValue] = (value["keyframes"]?.arrayItems ?? []).prefix(50).compactMap { frame in
                    guard let description = frame["description"]?.stringValue else { return nil }
                    return ["time": .string(frame["time"]?.stringValue ?? ""), "description": .string(String(description.prefix(500)))]
                }
                return ["summary": .string(summary), "keyframes": .array(keyframes ? frames : []), "transcript": transcript ? (value["transcript"] ?? .null) : .null]
            }
            guard case .object(var data) = value else { throw CoreError.aiProvider("The AI answer was not valid") }
            data["provider"] = .string(output.provider.rawValue)
            return Envelope.ok(.object(data))
        }
    }
}
