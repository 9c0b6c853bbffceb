import Core
import Foundation
import Hummingbird

/// GET /admin/subscriptions, /admin/quota, /admin/audit-log, /admin/generation-failures,
/// and GET/PUT /admin/settings (admins only).
struct AdminReportRoutes: APIRouteCollection {
    let reports: AdminReportStore
    let settings: AdminSettingsStore
    let catalog: @Sendable () async throws -> [Plan]
    /// Whether each platform key is configured (never the keys): AdminSettingsPage.js
    /// L40-68 reads `hasOpenAIKey`, `hasClaudeKey`, `hasLlamaKey`.
    let platformKeys: [String: Bool]
    let requiresAuth = true

    var operations: [OpenAPIOperation] {
        let responses: [Int: String] = [200: "Successful Response", 401: "Not signed in", 403: "Not an admin"]
        let listResponses = responses.merging([400: "Bad query parameter"]) { $1 }
        return [
            OpenAPIOperation("GET", "/admin/subscriptions", summary: "Subscription counts: active, canceled, by plan", tag: "admin", requiresAuth: true, responses: responses),
            OpenAPIOperation("GET", "/admin/payments", summary: "Payments the providers reported, newest first", tag: "admin", requiresAuth: true, responses: listResponses),
            OpenAPIOperation("GET", "/admin/quota", summary: "Per plan: users, limits, use this period and users at a limit", tag: "admin", requiresAuth: true, responses: responses),
            OpenAPIOperation(
                "GET", "/admin/audit-log", summary: "Audit log, newest first", tag: "admin", requiresAuth: true, responses: listResponses,
                parameters: paginationParameters + [
                    ["name": "event", "in": "query", "required": false, "schema": ["type": "string"]],
                    ["name": "userId", "in": "query", "required": false, "schema": ["type": "string", "format": "uuid"]],
                ]),
            OpenAPIOperation(
                "GET", "/admin/generation-failures", summary: "Failed generations, newest first", tag: "admin", requiresAuth: true,
                responses: listResponses, parameters: paginationParameters),
            OpenAPIOperation("GET", "/admin/settings", summary: "AI settings and feature prices", tag: "admin", requiresAuth: true, responses: responses),
            OpenAPIOperation(
                "PUT", "/admin/settings", summary: "Change AI settings and feature prices (partial)", tag: "admin", requiresAuth: true,
                requestBody: [
                    "type": "object",
                    "properties": [
                        "provider": ["type": "string", "enum": .array(AdminSettingsStore.providers.map(JSONValue.string))],
                        "focusKeyphrase": ["type": "string", "maxLength": 200],
                        "fallbackOrder": ["type": "array", "items": ["type": "string"]],
                        "enabledProviders": ["type": "array", "items": ["type": "string"]],
                        "prices": ["type": "object", "additionalProperties": ["type": "integer", "minimum": 0]],
                    ],
                ],
                responses: responses.merging([400: "Invalid settings"]) { $1 }),
        ]
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("/admin/subscriptions") { _, context in
            _ = try context.requireAdmin()
            let summary = try await reports.subscriptions()
            let counts: [String: JSONValue] = [
                "active": .int(summary.active), "canceled": .int(summary.canceled), "expired": .int(summary.expired),
                "total": .int(summary.total), "byPlan": .object(summary.byPlan.mapValues(JSONValue.int)),
            ]
            // AdminDashboard.js L71-74, L293-311 reads `active` and `canceled` at the top level.
            return Envelope.ok(.object(counts), topLevel: counts)
        }
        group.get("/admin/quota") { _, context in
            _ = try context.requireAdmin()
            async let users = reports.usersByPlan()
            async let use = reports.quotaUse()
            let plans = try await catalog()
            let (counts, usage) = try await (users, use)
            let items: [JSONValue] = plans.map { plan in
                let planUse = usage[plan.tier.rawValue] ?? [:]
                let quotas = Quota.all + ["tokens"]
                return [
                    "plan": .string(plan.tier.rawValue), "name": .string(plan.name), "users": .int(counts[plan.tier.rawValue] ?? 0),
                    "limits": PlanJSON.quotas(plan),
                    "used": .object(Dictionary(uniqueKeysWithValues: quotas.map { ($0, JSONValue.int(planUse[$0]?.used ?? 0)) })),
                    "usersAtLimit": .object(Dictionary(uniqueKeysWithValues: Quota.all.map { ($0, JSONValue.int(planUse[$0]?.usersAtLimit ?? 0)) })),
                ]
            }
            // AdminDashboard.js L79-82, L325-344 reads each feature's {used, limit} at the top
            // level: use summed over users, and the limits of their plans summed (-1 when
            // anyone is unlimited).
            var totals: [String: JSONValue] = [:]
            for quota in Quota.all {
                var used = 0
                var limit = 0
                for plan in plans {
                    used += usage[plan.tier.rawValue]?[quota]?.used ?? 0
                    let users = counts[plan.tier.rawValue] ?? 0
                    let perUser = plan.limit(for: quota)
                    if limit != Quota.unlimited { limit = perUser == Quota.unlimited && users > 0 ? Quota.unlimited : limit + max(0, perUser) * users }
                }
                totals[quota] = ["used": .int(used), "limit": .int(limit)]
            }
            return Envelope.ok(["period": "current subscription period of each user", "plans": .array(items), "totals": .object(totals)], topLevel: totals)
        }
        group.get("/admin/audit-log") { request, context in
            _ = try context.requireAdmin()
            var issues: [ValidationIssue] = []
            let event = QueryFields.string(request, "event", maxLength: 100, issues: &issues)
            let userID = QueryFields.uuid(request, "userId", issues: &issues)
            if !issues.isEmpty { throw CoreError.invalidInput(issues) }
            let page = try PageRequest(request: request)
            let (items, total) = try await reports.auditLog(event: event, userID: userID, limit: page.limit, offset: page.offset)
            return Envelope.ok(page.page(items, total: total))
        }
        group.get("/admin/generation-failures") { request, context in
            _ = try context.requireAdmin()
            let page = try PageRequest(request: request)
            let (items, total) = try await reports.generationFailures(limit: page.limit, offset: page.offset)
            return Envelope.ok(page.page(items, total: total))
        }
        group.get("/admin/settings") { _, context in
            _ = try context.requireAdmin()
            guard case .object(var data) = try await settings.settings().json else { throw CoreError.notFound }
            for (name, configured) in platformKeys { data[name] = .bool(configured) }
            return Envelope.ok(.object(data))
        }
        group.get("/admin/payments") { request, context in
            _ = try context.requireAdmin()
            let page = try PageRequest(request: request, defaultLimit: 100)
            let (items, total) = try await reports.payments(limit: page.limit, offset: page.offset)
            // AdminDashboard.js L108: a bare array, or `payments` beside the envelope.
            return Envelope.ok(page.page(items, total: total), topLevel: ["payments": .array(items)])
        }
        group.put("/admin/settings") { request, context in
            let admin = try context.requireAdmin()
            var fields = try await BodyFields.read(request, context: context)
            var change = AdminSettingsStore.Change()
            change.provider = fields.oneOf("provider", AdminSettingsStore.providers)
            change.focusKeyphrase = fields.string("focusKeyphrase", maxLength: 200, allowEmpty: true)
            change.fallbackOrder = Self.providerList(&fields, "fallbackOrder", allowEmpty: false)
            change.enabledProviders = Self.providerList(&fields, "enabledProviders", allowEmpty: true)
            if let value = fields.value("prices") {
                if case .object(let object) = value {
                    let known = try await settings.prices()
                    for (feature, price) in object.sorted(by: { $0.key < $1.key }) {
                        guard known[feature] != nil else {
                            fields.issues.append(ValidationIssue(type: "value_error", path: ["prices", .string(feature)], message: "Unknown feature \(feature)", input: price))
                            continue
                        }
                        guard case .int(let credits) = price, (0...AdminSettingsStore.maximumPrice).contains(credits) else {
                            fields.issues.append(ValidationIssue(
                                type: "int_type", path: ["prices", .string(feature)],
                                message: "A price must be an integer between 0 and \(AdminSettingsStore.maximumPrice)", input: price))
                            continue
                        }
                        change.prices[feature] = credits
                    }
                } else {
                    fields.fail("prices", "dict_type", "prices must be an object of feature: credits")
                }
            }
            try fields.check()
            let updated = try await settings.update(change, actor: .init(admin: admin, request: request, context: context))
            return Envelope.ok(updated.json, message: "Settings updated")
        }
    }

    /// An array of distinct provider names (lowercased).
    static func providerList(_ fields: inout BodyFields, _ name: String, allowEmpty: Bool) -> [String]? {
        guard let value = fields.value(name) else { return nil }
        guard case .array(let items) = value else {
            fields.fail(name, "list_type", "\(name) must be an array of provider names")
            return nil
        }
        var names: [String] = []
        for item in items {
            guard case .string(let raw) = item, AdminSettingsStore.providers.contains(raw.lowercased()) else {
                fields.fail(name, "enum", "\(name) may only contain \(AdminSettingsStore.providers.joined(separator: ", "))")
                return nil
            }
            names.append(raw.lowercased())
        }
        guard Set(names).count == names.count else {
            fields.fail(name, "value_error", "\(name) must not repeat a provider")
            return nil
        }
        if names.isEmpty && !allowEmpty {
            fields.fail(name, "too_short", "\(name) must name at least one provider")
            return nil
        }
        return names
    }
}
