import Core
import Foundation
import Hummingbird

/// GET /admin/users, PATCH /admin/users/{id}, POST /admin/users/{id}/credits (admins only).
struct AdminUserRoutes: APIRouteCollection {
    let store: AdminUserStore
    let requiresAuth = true

    static let maximumCreditDelta = 1_000_000

    var operations: [OpenAPIOperation] {
        let adminResponses: [Int: String] = [200: "Successful Response", 400: "Invalid input", 401: "Not signed in", 403: "Not an admin"]
        return [
            OpenAPIOperation(
                "GET", "/admin/users", summary: "Users, newest first; search by e-mail or name", tag: "admin", requiresAuth: true,
                responses: adminResponses,
                parameters: [["name": "search", "in": "query", "required": false, "schema": ["type": "string"]]] + paginationParameters),
            OpenAPIOperation(
                "PATCH", "/admin/users/:id", summary: "Change a user's role, active flag or plan (manual, unbilled)", tag: "admin",
                requiresAuth: true,
                requestBody: [
                    "type": "object",
                    "properties": [
                        "role": ["type": "string", "enum": ["user", "admin"]], "is_active": ["type": "boolean"],
                        "plan": ["type": "string", "enum": ["FREE", "PRO", "ENTERPRISE"]],
                    ],
                ],
                responses: adminResponses.merging([404: "No such user"]) { $1 }),
            OpenAPIOperation(
                "POST", "/admin/users/:id/credits", summary: "Add or remove credits (ledger reason admin_adjust)", tag: "admin",
                requiresAuth: true,
                requestBody: [
                    "type": "object", "required": ["delta", "reason"],
                    "properties": [
                        "delta": ["type": "integer", "minimum": -1_000_000, "maximum": 1_000_000, "not": ["const": 0]],
                        "reason": ["type": "string", "maxLength": 500],
                    ],
                ],
                responses: adminResponses.merging([402: "A debit beyond the spendable balance", 404: "No such user"]) { $1 }),
        ]
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("/admin/users") { request, context in
            _ = try context.requireAdmin()
            var issues: [ValidationIssue] = []
            let search = QueryFields.string(request, "search", maxLength: 200, issues: &issues)
            if !issues.isEmpty { throw CoreError.invalidInput(issues) }
            let page = try PageRequest(request: request)
            let (items, total) = try await store.list(search: search, limit: page.limit, offset: page.offset)
            // Under the frontend's `/api/` prefix the whole body is the list
            // (AdminDashboard.js L70, L87); `/api/v1/` keeps the envelope (API.md).
            if !request.uri.path.hasPrefix("/api/v1/") { return Envelope.bare(items) }
            return Envelope.ok(page.page(items, total: total))
        }
        group.patch("/admin/users/:id") { request, context in
            let admin = try context.requireAdmin()
            let id = try request.uuidParameter("id", context: context)
            var fields = try await BodyFields.read(request, context: context)
            let role = fields.oneOf("role", UserRecord.Role.allCases.map(\.rawValue))
            let active = fields.bool("is_active")
            let plan = fields.oneOf("plan", PlanTier.allCases.map(\.rawValue), uppercased: true)
            if fields.issues.isEmpty, role == nil, active == nil, plan == nil {
                fields.fail("body", "missing", "Give at least one of role, is_active, plan")
            }
            // Nobody changes their own role: another admin must do it.
            if id == admin.id, role != nil {
                fields.fail("role", "value_error", "You cannot change your own role")
            }
            if id == admin.id, active == false {
                fields.fail("is_active", "value_error", "You cannot deactivate your own account")
            }
            try fields.check()
            let update = AdminUserStore.Update(
                role: role.flatMap(UserRecord.Role.init(rawValue:)), isActive: active, plan: plan.flatMap(PlanTier.init(rawValue:)))
            guard let user = try await store.update(id: id, update, actor: .init(admin: admin, request: request, context: context)) else {
                throw CoreError.notFound
            }
            return Envelope.ok(user, message: "User updated")
        }
        group.post("/admin/users/:id/credits") { request, context in
            let admin = try context.requireAdmin()
            let id = try request.uuidParameter("id", context: context)
            var fields = try await BodyFields.read(request, context: context)
            let delta = fields.int("delta", required: true, range: -Self.maximumCreditDelta...Self.maximumCreditDelta)
            if delta == 0 { fields.fail("delta", "value_error", "delta must not be 0") }
            let reason = fields.string("reason", required: true, maxLength: 500)
            try fields.check()
            guard let delta, let reason else { throw CoreError.invalidInput(fields.issues) }
            guard let result = try await store.adjustCredits(
                userID: id, delta: delta, reason: reason, actor: .init(admin: admin, request: request, context: context))
            else { throw CoreError.notFound }
            return Envelope.ok(result, message: delta > 0 ? "Credits added" : "Credits removed")
        }
    }
}
