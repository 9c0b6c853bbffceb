import Core
import Foundation
import Hummingbird
import Logging

/// Media generation with the same accounting as text: reserve, try the capable providers
/// in order (one retry on a retryable error), record every attempt, store the file, settle;
/// release when every provider failed.
struct MediaService: Sendable {
    let reservations: CreditReservations
    let logger: Logger
    let generators: MediaGenerators
    let store: MediaStore
    let urls: SignedMediaURLs
    let keys: ProviderKeyStore
    let recorder: UsageRecorder

    struct Result: Sendable {
        var asset: MediaAsset
        var bytes: [UInt8]
        /// The generator's own type (audio arrives as raw PCM and is stored as WAV).
        var generatedMimeType: String
    }

    func generate(
        for user: UserRecord, feature: String, type: String, prompt: String, task: MediaGenerators.Task, idempotencyKey: String?
    ) async throws -> Result {
        let providerKeys = try await keys.keys(for: user.id)
        let chain = generators.chain(for: task, userKeys: providerKeys)
        let service = self
        let stored = try await reservations.perform(userID: user.id, feature: feature, idempotencyKey: idempotencyKey) { hold in
            let media = try await service.attempt(chain, task: task, userKeys: providerKeys, user: user, feature: feature, credits: hold.credits)
            var bytes = media.bytes
            var mimeType = media.mimeType
            if mimeType.hasPrefix("audio/L16") || mimeType == "audio/pcm" {
                bytes = WAV.wrap(pcm: media.bytes)
                mimeType = "audio/wav"
            }
            let asset = try await service.store.create(
                userID: user.id, type: type, provider: media.provider.rawValue, model: media.model, prompt: String(prompt.prefix(4000)), bytes: bytes,
                mimeType: mimeType)
            return ["assetId": .string(asset.id.lowercasedString), "generatedMimeType": .string(media.mimeType)]
        }
        guard let id = stored["assetId"]?.stringValue.flatMap(UUID.init(parsing:)), let asset = try await store.asset(id: id, userID: user.id),
            let key = asset.storageKey, let bytes = try await store.storage.read(key, range: nil)
        else { throw CoreError.notFound }
        return Result(asset: asset, bytes: bytes, generatedMimeType: stored["generatedMimeType"]?.stringValue ?? asset.mimeType ?? "")
    }

    private func attempt(
        _ chain: [AIProviderID], task: MediaGenerators.Task, userKeys: [AIProviderID: String], user: UserRecord, feature: String, credits: Int
    ) async throws -> GeneratedMedia {
        var last: AIProviderError?
        for provider in chain {
            for retry in 0...1 {
                let started = ContinuousClock.now
                do {
                    let media = try await generators.run(task, provider: provider, userKeys: userKeys)
                    await record(user, feature, provider, media.model, started, .success, credits: credits)
                    return media
                } catch {
                    let failure = error as? AIProviderError ?? .transport(String(describing: type(of: error)))
                    last = failure
                    await record(
                        user, feature, provider, nil, started, .failure(errorType: failure.kind, message: "media attempt failed: \(failure.kind)"),
                        credits: 0)
                    guard failure.isRetryable, retry == 0 else { break }
                    // A cancelled request ends here (CancellationError) instead of retrying.
                    try await Task.sleep(for: .milliseconds(300))
                }
            }
        }
        throw CoreError.aiProvider("All media providers failed (\(last?.kind ?? "error"))")
    }

    private func record(
        _ user: UserRecord, _ tool: String, _ provider: AIProviderID, _ model: String?, _ started: ContinuousClock.Instant,
        _ outcome: UsageEvent.Outcome, credits: Int
    ) async {
        let event = UsageEvent(
            userID: user.id, tool: tool, provider: provider.rawValue, model: model, credits: credits,
            latencyMs: Int((ContinuousClock.now - started) / .milliseconds(1)), outcome: outcome)
        await recorder.recordLoggingFailure(event, logger: logger)
    }

    /// An asset as the media routes answer it.
    struct AssetView: ResponseContent {
        var id: UUID
        var type: String
        var provider: String?
        var prompt: String?
        var url: String?
        var mimeType: String?
        var size: Int?
        var status: String
        var createdAt: Date
    }

    func view(_ asset: MediaAsset) -> AssetView {
        AssetView(
            id: asset.id, type: asset.type, provider: asset.provider, prompt: asset.prompt,
            url: asset.storageKey == nil ? nil : urls.url(for: asset.id),
            mimeType: asset.mimeType, size: asset.size, status: asset.status, createdAt: asset.createdAt)
    }
}

extension MediaService {
    /// The parts of a `multipart/form-data` body (415 without a valid RFC 2046 boundary).
    static func multipartParts(_ request: Request, context: AppRequestContext) async throws -> [MultipartPart] {
        guard let type = request.headers[.contentType], type.lowercased().hasPrefix("multipart/form-data"),
            let boundary = Multipart.boundary(in: type)
        else {
            throw CoreError.unsupportedMediaType(expected: "multipart/form-data with a boundary of 1–70 characters", body: nil)
        }
        return Multipart.parse(Array(buffer: try await request.collectBody(context: context)), boundary: boundary)
    }

    /// A stored upload, as the upload routes answer it.
    struct Upload: ResponseContent {
        var id: UUID
        var url: String
        var mimeType: String
        var size: Int
        var name: String?
    }

    /// Stores an uploaded file, typed by its content (415 unless image, video or audio).
    func storeUpload(_ part: MultipartPart, userID: UUID) async throws -> Upload {
        guard let mimeType = ContentSniffer.mimeType(of: part.body), let assetType = ContentSniffer.assetType(for: mimeType) else {
            throw CoreError.unsupportedMediaType(expected: "an image, video or audio file", body: nil)
        }
        let asset = try await store.create(
            userID: userID, type: assetType, provider: "upload", model: nil, prompt: part.filename.map { String($0.prefix(255)) },
            bytes: part.body, mimeType: mimeType)
        return Upload(id: asset.id, url: urls.url(for: asset.id), mimeType: mimeType, size: part.body.count, name: part.filename)
    }
}
