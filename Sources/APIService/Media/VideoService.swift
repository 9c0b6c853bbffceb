import Core
import Foundation
import Logging
import ServiceLifecycle

/// Video generation with Veo, a long-running Gemini operation: the request starts it and
/// holds the credits; the operation is polled (inline for up to `VIDEO_SYNC_WAIT_SECONDS`,
/// then by `VideoPoller`); when it ends the file is downloaded with the key in a header and
/// stored, so no URL carrying a provider key ever reaches the client, and the hold is
/// settled, or released when the operation failed or timed out.
struct VideoService: Sendable {
    let media: MediaService
    let database: Database
    let config: AIConfig
    let http: ProviderHTTP
    let reservations: CreditReservations
    let model: String
    let syncWait: Duration
    let pollInterval: Duration
    /// An operation still running after this is given up (and its credits released).
    let giveUpAfter: Duration = .seconds(30 * 60)
    var store: MediaStore { media.store }
    var logger: Logger { media.logger }

    struct Request: Sendable {
        var prompt: String
        var aspectRatio: String
        var resolution: String
        var duration: Int
        var startFrame: (bytes: [UInt8], mimeType: String)?
    }

    func start(for user: UserRecord, _ request: Request, idempotencyKey: String?) async throws -> MediaAsset {
        let feature = request.duration > 30 ? "video_long" : "video"
        guard let key = try await geminiKey(user.id) else {
            return try await offline(for: user, request, feature: feature, idempotencyKey: idempotencyKey)
        }
        let hold: CreditReservation
        switch try await reservations.reserve(userID: user.id, feature: feature, idempotencyKey: idempotencyKey) {
        case .replay(let stored):
            guard let id = stored["id"]?.stringValue.flatMap(UUID.init(parsing:)), let asset = try await store.asset(id: id, userID: user.id)
            else {
                throw CoreError.notFound
            }
            return asset
        case .reserved(let reservation):
            hold = reservation
        }
        var instance: [String: JSONValue] = ["prompt": .string(request.prompt)]
        if let frame = request.startFrame {
            instance["image"] = ["bytesBase64Encoded": .string(Data(frame.bytes).base64EncodedString()), "mimeType": .string(frame.mimeType)]
        }
        let body: JSONValue = [
            "instances": [.object(instance)],
            "parameters": [
                "aspectRatio": .string(request.aspectRatio), "resolution": .string(request.resolution), "durationSeconds": .int(request.duration),
            ],
        ]
        let operation: String
        let started = ContinuousClock.now
        do {
            let answer = try await http.json(
                url: "\(config.gemini.baseURL)/models/\(model):predictLongRunning", headers: [("x-goog-api-key", key)], body: body)
            guard let name = answer["name"]?.stringValue, !name.isEmpty else { throw AIProviderError.malformed("no operation name") }
            operation = name
        } catch {
            try? await reservations.release(hold)
            let failure = error as? AIProviderError ?? .transport(String(describing: type(of: error)))
            await record(
                user.id, started: started, outcome: .failure(errorType: failure.kind, message: "video start failed: \(failure.kind)"), credits: 0)
            throw CoreError.aiProvider("The video provider failed (\(failure.kind))")
        }
        // Leased to this request while it waits inline (and one interval more): the poller
        // of any replica takes the video over only once this request has stopped polling it.
        let lease = (syncWait + pollInterval) / .seconds(1) + 1
        let rows = try await database.client.query(
            """
            INSERT INTO media_assets (user_id, type, provider, model, prompt, status, operation_name, reservation_id, poll_after)
            VALUES (\(user.id), 'VIDEO', 'gemini', \(model), \(String(request.prompt.prefix(4000))), 'processing', \(operation), \(hold.id),
                    now() + make_interval(secs => \(lease)))
            RETURNING \(unescaped: MediaStore.columns)
            """, logger: logger)
        guard var asset = try await MediaStore.first(rows) else { throw CoreError.serviceUnavailable("Video was not recorded") }
        let deadline = ContinuousClock.now.advanced(by: syncWait)
        while asset.status == "processing", ContinuousClock.now < deadline {
            try await Task.sleep(for: min(pollInterval, deadline - ContinuousClock.now))
            asset = try await check(asset.id) ?? asset
        }
        return asset
    }

    /// The offline provider's answer when no video provider (Gemini's Veo) is configured: a
    /// short clip that says it is a placeholder, stored and charged like any video, so the
    /// video screen works on a fresh install without pretending to be a model's output.
    func offline(for user: UserRecord, _ request: Request, feature: String, idempotencyKey: String?) async throws -> MediaAsset {
        let started = ContinuousClock.now
        let store = self.store
        let result = try await reservations.perform(userID: user.id, feature: feature, idempotencyKey: idempotencyKey) { hold in
            let asset = try await store.create(
                userID: user.id, type: "VIDEO", provider: AIProviderID.offline.rawValue, model: Self.offlineModel,
                prompt: String(request.prompt.prefix(4000)), bytes: PackageResources.offline_video_mp4, mimeType: "video/mp4")
            return ["id": .string(asset.id.lowercasedString), "credits": .int(hold.credits)]
        }
        guard let id = result["id"]?.stringValue.flatMap(UUID.init(parsing:)), let asset = try await store.asset(id: id, userID: user.id) else {
            throw CoreError.notFound
        }
        await record(
            user.id, started: started, outcome: .success, credits: result["credits"]?.integer ?? 0, provider: AIProviderID.offline.rawValue,
            model: Self.offlineModel)
        return asset
    }

    static let offlineModel = "offline-placeholder-video"

    /// Polls the operation once and finishes the asset when it is done.
    @discardableResult
    func check(_ id: UUID) async throws -> MediaAsset? {
        let rows = try await database.client.query(
            "SELECT user_id, operation_name, reservation_id, created_at FROM media_assets WHERE id = \(id) AND status = 'processing'", logger: logger)
        var found: (UUID, String, UUID?, Date)?
        for try await row in rows.decode((UUID, String?, UUID?, Date).self) {
            if let operation = row.1 { found = (row.0, operation, row.2, row.3) }
        }
        guard let (userID, operation, reservationID, created) = found else { return try await store.asset(id: id) }
        guard let key = try await geminiKey(userID) else { return try await fail(id, reservationID, userID, "no Gemini key any more") }
        let state: JSONValue
        do {
            state = try await http.json(url: "\(config.gemini.baseURL)/\(operation)", headers: [("x-goog-api-key", key)], body: nil, method: .GET)
        } catch {
            // A failed poll is not a failed video; the next poll decides, until the time limit.
            if Date().timeIntervalSince(created) > Double(giveUpAfter.components.seconds) {
                return try await fail(id, reservationID, userID, "timed out")
            }
            return try await store.asset(id: id)
        }
        if let error = state["error"], error != .null {
            return try await fail(id, reservationID, userID, error["message"]?.stringValue ?? "operation failed")
        }
        guard state["done"] == true else {
            if Date().timeIntervalSince(created) > Double(giveUpAfter.components.seconds) {
                return try await fail(id, reservationID, userID, "timed out")
            }
            return try await store.asset(id: id)
        }
        let samples = state["response"]?["generateVideoResponse"]?["generatedSamples"]?.arrayItems ?? []
        guard let uri = samples.first?["video"]?["uri"]?.stringValue else {
            return try await fail(id, reservationID, userID, "operation finished without a video (filtered?)")
        }
        let bytes: [UInt8]
        do {
            let response = try await http.send(url: uri, headers: [("x-goog-api-key", key)], body: nil, method: .GET)
            bytes = Array(buffer: try await response.body.collect(upTo: 512 << 20))
        } catch {
            if Date().timeIntervalSince(created) > Double(giveUpAfter.components.seconds) {
                return try await fail(id, reservationID, userID, "download failed")
            }
            return try await store.asset(id: id)
        }
        let storageKey = try await store.storage.put(bytes)
        let mimeType = ContentSniffer.mimeType(of: bytes) ?? "video/mp4"
        let finished = try await database.client.query(
            """
            UPDATE media_assets SET status = 'completed', storage_key = \(storageKey), mime_type = \(mimeType), size = \(bytes.count), updated_at = now()
            WHERE id = \(id) AND status = 'processing' RETURNING id
            """, logger: logger)
        var won = false
        for try await _ in finished { won = true }
        // Only the poll that completed the asset settles (the inline wait and the poller may race).
        if won, let reservationID, let hold = try await reservations.heldReservation(id: reservationID) {
            try await reservations.settle(hold, response: ["id": .string(id.lowercasedString)])
            await record(userID, started: .now, outcome: .success, credits: hold.credits)
        }
        return try await store.asset(id: id)
    }

    private func fail(_ id: UUID, _ reservationID: UUID?, _ userID: UUID, _ reason: String) async throws -> MediaAsset? {
        let rows = try await database.client.query(
            "UPDATE media_assets SET status = 'failed', error = \(String(reason.prefix(500))), updated_at = now() WHERE id = \(id) AND status = 'processing' RETURNING id",
            logger: logger)
        var won = false
        for try await _ in rows { won = true }
        if won, let reservationID, let hold = try await reservations.heldReservation(id: reservationID) {
            try await reservations.release(hold)
            await record(userID, started: .now, outcome: .failure(errorType: "video_failed", message: String(reason.prefix(200))), credits: 0)
        }
        return try await store.asset(id: id)
    }

    /// Processing videos due for a poll, leased so that replicas do not poll the same one.
    func pollDue(limit: Int = 10) async throws {
        let lease = Double(pollInterval.components.seconds) + 1
        let rows = try await database.client.query(
            """
            UPDATE media_assets SET poll_after = now() + make_interval(secs => \(lease))
            WHERE id IN (SELECT id FROM media_assets WHERE status = 'processing' AND poll_after <= now()
                         ORDER BY poll_after LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING id
            """, logger: logger)
        var due: [UUID] = []
        for try await id in rows.decode(UUID.self) { due.append(id) }
        for id in due { _ = try? await check(id) }
    }

    private func geminiKey(_ userID: UUID) async throws -> String? {
        try await media.keys.key(for: userID, provider: .gemini) ?? config.gemini.apiKey
    }

    private func record(
        _ userID: UUID, started: ContinuousClock.Instant, outcome: UsageEvent.Outcome, credits: Int, provider: String = "gemini", model: String? = nil
    ) async {
        let event = UsageEvent(
            userID: userID, tool: "video", provider: provider, model: model ?? self.model, credits: credits,
            latencyMs: Int((ContinuousClock.now - started) / .milliseconds(1)), outcome: outcome)
        await media.recorder.recordLoggingFailure(event, logger: logger)
    }
}

/// Polls processing videos in the background (every replica; rows are leased).
struct VideoPoller: Service {
    let videos: VideoService

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await videos.pollDue() } catch {
                    videos.logger.warning("video poll failed", metadata: ["error": "\(String(reflecting: error))"])
                }
                do {
                    try await Task.sleep(for: videos.pollInterval)
                } catch {
                    return  // cancelled: shutting down, so no further poll
                }
            }
        }
    }
}
