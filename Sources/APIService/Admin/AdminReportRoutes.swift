import Core
import Foundation
import Hummingbird

/// GET /admin/subscriptions, /admin/payments, /admin/quota, /admin/audit-log,
/// /admin/generation-failures, and GET/PUT /admin/settings (admins only).
struct AdminReportRoutes: TypedRouteCollection {
    let reports: AdminReportStore
    let settings: AdminSettingsStore
    let catalog: @Sendable () async throws -> [Plan]
    /// Whether each platform key is configured (never the keys), by the names
    /// `PlatformKeys` answers: AdminSettingsPage.js L40-68 reads `hasOpenAIKey`,
    /// `hasClaudeKey`, `hasLlamaKey`.
    let platformKeys: [String: Bool]
    let requiresAuth = true

    let tag = "admin"
    var commonErrors: [Int] { [403] }

    /// Admins only, before any body is read.
    func authorize(_ context: AppRequestContext) throws { _ = try context.requireAdmin() }

    // MARK: subscriptions, payments, quota

    struct Subscriptions: ResponseContent {
        /// ACTIVE or TRIAL, and not set to cancel.
        var active: Int
        /// CANCELLED, or set to cancel at the period's end.
        var canceled: Int
        var expired: Int
        var total: Int
        /// Every user by plan (FREE without a subscription).
        var byPlan: [String: Int]
    }

    struct Payment: ResponseContent {
        var id: Int
        var userId: UUID
        var userEmail: String
        var plan: String?
        /// `12.50`: the amount in the currency's units, two decimals.
        var amount: String
        var currency: String
        var status: String
        var provider: String
        var createdAt: Date

        enum CodingKeys: String, CodingKey {
            case id, userId, userEmail = "user_email", plan, amount, currency, status, provider, createdAt = "created_at"
        }

        init(_ row: AdminReportStore.Payment) {
            id = row.id
            userId = row.userID
            userEmail = row.email
            plan = row.plan
            amount = String(format: "%d.%02d", row.amountCents / 100, row.amountCents % 100)
            currency = row.currency
            status = row.status
            provider = row.provider
            createdAt = row.createdAt
        }
    }

    /// AdminDashboard.js L108 reads `payments` beside the envelope.
    struct Payments: Encodable, Sendable {
        var payments: [Payment]
    }

    struct QuotaPlan: ResponseContent {
        var plan: String
        var name: String
        var users: Int
        /// Per quota; -1 is unlimited.
        var limits: [String: Int]
        /// Per quota and `tokens`, summed over the plan's users this period.
        var used: [String: Int]
        var usersAtLimit: [String: Int]
    }

    struct QuotaTotal: ResponseContent {
        var used: Int
        /// The limits of the users' plans summed; -1 when anyone is unlimited.
        var limit: Int
    }

    struct QuotaReport: ResponseContent {
        var period: String
        var plans: [QuotaPlan]
        var totals: [String: QuotaTotal]
    }

    // MARK: audit log and failures

    struct AuditEntry: ResponseContent {
        var id: Int
        var event: String
        var userId: UUID?
        var actorId: UUID?
        var ip: String?
        var userAgent: String?
        /// What the event recorded (`changes` with `from`/`to`, a credit adjustment's…).
        var details: JSONValue
        var createdAt: Date

        init(_ row: AdminReportStore.AuditEntry) {
            id = row.id
            event = row.event
            userId = row.userID
            actorId = row.actorID
            ip = row.ip
            userAgent = row.userAgent
            details = row.details
            createdAt = row.createdAt
        }
    }

    struct Failure: ResponseContent {
        var id: Int
        var userId: UUID?
        var email: String?
        var service: String
        var provider: String?
        var model: String?
        var errorType: String
        var message: String?
        var createdAt: Date

        init(_ row: AdminReportStore.Failure) {
            id = row.id
            userId = row.userID
            email = row.email
            service = row.service
            provider = row.provider
            model = row.model
            errorType = row.errorType
            message = row.message
            createdAt = row.createdAt
        }
    }

    // MARK: settings

    struct SettingsView: ResponseContent {
        var provider: String
        var focusKeyphrase: String
        var fallbackOrder: [String]
        var enabledProviders: [String]
        /// Credits per feature.
        var prices: [String: Int]
        var updatedAt: Date?
        var updatedBy: UUID?

        init(_ settings: AdminSettingsStore.Settings) {
            provider = settings.provider
            focusKeyphrase = settings.focusKeyphrase
            fallbackOrder = settings.fallbackOrder
            enabledProviders = settings.enabledProviders
            prices = settings.prices
            updatedAt = settings.updatedAt
            updatedBy = settings.updatedBy
        }
    }

    /// Whether each platform key is configured.
    struct PlatformKeys: ResponseContent {
        var hasGeminiKey: Bool
        var hasOpenAIKey: Bool
        var hasClaudeKey: Bool
        var hasLlamaKey: Bool

        init(_ configured: [String: Bool]) {
            hasGeminiKey = configured["hasGeminiKey"] ?? false
            hasOpenAIKey = configured["hasOpenAIKey"] ?? false
            hasClaudeKey = configured["hasClaudeKey"] ?? false
            hasLlamaKey = configured["hasLlamaKey"] ?? false
        }
    }

    /// GET's answer: the settings with, in the same object, `PlatformKeys`'s fields.
    struct SettingsPage: ResponseContent {
        var settings: SettingsView
        var keys: PlatformKeys

        init(settings: SettingsView, keys: PlatformKeys) {
            self.settings = settings
            self.keys = keys
        }

        init(from decoder: any Decoder) throws {
            settings = try SettingsView(from: decoder)
            keys = try PlatformKeys(from: decoder)
        }

        func encode(to encoder: any Encoder) throws {
            try settings.encode(to: encoder)
            try keys.encode(to: encoder)
        }
    }

    /// A partial change: absent fields are kept; `prices` names only the features to
    /// reprice.
    struct SettingsChange: RequestContent {
        var provider: String?
        var focusKeyphrase: String?
        var fallbackOrder: [String]?
        var enabledProviders: [String]?
        var prices: Prices?

        static let rules: [String: FieldRule] = [
            "provider": .oneOf(AdminSettingsStore.providers, spelling: .lowercase), "focusKeyphrase": .text(max: 200, allowEmpty: true),
            "fallbackOrder": .list(maxItems: AdminSettingsStore.providers.count, itemMaxLength: 50),
            "enabledProviders": .list(maxItems: AdminSettingsStore.providers.count, itemMaxLength: 50),
        ]

        /// Distinct known providers (any case is taken; the document lists the stored one).
        static let schemaConstraints: [String: JSONValue] = {
            let names = JSONValue.array(AdminSettingsStore.providers.map { .string($0) })
            return [
                "allOf": [
                    [
                        "properties": [
                            "fallbackOrder": ["uniqueItems": true, "minItems": 1, "items": ["enum": names]],
                            "enabledProviders": ["uniqueItems": true, "items": ["enum": names]],
                        ]
                    ]
                ]
            ]
        }()

        func validate(_ issues: inout [ValidationIssue]) {
            if let fallbackOrder { Self.checkProviders(fallbackOrder, "fallbackOrder", allowEmpty: false, &issues) }
            if let enabledProviders { Self.checkProviders(enabledProviders, "enabledProviders", allowEmpty: true, &issues) }
        }

        /// Distinct provider names; matched case-insensitively, stored lowercase.
        static func checkProviders(_ names: [String], _ field: String, allowEmpty: Bool, _ issues: inout [ValidationIssue]) {
            let lowered = names.map { $0.lowercased() }
            let input = JSONValue.array(names.map(JSONValue.string))
            if !lowered.allSatisfy(AdminSettingsStore.providers.contains) {
                issues.append(
                    ValidationIssue(
                        type: "enum", path: [.string(field)],
                        message: "\(field) may only contain \(AdminSettingsStore.providers.joined(separator: ", "))",
                        input: input))
            } else if Set(lowered).count != lowered.count {
                issues.append(
                    ValidationIssue(type: "value_error", path: [.string(field)], message: "\(field) must not repeat a provider", input: input))
            } else if lowered.isEmpty && !allowEmpty {
                issues.append(
                    ValidationIssue(type: "too_short", path: [.string(field)], message: "\(field) must name at least one provider", input: input))
            }
        }

        /// The change, once `prices` names known features with valid prices (the known
        /// ones are the store's, so this is checked here rather than in `validate`).
        func change(knownPrices: [String: Int]) throws -> AdminSettingsStore.Change {
            var change = AdminSettingsStore.Change()
            change.provider = provider
            change.focusKeyphrase = focusKeyphrase
            change.fallbackOrder = fallbackOrder?.map { $0.lowercased() }
            change.enabledProviders = enabledProviders?.map { $0.lowercased() }
            var issues: [ValidationIssue] = []
            for (feature, price) in (prices?.entries ?? [:]).sorted(by: { $0.key < $1.key }) {
                guard knownPrices[feature] != nil else {
                    issues.append(
                        ValidationIssue(type: "value_error", path: ["prices", .string(feature)], message: "Unknown feature \(feature)", input: price))
                    continue
                }
                guard case .int(let credits) = price, (0...AdminSettingsStore.maximumPrice).contains(credits) else {
                    issues.append(
                        ValidationIssue(
                            type: "int_type", path: ["prices", .string(feature)],
                            message: "A price must be an integer between 0 and \(AdminSettingsStore.maximumPrice)", input: price))
                    continue
                }
                change.prices[feature] = credits
            }
            if !issues.isEmpty { throw CoreError.invalidInput(issues) }
            return change
        }
    }

    /// `{feature: credits}`, each price as given (checked against the known features by
    /// `SettingsChange.change(knownPrices:)`).
    struct Prices: Decodable, Sendable, WireSchemaProviding {
        var entries: [String: JSONValue]

        init(entries: [String: JSONValue]) {
            self.entries = entries
        }

        init(from decoder: any Decoder) throws {
            guard case .object(let entries) = try decoder.singleValueContainer().decode(JSONValue.self) else {
                throw FieldValidationError(type: "dict_type", message: "prices must be an object of feature: credits")
            }
            self.entries = entries
        }

        static func wireSchema(components: inout WireSchema.Components) -> JSONValue {
            ["type": "object", "additionalProperties": ["type": "integer", "minimum": 0, "maximum": .int(AdminSettingsStore.maximumPrice)]]
        }

        static var wirePlaceholder: Prices { Prices(entries: [:]) }
    }

    func routes(_ routes: inout APIRoutes) {
        routes.get("/admin/subscriptions", "Subscription counts: active, canceled, by plan") { _, context -> Envelope<Subscriptions> in
            let summary = try await reports.subscriptions()
            let counts = Subscriptions(
                active: summary.active, canceled: summary.canceled, expired: summary.expired, total: summary.total, byPlan: summary.byPlan)
            // AdminDashboard.js L71-74, L293-311 reads `active` and `canceled` at the top level.
            return Envelope(counts, topLevel: counts)
        }
        routes.get(
            "/admin/payments", "Payments the providers reported, newest first (also as `payments` beside `data`)", query: PageRequest.parameters
        ) { request, context -> Envelope<Page<Payment>> in
            let page = try PageRequest(request: request, defaultLimit: 100)
            let (rows, total) = try await reports.payments(limit: page.limit, offset: page.offset)
            let items = rows.map(Payment.init)
            // AdminDashboard.js L108: a bare array, or `payments` beside the envelope.
            return Envelope(page.page(items, total: total), topLevel: Payments(payments: items))
        }
        routes.get("/admin/quota", "Per plan: users, limits, use this period and users at a limit") { _, context -> Envelope<QuotaReport> in
            async let users = reports.usersByPlan()
            async let use = reports.quotaUse()
            let plans = try await catalog()
            let (counts, usage) = try await (users, use)
            let items = plans.map { plan in
                let planUse = usage[plan.tier.rawValue] ?? [:]
                return QuotaPlan(
                    plan: plan.tier.rawValue, name: plan.name, users: counts[plan.tier.rawValue] ?? 0,
                    limits: Dictionary(uniqueKeysWithValues: Quota.all.map { ($0, plan.limit(for: $0)) }),
                    used: Dictionary(uniqueKeysWithValues: (Quota.all + ["tokens"]).map { ($0, planUse[$0]?.used ?? 0) }),
                    usersAtLimit: Dictionary(uniqueKeysWithValues: Quota.all.map { ($0, planUse[$0]?.usersAtLimit ?? 0) }))
            }
            // AdminDashboard.js L79-82, L325-344 reads each feature's {used, limit} at the top
            // level: use summed over users, and the limits of their plans summed (-1 when
            // anyone is unlimited).
            var totals: [String: QuotaTotal] = [:]
            for quota in Quota.all {
                var used = 0
                var limit = 0
                for plan in plans {
                    used += usage[plan.tier.rawValue]?[quota]?.used ?? 0
                    let users = counts[plan.tier.rawValue] ?? 0
                    let perUser = plan.limit(for: quota)
                    if limit != Quota.unlimited {
                        limit = perUser == Quota.unlimited && users > 0 ? Quota.unlimited : limit + max(0, perUser) * users
                    }
                }
                totals[quota] = QuotaTotal(used: used, limit: limit)
            }
            return Envelope(QuotaReport(period: "current subscription period of each user", plans: items, totals: totals), topLevel: totals)
        }
        let auditQuery =
            PageRequest.parameters + [
                OpenAPIOperation.query("event", ["type": "string", "maxLength": 100]),
                // Empty means no filter (the dashboard sends the field as it is).
                OpenAPIOperation.query(
                    "userId", ["type": "string", "pattern": "^([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})?$"],
                    description: "The user changed, or the admin who changed something"),
            ]
        routes.get("/admin/audit-log", "Audit log, newest first", query: auditQuery) { request, context -> Envelope<Page<AuditEntry>> in
            var issues: [ValidationIssue] = []
            let event = QueryFields.string(request, "event", maxLength: 100, issues: &issues)
            let userID = QueryFields.uuid(request, "userId", issues: &issues)
            if !issues.isEmpty { throw CoreError.invalidInput(issues) }
            let page = try PageRequest(request: request)
            let (items, total) = try await reports.auditLog(event: event, userID: userID, limit: page.limit, offset: page.offset)
            return Envelope(page.page(items.map(AuditEntry.init), total: total))
        }
        routes.get("/admin/generation-failures", "Failed generations, newest first", query: PageRequest.parameters) {
            request, context -> Envelope<Page<Failure>> in
            let page = try PageRequest(request: request)
            let (items, total) = try await reports.generationFailures(limit: page.limit, offset: page.offset)
            return Envelope(page.page(items.map(Failure.init), total: total))
        }
        routes.get("/admin/settings", "AI settings, feature prices, and which platform keys are configured") { _, context -> Envelope<SettingsPage> in
            return Envelope(SettingsPage(settings: SettingsView(try await settings.settings()), keys: PlatformKeys(platformKeys)))
        }
        routes.put("/admin/settings", "Change AI settings and feature prices (partial)", body: SettingsChange.self) {
            body, request, context -> Envelope<SettingsView> in
            let admin = try context.requireAdmin()
            let change = try body.change(knownPrices: try await settings.prices())
            let updated = try await settings.update(change, actor: .init(admin: admin, request: request, context: context))
            return Envelope(SettingsView(updated), message: "Settings updated")
        }
    }
}
