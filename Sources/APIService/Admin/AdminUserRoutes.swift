import Core
import Foundation
import Hummingbird

/// GET /admin/users, PATCH /admin/users/{id}, POST /admin/users/{id}/credits (admins only).
struct AdminUserRoutes: TypedRouteCollection {
    let store: AdminUserStore
    let requiresAuth = true

    static let maximumCreditDelta = 1_000_000

    let tag = "admin"
    var commonErrors: [Int] { [403] }

    /// Admins only, before any body is read.
    func authorize(_ context: AppRequestContext) throws { _ = try context.requireAdmin() }

    /// Absent fields are kept; at least one is required.
    struct UserUpdate: RequestContent {
        var role: String?
        var isActive: Bool?
        /// A manual, unbilled plan.
        var plan: String?

        enum CodingKeys: String, CodingKey {
            case role, isActive = "is_active", plan
        }

        static let rules: [String: FieldRule] = [
            "role": .oneOf(UserRecord.Role.allCases.map(\.rawValue), spelling: .lowercase),
            "plan": .oneOf(PlanTier.allCases.map(\.rawValue), spelling: .uppercase),
        ]

        static let schemaConstraints: [String: JSONValue] = [
            "anyOf": .array(
                ["role", "is_active", "plan"].map { name in
                    ["required": [.string(name)], "properties": [name: ["not": ["type": "null"]]]]
                })
        ]

        func validate(_ issues: inout [ValidationIssue]) {
            if role == nil, isActive == nil, plan == nil {
                issues.append(ValidationIssue(type: "missing", path: ["body"], message: "Give at least one of role, is_active, plan"))
            }
        }

        var update: AdminUserStore.Update {
            AdminUserStore.Update(
                role: role.flatMap(UserRecord.Role.init(rawValue:)), isActive: isActive, plan: plan.flatMap(PlanTier.init(rawValue:)))
        }
    }

    /// Never 0: a debit when negative.
    enum Delta: ExactIntegerField {
        static let name = "delta"
        static let range = -maximumCreditDelta...maximumCreditDelta

        static func problem(_ value: Int) -> FieldValidationError? {
            if !range.contains(value) {
                return FieldValidationError(type: "range", message: "delta must be between \(range.lowerBound) and \(range.upperBound)")
            }
            return value == 0 ? FieldValidationError(message: "delta must not be 0") : nil
        }

        static var schema: JSONValue {
            ["type": "integer", "minimum": .int(range.lowerBound), "maximum": .int(range.upperBound), "not": ["const": 0]]
        }
    }

    struct CreditAdjustment: RequestContent {
        var delta: ExactInteger<Delta>
        var reason: String

        static let rules: [String: FieldRule] = ["reason": .text(max: 500)]
    }

    /// A user as every admin route answers it.
    struct UserView: ResponseContent {
        struct Credits: ResponseContent {
            var balance: Int
        }

        var id: UUID
        var email: String
        var name: String?
        var role: String
        var isActive: Bool
        var isVerified: Bool
        var isSuperuser: Bool
        var plan: String
        var credits: Credits
        var createdAt: Date
        /// `created_at`, the admin dashboard's name for it (AdminDashboard.js L250-269).
        var dashboardCreatedAt: Date

        enum CodingKeys: String, CodingKey {
            case id, email, name, role, isActive = "is_active", isVerified = "is_verified", isSuperuser = "is_superuser", plan, credits
            case createdAt, dashboardCreatedAt = "created_at"
        }

        init(_ user: AdminUserStore.User) {
            id = user.id
            email = user.email
            name = user.name
            role = user.role
            isActive = user.isActive
            isVerified = user.isVerified
            isSuperuser = user.isSuperuser
            plan = user.plan
            credits = Credits(balance: user.balance)
            createdAt = user.createdAt
            dashboardCreatedAt = user.createdAt
        }
    }

    struct AdjustmentView: ResponseContent {
        var userId: UUID
        var delta: Int
        var reason: String
        var reference: String
        var balance: Int

        init(_ adjustment: AdminUserStore.Adjustment) {
            userId = adjustment.userID
            delta = adjustment.delta
            reason = adjustment.reason
            reference = adjustment.reference
            balance = adjustment.balance
        }
    }

    func routes(_ routes: inout APIRoutes) {
        // Under the frontend's `/api/` prefix the whole body is the list (AdminDashboard.js
        // L70, L87); `/api/v1/` keeps the envelope (API.md). Not one answer type, so it
        // describes itself.
        var components = WireSchema.Components()
        let page = WireSchema.schema(for: Page<UserView>.self, components: &components)
        let list = WireSchema.schema(for: [UserView].self, components: &components)
        let query =
            [OpenAPIOperation.query("search", ["type": "string", "maxLength": 200], description: "A substring of the e-mail or name")]
            + PageRequest.parameters + [PageRequest.cursorParameter(pattern: TimeCursor.pattern)]
        routes.custom(
            .get, "/admin/users",
            OpenAPIOperation(
                "GET", "/admin/users", summary: "Users, newest first; search by e-mail or name (under /api: the bare list)", tag: tag,
                parameters: query,
                responseBody: ["anyOf": [EnvelopeSchema.schema(data: page), list]], components: components)
        ) { request, context in
            var issues: [ValidationIssue] = []
            let search = QueryFields.string(request, "search", maxLength: 200, issues: &issues)
            if !issues.isEmpty { throw CoreError.invalidInput(issues) }
            let page = try PageRequest(request: request)
            let users = try await store.list(search: search, limit: page.limit, offset: page.offset, after: try page.cursor(TimeCursor.init))
            let items = users.map(UserView.init)
            // The bare list has no total: it is not counted.
            guard request.uri.path.hasPrefix("/api/v1/") else {
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: try WireEncoder.encode(items)))
            }
            let next = users.last.map { TimeCursor(createdAt: $0.createdAt, id: $0.id).text }
            let total = try await store.total(search: search)
            return try Envelope(page.page(items, total: total, nextCursor: next)).response(from: request, context: context)
        }
        routes.patch("/admin/users/:id", "Change a user's role, active flag or plan (manual, unbilled)", body: UserUpdate.self) {
            body, request, context -> Envelope<UserView> in
            let admin = try context.requireAdmin()
            let id = try request.uuidParameter("id", context: context)
            // Nobody changes their own role or deactivates themselves: another admin must.
            var issues: [ValidationIssue] = []
            if id == admin.id, body.role != nil {
                issues.append(
                    ValidationIssue(
                        type: "value_error", path: ["role"], message: "You cannot change your own role", input: body.role.map(JSONValue.string)))
            }
            if id == admin.id, body.isActive == false {
                issues.append(
                    ValidationIssue(type: "value_error", path: ["is_active"], message: "You cannot deactivate your own account", input: false))
            }
            if !issues.isEmpty { throw CoreError.invalidInput(issues) }
            guard let user = try await store.update(id: id, body.update, actor: .init(admin: admin, request: request, context: context)) else {
                throw CoreError.notFound
            }
            return Envelope(UserView(user), message: "User updated")
        }
        routes.post(
            "/admin/users/:id/credits", "Add or remove credits (ledger reason admin_adjust)", body: CreditAdjustment.self,
            errors: [402]
        ) { body, request, context -> Envelope<AdjustmentView> in
            let admin = try context.requireAdmin()
            let id = try request.uuidParameter("id", context: context)
            let delta = body.delta.value
            guard
                let result = try await store.adjustCredits(
                    userID: id, delta: delta, reason: body.reason, actor: .init(admin: admin, request: request, context: context))
            else { throw CoreError.notFound }
            return Envelope(AdjustmentView(result), message: delta > 0 ? "Credits added" : "Credits removed")
        }
    }
}
