import Core
import Foundation
import Hummingbird

/// POST /media/images, /media/images/edit, /media/audio, /media/upload; GET /media,
/// GET/DELETE /media/{id}.
struct MediaRoutes: TypedRouteCollection {
    let service: MediaService
    let videos: VideoService
    let requiresAuth = true
    static let uploadLimit = 25 << 20
    static let aspectRatios: Set<String> = ["1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3", "21:9"]
    static let voices: Set<String> = ["Kore", "Puck", "Charon", "Fenrir", "Aoede", "Leda", "Orus", "Zephyr"]

    let tag = "media"

    static let prompt = FieldRule.text(max: 4_000)
    /// Base64 (optionally a `data:` URL) of at most `max` characters.
    static func base64(max: Int, allowEmpty: Bool = false) -> FieldRule {
        .text(max: max, pattern: allowEmpty ? "^(\(base64Pattern.dropFirst().dropLast()))?$" : base64Pattern, message: "must be base64")
    }
    /// A `data:` prefix may carry parameters (`data:audio/webm;codecs=opus;base64,`).
    static let base64Pattern = #"^(data:[^,]*,)?([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$"#
    static let style = FieldRule.text(max: 100, allowEmpty: true)

    struct ImageRequest: RequestContent {
        var prompt: String
        var style: String?
        var aspectRatio: String?

        static let rules: [String: FieldRule] = [
            "prompt": MediaRoutes.prompt, "style": MediaRoutes.style, "aspectRatio": .oneOf(MediaRoutes.aspectRatios.sorted()),
        ]
    }

    struct EditRequest: RequestContent {
        var imageData: String
        var mimeType: String?
        var prompt: String
        var aspectRatio: String?

        /// 25 MiB of image as base64.
        static let rules: [String: FieldRule] = [
            "imageData": MediaRoutes.base64(max: 36 << 20), "mimeType": .text(max: 100, allowEmpty: true), "prompt": MediaRoutes.prompt,
            "aspectRatio": .oneOf(MediaRoutes.aspectRatios.sorted()),
        ]
    }

    struct VideoRequest: RequestContent {
        var prompt: String
        var style: String?
        var resolution: String?
        var aspectRatio: String?
        var duration: VideoDuration?
        var startFrame: String?

        static let rules: [String: FieldRule] = [
            "prompt": MediaRoutes.prompt, "style": MediaRoutes.style, "resolution": .oneOf(["720p", "1080p"]),
            "aspectRatio": .oneOf(["16:9", "9:16"]), "startFrame": MediaRoutes.base64(max: 36 << 20, allowEmpty: true),
        ]

    }

    struct SpeechRequest: RequestContent {
        var text: String
        var voice: String?

        static let rules: [String: FieldRule] = ["text": .text(max: 5_000), "voice": .oneOf(MediaRoutes.voices.sorted())]
    }

    struct Image: ResponseContent {
        var id: UUID
        /// The image itself as a data: URL, for screens that show it at once.
        var imageUrl: String
        var url: String
        var mimeType: String
        var provider: String?
    }

    /// `videoUrl` only once the video is there, `message` only while it is not: the
    /// frontend tests for the field itself (geminiMediaService.js L151-180).
    struct Video: ResponseContent {
        var id: UUID
        var status: String
        var videoUrl: String?
        var message: String?

        init(id: UUID, status: String) {
            self.id = id
            self.status = status
        }

        enum CodingKeys: String, CodingKey { case id, status, videoUrl, message }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(status, forKey: .status)
            if let videoUrl { try container.encode(videoUrl, forKey: .videoUrl) }
            if let message { try container.encode(message, forKey: .message) }
        }
    }

    /// The stored asset's fields, with the audio itself beside them.
    struct Speech: ResponseContent {
        var asset: MediaService.AssetView
        /// The contract's data URL is the raw PCM (16-bit, 24 kHz, mono); the stored file is
        /// the same audio as WAV.
        var audioUrl: String

        enum Keys: String, CodingKey { case audioUrl }

        init(asset: MediaService.AssetView, audioUrl: String) {
            self.asset = asset
            self.audioUrl = audioUrl
        }

        init(from decoder: any Decoder) throws {
            asset = try MediaService.AssetView(from: decoder)
            audioUrl = try decoder.container(keyedBy: Keys.self).decode(String.self, forKey: .audioUrl)
        }

        func encode(to encoder: any Encoder) throws {
            try asset.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(audioUrl, forKey: .audioUrl)
        }
    }

    /// A multipart body of one file field (or, with `many`, several).
    static func multipartSchema(field: String, many: Bool = false) -> JSONValue {
        let file: JSONValue = ["type": "string", "format": "binary"]
        return [
            "type": "object", "required": [.string(field)],
            "properties": [field: many ? ["type": "array", "minItems": 1, "items": file] : file],
        ]
    }

    static let generationErrors = [402, 403, 409, 502, 503]

    func routes(_ routes: inout APIRoutes) {
        routes.post("/media/images", "Generate an image (8 credits)", body: ImageRequest.self, errors: Self.generationErrors) {
            body, request, context -> Envelope<Image> in
            let fullPrompt = body.style.flatMap { $0.isEmpty ? nil : "\(body.prompt)\n\nStyle: \($0)" } ?? body.prompt
            let result = try await service.generate(
                for: try context.requireUser(), feature: "image", type: "IMAGE", prompt: body.prompt,
                task: .image(prompt: fullPrompt, aspectRatio: body.aspectRatio ?? "1:1"), idempotencyKey: try request.idempotencyKey())
            return Envelope(image(result))
        }
        routes.post("/media/images/edit", "Edit an image (base64 imageData)", body: EditRequest.self, errors: Self.generationErrors) {
            body, request, context -> Envelope<Image> in
            guard let bytes = ContentSniffer.base64Media(body.imageData) else { throw Self.invalid("imageData", "is not valid base64") }
            guard let sniffed = ContentSniffer.mimeType(of: bytes), sniffed.hasPrefix("image/") else {
                throw CoreError.unsupportedMediaType(expected: "image/png, image/jpeg, image/webp or image/gif", body: nil)
            }
            let result = try await service.generate(
                for: try context.requireUser(), feature: "image_edit", type: "IMAGE", prompt: body.prompt,
                task: .edit(prompt: body.prompt, image: bytes, mimeType: sniffed, aspectRatio: body.aspectRatio ?? "1:1"),
                idempotencyKey: try request.idempotencyKey())
            return Envelope(image(result))
        }
        routes.post(
            "/media/videos", "Generate a video (Veo): processing, completed or failed (50 credits, 100 above 30 s)", body: VideoRequest.self,
            errors: Self.generationErrors
        ) { body, request, context -> Envelope<Video> in
            let prompt = body.style.flatMap { $0.isEmpty ? nil : "\(body.prompt)\n\nStyle: \($0)" } ?? body.prompt
            var video = VideoService.Request(
                prompt: prompt, aspectRatio: body.aspectRatio ?? "16:9", resolution: body.resolution ?? "720p",
                duration: body.duration?.seconds ?? 8)
            if let encoded = body.startFrame, !encoded.isEmpty {
                guard let bytes = ContentSniffer.base64Media(encoded), let mime = ContentSniffer.mimeType(of: bytes), mime.hasPrefix("image/") else {
                    throw Self.invalid("startFrame", "must be a base64 image")
                }
                video.startFrame = (bytes, mime)
            }
            let asset = try await videos.start(for: try context.requireUser(), video, idempotencyKey: try request.idempotencyKey())
            return Envelope(self.video(asset))
        }
        routes.post("/media/audio", "Speech (3 credits)", body: SpeechRequest.self, errors: Self.generationErrors) {
            body, request, context -> Envelope<Speech> in
            let result = try await service.generate(
                for: try context.requireUser(), feature: "audio", type: "AUDIO", prompt: body.text,
                task: .speech(text: body.text, voice: body.voice ?? "Kore"), idempotencyKey: try request.idempotencyKey())
            let pcm = result.bytes.count > 44 && result.asset.mimeType == "audio/wav" ? Array(result.bytes.dropFirst(44)) : result.bytes
            return Envelope(Speech(asset: service.view(result.asset), audioUrl: "data:audio/pcm;base64," + Data(pcm).base64EncodedString()))
        }
        var components = WireSchema.Components()
        let upload = WireSchema.schema(for: MediaService.Upload.self, components: &components)
        routes.custom(
            .post, "/media/upload",
            OpenAPIOperation(
                "POST", "/media/upload", summary: "Upload one file (multipart field `file`, ≤ 25 MiB, type checked by content)", tag: tag,
                requestBody: Self.multipartSchema(field: "file"), requestContentType: "multipart/form-data",
                responses: [201: "Stored", 400: "No file", 413: "Body too large", 415: "Not multipart, or not an image, video or audio file"],
                responseBody: EnvelopeSchema.schema(data: upload), components: components)
        ) { request, context in
            let parts = try await MediaService.multipartParts(request, context: context)
            guard let file = parts.first(where: { $0.name == "file" }), !file.body.isEmpty else { throw Self.invalid("file", "is required") }
            guard file.body.count <= Self.uploadLimit else { throw CoreError.payloadTooLarge(limit: Self.uploadLimit) }
            let stored = try await service.storeUpload(file, userID: try context.requireUser().id)
            return try Envelope(stored, status: .created).response(from: request, context: context)
        }
        routes.get(
            "/media", "Your media, newest first",
            query: PageRequest.parameters + [OpenAPIOperation.query("type", ["type": "string", "enum": ["IMAGE", "VIDEO", "AUDIO"]])]
        ) { request, context -> Envelope<Page<MediaService.AssetView>> in
            let page = try PageRequest(request: request)
            let type = request.uri.queryParameters["type"].map { String($0).uppercased() }
            if let type, !["IMAGE", "VIDEO", "AUDIO"].contains(type) { throw Self.invalid("type", "must be IMAGE, VIDEO or AUDIO") }
            let (assets, total) = try await service.store.list(userID: try context.requireUser().id, type: type, page: page)
            return Envelope(page.page(assets.map(service.view), total: total))
        }
        routes.get("/media/:id", "One asset") { request, context -> Envelope<MediaService.AssetView> in
            guard
                let asset = try await service.store.asset(id: try request.uuidParameter("id", context: context), userID: try context.requireUser().id)
            else {
                throw CoreError.notFound
            }
            return Envelope(service.view(asset))
        }
        routes.delete("/media/:id", "Delete an asset") { request, context -> Envelope<JSONValue> in
            guard try await service.store.delete(id: try request.uuidParameter("id", context: context), userID: try context.requireUser().id) else {
                throw CoreError.notFound
            }
            // `data: null`, as before: nothing is left to describe.
            return Envelope(JSONValue.null, message: "Deleted")
        }
    }

    private func video(_ asset: MediaAsset) -> Video {
        var video = Video(id: asset.id, status: asset.status)
        if asset.status == "completed", asset.storageKey != nil { video.videoUrl = service.urls.url(for: asset.id) }
        // The frontend waits 30 s and reads only `videoUrl` (geminiMediaService.js L151-180):
        // say what happens to a video that takes longer.
        if asset.status == "processing" {
            video.message =
                "The video is still being generated; it will appear in your media library (GET /media/\(asset.id.lowercasedString)) when done."
        }
        return video
    }

    private func image(_ result: MediaService.Result) -> Image {
        let mime = result.asset.mimeType ?? "image/png"
        return Image(
            id: result.asset.id, imageUrl: "data:\(mime);base64," + Data(result.bytes).base64EncodedString(),
            url: service.urls.url(for: result.asset.id),
            mimeType: mime, provider: result.asset.provider)
    }

    static func invalid(_ field: String, _ message: String) -> CoreError {
        .invalidInput([ValidationIssue.field(field, message)])
    }
}

/// A video's length as the frontend sends it (constants.js: "5s", "9s", "25s") or as a
/// number: 1 to 60 seconds.
struct VideoDuration: Decodable, Sendable, WireSchemaProviding {
    var seconds: Int

    init(seconds: Int) {
        self.seconds = seconds
    }

    init(from decoder: any Decoder) throws {
        guard let seconds = Self.seconds(try decoder.singleValueContainer().decode(JSONValue.self)), (1...60).contains(seconds) else {
            throw FieldValidationError(message: "duration must be a number of seconds from 1 to 60 (8 or \"8s\")")
        }
        self.seconds = seconds
    }

    static func seconds(_ value: JSONValue) -> Int? {
        switch value {
        case .int(let seconds): return seconds
        case .double(let seconds) where seconds.rounded() == seconds && abs(seconds) < 1e6: return Int(seconds)
        case .string(let text):
            let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
            let digits = trimmed.hasSuffix("s") ? String(trimmed.dropLast()) : trimmed
            return digits.count <= 4 ? Int(digits) : nil
        default: return nil
        }
    }

    static func wireSchema(components: inout WireSchema.Components) -> JSONValue {
        ["anyOf": [["type": "integer", "minimum": 1, "maximum": 60], ["type": "string", "pattern": "^([1-9]|[1-5][0-9]|60)s?$"]]]
    }

    static var wirePlaceholder: VideoDuration { VideoDuration(seconds: 8) }
}
