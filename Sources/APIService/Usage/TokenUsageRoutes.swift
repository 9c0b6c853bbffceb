import Core
import Foundation
import Hummingbird

/// POST /token-usage/sync, POST /sync/token-usage (the WordPress plugin's) and
/// GET /token-usage/stats.
///
/// The caller is always `context.requireUser()`: today the access token's user; once
/// platform API keys are accepted on *key* routes, the key's owner (the key middleware
/// sets `context.user`), so nothing here changes.
struct TokenUsageRoutes: TypedRouteCollection {
    let store: UsageStore
    let recorder: UsageRecorder
    let requiresAuth = true

    static let maximumTokens = 10_000_000

    let tag = "usage"

    enum TokensUsed: ExactIntegerField {
        static let name = "tokensUsed"
        static let range = 0...maximumTokens
    }

    /// The API's own body: tokens used by one operation, the caller's (or, for an admin,
    /// any user's).
    struct SyncRequest: RequestContent {
        var userId: UUID
        var action: String
        var tokensUsed: ExactInteger<TokensUsed>
        var provider: String?
        var source: String?
        var metadata: JSONValue?

        static let rules: [String: FieldRule] = [
            "action": .text(max: 100), "provider": .text(max: 50), "source": .text(max: 50), "metadata": .object(maxBytes: 16_384),
        ]
    }

    /// The plugin's periodic sync (WP/includes/token-sync.php L98-122): per WordPress user,
    /// its cumulative call counts, a WordPress `user_id` (an integer that means nothing
    /// here: the key says whose usage it is) and a zone-less local time.
    struct WordPressCounts: RequestContent {
        static let counts = 0...Int(Int32.max)

        enum TotalCalls: ExactIntegerField {
            static let name = "total_calls"
            static let range = counts
        }
        enum SuccessfulCalls: ExactIntegerField {
            static let name = "successful_calls"
            static let range = counts
        }
        enum FailedCalls: ExactIntegerField {
            static let name = "failed_calls"
            static let range = counts
        }
        enum WordPressUser: ExactIntegerField {
            static let name = "wp_user_id"
            static let range = counts
        }
        enum PluginUser: ExactIntegerField {
            static let name = "user_id"
            static let range = Int(Int32.min)...Int(Int32.max)
        }

        var totalCalls: ExactInteger<TotalCalls>?
        var successfulCalls: ExactInteger<SuccessfulCalls>?
        var failedCalls: ExactInteger<FailedCalls>?
        var wordpressUserId: ExactInteger<WordPressUser>?
        var email: String?
        var lastUpdated: String?
        /// Checked, then ignored.
        var userId: ExactInteger<PluginUser>?

        enum CodingKeys: String, CodingKey {
            case totalCalls = "total_calls", successfulCalls = "successful_calls", failedCalls = "failed_calls"
            case wordpressUserId = "wp_user_id", email, lastUpdated = "last_updated", userId = "user_id"
        }

        static let rules: [String: FieldRule] = ["email": .text(max: 320, allowEmpty: true), "last_updated": .text(max: 40, allowEmpty: true)]

        /// A body is the plugin's when it carries either of these; otherwise it is a `SyncRequest`.
        static func isPluginBody(_ document: JSONValue) -> Bool {
            [CodingKeys.userId, .totalCalls].contains { (document[$0.rawValue] ?? .null) != .null }
        }

        /// What is stored as the record's metadata (and answered as `recorded`): only the
        /// fields the plugin sent.
        var metadata: [String: JSONValue] {
            var metadata: [String: JSONValue] = [:]
            let calls = [
                ("totalCalls", totalCalls?.value), ("successfulCalls", successfulCalls?.value),
                ("failedCalls", failedCalls?.value), ("wordpressUserId", wordpressUserId?.value),
            ]
            for case (let name, let value?) in calls { metadata[name] = .int(value) }
            if let email, !email.isEmpty { metadata["email"] = .string(email) }
            if let lastUpdated, !lastUpdated.isEmpty { metadata["lastUpdated"] = .string(lastUpdated) }
            return metadata
        }
    }

    struct SyncResult: ResponseContent {
        var id: Int
        var userId: UUID
        var action: String
        var tokensUsed: Int
        var provider: String?
        var source: String
    }

    struct WordPressResult: ResponseContent {
        var id: Int
        var userId: UUID
        /// The counts as stored: only the fields the plugin sent.
        var recorded: JSONValue
    }

    struct Totals: ResponseContent {
        var tokens: Int
        var operations: Int

        init(_ totals: UsageStore.Totals) {
            tokens = totals.tokens
            operations = totals.operations
        }
    }

    struct Record: ResponseContent {
        var id: Int
        var action: String
        var provider: String?
        var model: String?
        var tokensUsed: Int
        var credits: Int
        var status: String
        var source: String
        var metadata: JSONValue
        var createdAt: Date

        init(_ row: UsageStore.Record) {
            id = row.id
            action = row.tool
            provider = row.provider
            model = row.model
            tokensUsed = row.tokensUsed
            credits = row.credits
            status = row.status
            source = row.source
            metadata = row.metadata
            createdAt = row.createdAt
        }
    }

    struct Stats: ResponseContent {
        var period: String
        var since: Date
        var totalTokens: Int
        var totalOperations: Int
        var byAction: [String: Totals]
        var byProvider: [String: Totals]
        var bySource: [String: Totals]
        var records: [Record]
    }

    /// Another user's id: 403 for a user; for an admin, 404 when there is no such user.
    static let syncErrors = [403, 404]

    func routes(_ routes: inout APIRoutes) {
        routes.post(
            "/token-usage/sync", "Record tokens used by an operation (the caller's, or any user's for admins)", body: SyncRequest.self,
            status: .created, errors: Self.syncErrors
        ) { body, request, context -> Envelope<SyncResult> in
            try await sync(body, request, context)
        }
        // Either body, told apart by its fields: not one request or answer type, so it
        // describes itself.
        var components = WireSchema.Components()
        let apiBody = WireSchema.schema(for: SyncRequest.self, components: &components)
        let pluginBody = WireSchema.schema(for: WordPressCounts.self, components: &components)
        let apiResult = WireSchema.schema(for: SyncResult.self, components: &components)
        let pluginResult = WireSchema.schema(for: WordPressResult.self, components: &components)
        let pluginFields: JSONValue = ["anyOf": [["required": ["user_id"]], ["required": ["total_calls"]]]]
        routes.custom(
            .post, "/sync/token-usage",
            OpenAPIOperation(
                "POST", "/sync/token-usage",
                summary:
                    "The WordPress plugin's sync: its call counts (a body with user_id or total_calls), stored as a wordpress_sync record; or the body of /token-usage/sync",
                tag: tag, requestBody: ["anyOf": [apiBody, ["allOf": [pluginBody, pluginFields]]]],
                responses: [201: "Recorded"].merging(Self.syncErrors.map { ($0, OpenAPIDocument.errorDescriptions[$0] ?? "Error") }) { $1 },
                responseBody: EnvelopeSchema.schema(data: ["anyOf": [apiResult, pluginResult]]), components: components)
        ) { request, context in
            let document = try await request.decodeJSON(JSONValue.self, context: context)
            guard WordPressCounts.isPluginBody(document) else {
                return try await sync(try RequestDecoder.decode(SyncRequest.self, from: document), request, context)
                    .response(from: request, context: context)
            }
            let counts = try RequestDecoder.decode(WordPressCounts.self, from: document)
            let user = try context.requireUser()
            let metadata = counts.metadata
            let event = UsageEvent(userID: user.id, tool: "wordpress_sync", tokensUsed: 0, source: "wordpress", metadata: .object(metadata))
            let id = try await recorder.record(event)
            return try Envelope(
                WordPressResult(id: id, userId: user.id, recorded: .object(metadata)), message: "WordPress usage recorded", status: .created
            )
            .response(from: request, context: context)
        }
        routes.get(
            "/token-usage/stats", "Token totals and breakdowns over a rolling day, week or month",
            query: [OpenAPIOperation.query("period", ["type": "string", "enum": .array(UsageStore.Window.allCases.map { .string($0.rawValue) })])]
        ) { request, context -> Envelope<Stats> in
            try await stats(request, context)
        }
    }

    func sync(_ body: SyncRequest, _ request: Request, _ context: AppRequestContext) async throws -> Envelope<SyncResult> {
        let user = try context.requireUser()
        let userID = body.userId
        let tokens = body.tokensUsed.value
        // Only admins may record for someone else (a server-side integration).
        if userID != user.id {
            guard user.isAdmin else { throw CoreError.forbidden }
            guard try await store.userExists(userID) else { throw CoreError.notFound }
        }
        let event = UsageEvent(
            userID: userID, tool: body.action, provider: body.provider?.lowercased(), tokensUsed: tokens, source: body.source ?? "sync",
            metadata: body.metadata ?? [:])
        let id: Int
        if userID == user.id {
            id = try await recorder.record(event)
        } else {
            // Writing another user's history is an admin change: audited with it.
            let actor = AdminAudit.Actor(admin: user, request: request, context: context)
            let (recorder, logger) = (self.recorder, recorder.logger)
            id = try await recorder.database.transaction { runner in
                let id = try await recorder.record(event, on: runner)
                try await AdminAudit(logger: logger).record(
                    .usageSync, userID: userID, actor: actor,
                    details: ["toolUsageId": .int(id), "action": .string(body.action), "tokensUsed": .int(tokens)], on: runner)
                return id
            }
        }
        return Envelope(
            SyncResult(id: id, userId: userID, action: body.action, tokensUsed: tokens, provider: event.provider, source: event.source),
            message: "Token usage recorded", status: .created)
    }

    func stats(_ request: Request, _ context: AppRequestContext) async throws -> Envelope<Stats> {
        let user = try context.requireUser()
        var issues: [ValidationIssue] = []
        let name = QueryFields.oneOf(request, "period", UsageStore.Window.allCases.map(\.rawValue), default: "month", issues: &issues)
        if !issues.isEmpty { throw CoreError.invalidInput(issues) }
        let window = name.flatMap(UsageStore.Window.init(rawValue:)) ?? .month
        let since = Date().addingTimeInterval(-Double(window.days) * 86_400)
        let stats = try await store.tokenStats(userID: user.id, since: since)
        return Envelope(
            Stats(
                period: window.rawValue, since: since, totalTokens: stats.total.tokens, totalOperations: stats.total.operations,
                byAction: stats.byAction.mapValues(Totals.init), byProvider: stats.byProvider.mapValues(Totals.init),
                bySource: stats.bySource.mapValues(Totals.init), records: stats.records.map(Record.init)))
    }
}
