import Core
import Foundation
import Hummingbird

/// POST /media/images, /media/images/edit, /media/audio, /media/upload; GET /media,
/// GET/DELETE /media/{id}.
struct MediaRoutes: APIRouteCollection {
    let service: MediaService
    let videos: VideoService
    let requiresAuth = true
    static let uploadLimit = 25 << 20
    static let aspectRatios: Set<String> = ["1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3", "21:9"]
    static let voices: Set<String> = ["Kore", "Puck", "Charon", "Fenrir", "Aoede", "Leda", "Orus", "Zephyr"]

    var operations: [OpenAPIOperation] {
        [
            OpenAPIOperation("POST", "/media/images", summary: "Generate an image: {id, imageUrl (data: URL), url, mimeType} (8 credits)", tag: "media", requiresAuth: true,
                requestBody: OpenAPIDocument.object(["prompt": OpenAPIDocument.string, "style": OpenAPIDocument.string, "aspectRatio": OpenAPIDocument.string], required: ["prompt"])),
            OpenAPIOperation("POST", "/media/images/edit", summary: "Edit an image (base64 imageData)", tag: "media", requiresAuth: true,
                requestBody: OpenAPIDocument.object(["imageData": OpenAPIDocument.string, "mimeType": OpenAPIDocument.string, "prompt": OpenAPIDocument.string, "aspectRatio": OpenAPIDocument.string], required: ["imageData", "prompt"])),
            OpenAPIOperation("POST", "/media/videos", summary: "Generate a video (Veo): {id, status: processing|completed|failed, videoUrl?} (50 credits, 100 above 30 s)",
                tag: "media", requiresAuth: true,
                requestBody: OpenAPIDocument.object(["prompt": OpenAPIDocument.string, "style": OpenAPIDocument.string, "resolution": OpenAPIDocument.string,
                    "aspectRatio": OpenAPIDocument.string, "duration": ["type": "integer"], "startFrame": OpenAPIDocument.string], required: ["prompt"])),
            OpenAPIOperation("POST", "/media/audio", summary: "Speech: {id, audioUrl (data:audio/pcm, 16-bit 24 kHz mono), url} (3 credits)", tag: "media", requiresAuth: true,
                requestBody: OpenAPIDocument.object(["text": OpenAPIDocument.string, "voice": OpenAPIDocument.string], required: ["text"])),
            OpenAPIOperation("POST", "/media/upload", summary: "Upload one file (multipart field `file`, ≤ 25 MiB, type checked by content)", tag: "media", requiresAuth: true,
                requestContentType: "multipart/form-data"),
            OpenAPIOperation("GET", "/media", summary: "Your media (paginated; ?type=IMAGE|VIDEO|AUDIO)", tag: "media", requiresAuth: true),
            OpenAPIOperation("GET", "/media/:id", summary: "One asset", tag: "media", requiresAuth: true),
            OpenAPIOperation("DELETE", "/media/:id", summary: "Delete an asset", tag: "media", requiresAuth: true),
        ]
    }

    /// A duration as the frontend sends it (constants.js: "5s", "9s", "25s") or as a number.
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

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("/media/images") { request, context in
            let body = try await SettingsRoutes.object(request, context)
            let prompt = try Self.text(body, "prompt", max: 4000)
            let style = body["style"]?.stringValue.map { String($0.prefix(100)) }
            let aspect = try Self.aspect(body)
            let fullPrompt = style.map { "\(prompt)\n\nStyle: \($0)" } ?? prompt
            let result = try await service.generate(
                for: try context.requireUser(), feature: "image", type: "IMAGE", prompt: prompt, task: .image(prompt: fullPrompt, aspectRatio: aspect),
                idempotencyKey: try request.idempotencyKey())
            return Envelope.ok(imageJSON(result))
        }
        group.post("/media/images/edit") { request, context in
            let body = try await SettingsRoutes.object(request, context)
            let prompt = try Self.text(body, "prompt", max: 4000)
            guard case .string(let encoded)? = body["imageData"] else { throw Self.invalid("imageData", "is required (base64)") }
            guard let bytes = ContentSniffer.base64Media(encoded) else { throw Self.invalid("imageData", "is not valid base64") }
            guard let sniffed = ContentSniffer.mimeType(of: bytes), sniffed.hasPrefix("image/") else {
                throw CoreError.unsupportedMediaType(expected: "image/png, image/jpeg, image/webp or image/gif", body: nil)
            }
            let result = try await service.generate(
                for: try context.requireUser(), feature: "image_edit", type: "IMAGE", prompt: prompt,
                task: .edit(prompt: prompt, image: bytes, mimeType: sniffed, aspectRatio: try Self.aspect(body)), idempotencyKey: try request.idempotencyKey())
            return Envelope.ok(imageJSON(result))
        }
        group.post("/media/videos") { request, context in
            let body = try await SettingsRoutes.object(request, context)
            let prompt = try Self.text(body, "prompt", max: 4000)
            let style = body["style"]?.stringValue.map { String($0.prefix(100)) }
            var video = VideoService.Request(prompt: style.map { "\(prompt)\n\nStyle: \($0)" } ?? prompt, aspectRatio: "16:9", resolution: "720p", duration: 8)
            switch body["aspectRatio"] {
            case nil, .null?: break
            case .string(let value)? where ["16:9", "9:16"].contains(value): video.aspectRatio = value
            default: throw Self.invalid("aspectRatio", "must be 16:9 or 9:16")
            }
            switch body["resolution"] {
            case nil, .null?: break
            case .string(let value)? where ["720p", "1080p"].contains(value): video.resolution = value
            default: throw Self.invalid("resolution", "must be 720p or 1080p")
            }
            switch body["duration"] {
            case nil, .null?: break
            case let value?:
                guard let seconds = Self.seconds(value), (1...60).contains(seconds) else {
                    throw Self.invalid("duration", "must be a number of seconds from 1 to 60 (8 or \"8s\")")
                }
                video.duration = seconds
            }
            if case .string(let encoded)? = body["startFrame"] {
                guard let bytes = ContentSniffer.base64Media(encoded), let mime = ContentSniffer.mimeType(of: bytes), mime.hasPrefix("image/") else {
                    throw Self.invalid("startFrame", "must be a base64 image")
                }
                video.startFrame = (bytes, mime)
            }
            let asset = try await videos.start(for: try context.requireUser(), video, idempotencyKey: try request.idempotencyKey())
            return Envelope.ok(videoJSON(asset))
        }
        group.post("/media/audio") { request, context in
            let body = try await SettingsRoutes.object(request, context)
            let text = try Self.text(body, "text", max: 5000)
            let voice = body["voice"]?.stringValue ?? "Kore"
            guard Self.voices.contains(voice) else { throw Self.invalid("voice", "must be one of \(Self.voices.sorted().joined(separator: ", "))") }
            let result = try await service.generate(
                for: try context.requireUser(), feature: "audio", type: "AUDIO", prompt: text, task: .speech(text: text, voice: voice),
                idempotencyKey: try request.idempotencyKey())
            // The contract's data URL is the raw PCM; the stored file is the same audio as WAV.
            let pcm = result.bytes.count > 44 && result.asset.mimeType == "audio/wav" ? Array(result.bytes.dropFirst(44)) : result.bytes
            var data = service.json(result.asset)
            if case .object(var fields) = data {
                fields["audioUrl"] = .string("data:audio/pcm;base64," + Data(pcm).base64EncodedString())
                data = .object(fields)
            }
            return Envelope.ok(data)
        }
        group.post("/media/upload") { request, context in
            let parts = try await MediaService.multipartParts(request, context: context)
            guard let file = parts.first(where: { $0.name == "file" }), !file.body.isEmpty else { throw Self.invalid("file", "is required") }
            guard file.body.count <= Self.uploadLimit else { throw CoreError.payloadTooLarge(limit: Self.uploadLimit) }
            return Envelope.ok(.object(try await service.storeUpload(file, userID: try context.requireUser().id)), status: .created)
        }
        group.get("/media") { request, context in
            let page = try PageRequest(request: request)
            let type = request.uri.queryParameters["type"].map { String($0).uppercased() }
            if let type, !["IMAGE", "VIDEO", "AUDIO"].contains(type) { throw Self.invalid("type", "must be IMAGE, VIDEO or AUDIO") }
            let (assets, total) = try await service.store.list(userID: try context.requireUser().id, type: type, page: page)
            return Envelope.ok(page.page(assets.map(service.json), total: total))
        }
        group.get("/media/:id") { request, context in
            guard let asset = try await service.store.asset(id: try request.uuidParameter("id", context: context), userID: try context.requireUser().id) else {
                throw CoreError.notFound
            }
            return Envelope.ok(service.json(asset))
        }
        group.delete("/media/:id") { request, context in
            guard try await service.store.delete(id: try request.uuidParameter("id", context: context), userID: try context.requireUser().id) else {
                throw CoreError.notFound
            }
            return Envelope.ok(nil, message: "Deleted")
        }
    }

    private func videoJSON(_ asset: MediaAsset) -> JSONValue {
        var data: [String: JSONValue] = ["id": .string(asset.id.uuidString.lowercased()), "status": .string(asset.status)]
        if asset.status == "completed", asset.storageKey != nil { data["videoUrl"] = .string(service.urls.url(for: asset.id)) }
        // The frontend waits 30 s and reads only `videoUrl` (geminiMediaService.js L151-180):
        // say what happens to a video that takes longer.
        if asset.status == "processing" {
            data["message"] = .string("The video is still being generated; it will appear in your media library (GET /media/\(asset.id.uuidString.lowercased())) when done.")
        }
        return .object(data)
    }

    private func imageJSON(_ result: MediaService.Result) -> JSONValue {
        let mime = result.asset.mimeType ?? "image/png"
        return [
            "id": .string(result.asset.id.uuidString.lowercased()), "imageUrl": .string("data:\(mime);base64," + Data(result.bytes).base64EncodedString()),
            "url": .string(service.urls.url(for: result.asset.id)), "mimeType": .string(mime), "provider": result.asset.provider.map(JSONValue.string) ?? .null,
        ]
    }

    static func text(_ body: JSONValue, _ name: String, max: Int) throws -> String {
        guard case .string(let value)? = body[name], case let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else {
            throw invalid(name, "is required")
        }
        guard trimmed.count <= max else { throw invalid(name, "must be at most \(max) characters") }
        return trimmed
    }

    static func aspect(_ body: JSONValue) throws -> String {
        guard let value = body["aspectRatio"], value != .null else { return "1:1" }
        guard case .string(let aspect) = value, aspectRatios.contains(aspect) else {
            throw invalid("aspectRatio", "must be one of \(aspectRatios.sorted().joined(separator: ", "))")
        }
        return aspect
    }

    static func invalid(_ field: String, _ message: String) -> CoreError {
        .invalidInput([SettingsRoutes.issue(field, message)])
    }
}
