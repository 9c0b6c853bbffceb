import Core
import Foundation
import Hummingbird

/// POST /token-usage/sync and GET /token-usage/stats.
///
/// The caller is always `context.requireUser()`: today the access token's user; once
/// platform API keys are accepted on *key* routes, the key's owner (the key middleware
/// sets `context.user`), so nothing here changes.
struct TokenUsageRoutes: APIRouteCollection {
    let store: UsageStore
    let recorder: UsageRecorder
    let requiresAuth = true

    static let maximumTokens = 10_000_000

    var operations: [OpenAPIOperation] {
        [
            OpenAPIOperation(
                "POST", "/token-usage/sync", summary: "Record tokens used by an operation (the caller's, or any user's for admins)",
                tag: "usage", requiresAuth: true,
                requestBody: [
                    "type": "object", "required": ["userId", "action", "tokensUsed"],
                    "properties": [
                        "userId": ["type": "string", "format": "uuid"], "action": ["type": "string", "maxLength": 100],
                        "tokensUsed": ["type": "integer", "minimum": 0, "maximum": 10_000_000],
                        "provider": ["type": "string"], "source": ["type": "string"], "metadata": ["type": "object"],
                    ],
                ],
                responses: [201: "Recorded", 400: "Invalid body", 403: "userId is another user's", 404: "Unknown userId (admins)"]),
            OpenAPIOperation(
                "GET", "/token-usage/stats", summary: "Token totals and breakdowns over a rolling day, week or month", tag: "usage",
                requiresAuth: true, responses: [200: "Successful Response", 400: "Bad period"],
                parameters: [["name": "period", "in": "query", "required": false, "schema": ["type": "string", "enum": ["day", "week", "month"]]]]),
        ]
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("/token-usage/sync") { request, context in
            try await sync(request, context, fields: try await BodyFields.read(request, context: context))
        }
        // The plugin's periodic sync (WP/includes/token-sync.php L98-122) sends per
        // WordPress user its cumulative call counts, a WordPress `user_id` (an integer that
        // means nothing here: the key says whose usage it is) and a zone-less local time.
        // It is stored as a `wordpress_sync` record of the key owner; the API's own
        // `{userId, action, tokensUsed}` body is accepted here too.
        group.post("/sync/token-usage") { request, context in
            var fields = try await BodyFields.read(request, context: context)
            guard fields.value("user_id") != nil || fields.value("total_calls") != nil else {
                return try await sync(request, context, fields: fields)
            }
            let user = try context.requireUser()
            let total = fields.int("total_calls", range: 0...Int(Int32.max))
            let succeeded = fields.int("successful_calls", range: 0...Int(Int32.max))
            let failed = fields.int("failed_calls", range: 0...Int(Int32.max))
            let wordpressUser = fields.int("wp_user_id", range: 0...Int(Int32.max))
            let email = fields.string("email", maxLength: 320, allowEmpty: true)
            let updated = fields.string("last_updated", maxLength: 40, allowEmpty: true)
            _ = fields.int("user_id", range: Int(Int32.min)...Int(Int32.max))
            try fields.check()
            var metadata: [String: JSONValue] = [:]
            for (name, value) in [("totalCalls", total), ("successfulCalls", succeeded), ("failedCalls", failed), ("wordpressUserId", wordpressUser)] {
                if let value { metadata[name] = .int(value) }
            }
            if let email, !email.isEmpty { metadata["email"] = .string(email) }
            if let updated, !updated.isEmpty { metadata["lastUpdated"] = .string(updated) }
            let event = UsageEvent(userID: user.id, tool: "wordpress_sync", tokensUsed: 0, source: "wordpress", metadata: .object(metadata))
            let id = try await recorder.record(event)
            return Envelope.ok(["id": .int(id), "userId": user.id.json, "recorded": .object(metadata)], message: "WordPress usage recorded", status: .created)
        }
        group.get("/token-usage/stats") { request, context in
            try await stats(request, context)
        }
    }

    func sync(_ request: Request, _ context: AppRequestContext, fields: BodyFields) async throws -> Response {
        var fields = fields
        let user = try context.requireUser()
        let userID = fields.uuid("userId", required: true)
        let action = fields.string("action", required: true, maxLength: 100)
        let tokens = fields.int("tokensUsed", required: true, range: 0...Self.maximumTokens)
        let provider = fields.string("provider", maxLength: 50)
        let source = fields.string("source", maxLength: 50)
        let metadata = fields.jsonObject("metadata")
        try fields.check()
        guard let userID, let action, let tokens else { throw CoreError.invalidInput(fields.issues) }
        // Only admins may record for someone else (a server-side integration).
        if userID != user.id {
            guard user.isAdmin else { throw CoreError.forbidden }
            guard try await store.userExists(userID) else { throw CoreError.notFound }
        }
        let event = UsageEvent(
            userID: userID, tool: action, provider: provider?.lowercased(), tokensUsed: tokens, source: source ?? "sync",
            metadata: metadata ?? [:])
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
                    details: ["toolUsageId": .int(id), "action": .string(action), "tokensUsed": .int(tokens)], on: runner)
                return id
            }
        }
        return Envelope.ok(
            [
                "id": .int(id), "userId": userID.json, "action": .string(action), "tokensUsed": .int(tokens),
                "provider": event.provider.map(JSONValue.string) ?? .null, "source": .string(event.source),
            ], message: "Token usage recorded", status: .created)
    }

    func stats(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        var issues: [ValidationIssue] = []
        let name = QueryFields.oneOf(request, "period", UsageStore.Window.allCases.map(\.rawValue), default: "month", issues: &issues)
        if !issues.isEmpty { throw CoreError.invalidInput(issues) }
        let window = name.flatMap(UsageStore.Window.init(rawValue:)) ?? .month
        let since = Date().addingTimeInterval(-Double(window.days) * 86_400)
        let stats = try await store.tokenStats(userID: user.id, since: since)
        func breakdown(_ values: [String: UsageStore.Totals]) -> JSONValue {
            .object(values.mapValues { ["tokens": .int($0.tokens), "operations": .int($0.operations)] })
        }
        return Envelope.ok([
            "period": .string(window.rawValue), "since": Envelope.date(since),
            "totalTokens": .int(stats.total.tokens), "totalOperations": .int(stats.total.operations),
            "byAction": breakdown(stats.byAction), "byProvider": breakdown(stats.byProvider), "bySource": breakdown(stats.bySource),
            "records": .array(stats.records),
        ])
    }
}