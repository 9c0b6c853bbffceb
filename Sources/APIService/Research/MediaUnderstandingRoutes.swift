import Core
import Foundation
import Hummingbird

/// POST /research/transcribe and /research/summarize-video, as
/// FE/services/geminiResearchService.js L82-131 and L180-232 send them: the media as raw
/// base64 in JSON. Gemini reads it as inline data (the only configured provider that
/// reads audio and video); the offline provider answers, labelled, without reading it.
struct MediaUnderstandingRoutes: TypedRouteCollection {
    let generation: GenerationService
    let requiresAuth = true

    /// What Gemini accepts inline in one request.
    static let maximumBytes = 20 << 20

    let tag = "research"

    struct TranscribeRequest: RequestContent {
        var audioData: String
        var mimeType: String?
        var language: String?
        var model: String?

        static let rules: [String: FieldRule] = [
            // 20 MiB of recording as base64.
            "audioData": MediaRoutes.base64(max: 28 << 20), "mimeType": .text(max: 100, allowEmpty: true),
            "language": .text(max: 20, allowEmpty: true),
            "model": .text(max: 100, allowEmpty: true),
        ]
    }

    struct SummarizeRequest: RequestContent {
        var videoData: String
        var mimeType: String?
        var summaryType: String?
        var includeKeyframes: Bool?
        var includeTranscript: Bool?
        var language: String?

        static let rules: [String: FieldRule] = [
            "videoData": MediaRoutes.base64(max: 28 << 20), "mimeType": .text(max: 100, allowEmpty: true),
            "summaryType": .text(max: 30, allowEmpty: true),
            "language": .text(max: 20, allowEmpty: true),
        ]
    }

    struct Transcript: ResponseContent {
        var text: String
        var language: String
        var provider: String
    }

    struct VideoSummary: ResponseContent {
        struct Keyframe: ResponseContent {
            var time: String
            var description: String
        }

        var summary: String
        var keyframes: [Keyframe]
        var transcript: String?
        var provider: String
    }

    /// The media of `field`: base64 (a data: URL prefix allowed), at most `maximumBytes`,
    /// of a type `accepts` takes by its content; returns the bytes and the MIME type sent on.
    static func media(_ encoded: String, _ field: String, declared: String?, accepts: (String) -> Bool) throws -> AIRequest.Attachment {
        guard let bytes = ContentSniffer.base64Media(encoded) else { throw CoreError.invalidInput([ValidationIssue.field(field, "must be base64")]) }
        guard bytes.count <= maximumBytes else { throw CoreError.payloadTooLarge(limit: maximumBytes) }
        guard let sniffed = ContentSniffer.mimeType(of: bytes), accepts(sniffed) else {
            throw CoreError.unsupportedMediaType(expected: field == "audioData" ? "audio" : "video", body: nil)
        }
        // A WebM or MP4 recording of sound sniffs as video; the client's audio type says what it is.
        let mimeType = declared.flatMap { accepts($0) ? $0 : nil } ?? sniffed
        return AIRequest.Attachment(mimeType: mimeType, data: bytes)
    }

    static let generationErrors = [402, 403, 409, 502, 503]

    func routes(_ routes: inout APIRoutes) {
        routes.post("/research/transcribe", "Transcribe audio (3 credits)", body: TranscribeRequest.self, errors: Self.generationErrors) {
            body, request, context -> Envelope<Transcript> in
            let audio = try Self.media(body.audioData, "audioData", declared: body.mimeType) {
                $0.hasPrefix("audio/") || $0 == "video/webm" || $0 == "video/mp4"
            }
            let language = body.language.flatMap { $0.isEmpty ? nil : $0 } ?? "en-US"
            var job = GenerationService.Job(
                feature: "transcription", tool: "transcription",
                request: AIRequest(
                    prompt: "Transcribe this recording verbatim in its language (expected: \(language)). Answer with the transcript only."),
                idempotencyKey: try request.idempotencyKey())
            job.request.attachments = [audio]
            job.request.offlineAnswer = "[offline] No AI provider that reads audio is configured: the recording was not transcribed."
            let output = try await generation.generate(for: try context.requireUser(), job)
            return Envelope(Transcript(text: output.text, language: language, provider: output.provider.rawValue))
        }
        routes.post("/research/summarize-video", "Summarise a video (10 credits)", body: SummarizeRequest.self, errors: Self.generationErrors) {
            body, request, context -> Envelope<VideoSummary> in
            let video = try Self.media(body.videoData, "videoData", declared: body.mimeType) { $0.hasPrefix("video/") }
            let detail = body.summaryType.flatMap { $0.isEmpty ? nil : $0 } ?? "detailed"
            let keyframes = body.includeKeyframes == true
            let transcript = body.includeTranscript == true
            let language = body.language.flatMap { $0.isEmpty ? nil : $0 } ?? "en"
            var job = GenerationService.Job(
                feature: "video_summary", tool: "video_summary",
                request: AIRequest(
                    prompt: """
                        Summarise this video (\(detail) summary, in \(language)). Answer only JSON: {"summary": string, \
                        "keyframes": [{"time": string (m:ss), "description": string}]\(keyframes ? "" : " (empty)"), \
                        "transcript": \(transcript ? "string" : "null")}.
                        """),
                idempotencyKey: try request.idempotencyKey())
            job.request.attachments = [video]
            job.request.offlineAnswer =
                JSONValue.object([
                    "summary": "[offline] No AI provider that reads video is configured: the video was not summarised.", "keyframes": [],
                    "transcript": .null,
                ]).encodedString
            let (output, value) = try await generation.generateJSON(for: try context.requireUser(), job) { value in
                guard let summary = value["summary"]?.stringValue else { return nil }
                let frames: [JSONValue] = (value["keyframes"]?.arrayItems ?? []).prefix(50).compactMap { frame in
                    guard let description = frame["description"]?.stringValue else { return nil }
                    return ["time": .string(frame["time"]?.stringValue ?? ""), "description": .string(String(description.prefix(500)))]
                }
                let text: JSONValue = transcript ? (value["transcript"]?.stringValue.map(JSONValue.string) ?? .null) : .null
                return ["summary": .string(summary), "keyframes": .array(keyframes ? frames : []), "transcript": text, "provider": ""]
            }
            var summary = try value.decoded(as: VideoSummary.self)
            summary.provider = output.provider.rawValue
            return Envelope(summary)
        }
    }
}
