import Core
import Foundation
import Hummingbird

/// GET /notifications?unread=&limit=, PATCH /notifications/{id}/read, POST /notifications/read-all.
struct NotificationRoutes: APIRouteCollection {
    let store: NotificationStore
    let requiresAuth = true

    var operations: [OpenAPIOperation] {
        [
            OpenAPIOperation(
                "GET", "/notifications", summary: "The caller's notifications, newest first", tag: "notifications", requiresAuth: true,
                responses: [200: "Successful Response", 400: "Bad unread or limit"],
                parameters: [
                    ["name": "unread", "in": "query", "required": false, "schema": ["type": "boolean"]],
                    ["name": "limit", "in": "query", "required": false, "schema": ["type": "integer", "minimum": 1, "maximum": 100]],
                ]),
            OpenAPIOperation(
                "PATCH", "/notifications/:id/read", summary: "Mark one notification read", tag: "notifications", requiresAuth: true,
                responses: [200: "Successful Response", 404: "No such notification of the caller's"]),
            OpenAPIOperation("POST", "/notifications/read-all", summary: "Mark all notifications read", tag: "notifications", requiresAuth: true),
        ]
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("/notifications") { request, context in
            let user = try context.requireUser()
            var issues: [ValidationIssue] = []
            let limit = PageRequest.integer(request, "limit", default: 20, range: 1...PageRequest.maximumLimit, issues: &issues)
            var unreadOnly = false
            if let raw = request.uri.queryParameters["unread"].map(String.init) {
                switch raw.lowercased() {
                case "true", "1": unreadOnly = true
                case "false", "0", "": unreadOnly = false
                default:
                    issues.append(ValidationIssue(
                        type: "bool_parsing", location: .query, path: ["unread"], message: "unread must be true or false", input: .string(raw)))
                }
            }
            if !issues.isEmpty { throw CoreError.invalidInput(issues) }
            let items = try await store.list(userID: user.id, unreadOnly: unreadOnly, limit: limit)
            return Envelope.ok(["notifications": .array(items), "unreadCount": .int(try await store.unreadCount(userID: user.id))])
        }
        group.patch("/notifications/:id/read") { request, context in
            let user = try context.requireUser()
            let id = try request.uuidParameter("id", context: context)
            guard let notification = try await store.markRead(id: id, userID: user.id) else { throw CoreError.notFound }
            return Envelope.ok(notification)
        }
        group.post("/notifications/read-all") { _, context in
            let user = try context.requireUser()
            let updated = try await store.markAllRead(userID: user.id)
            return Envelope.ok(["updated": .int(updated)], message: "All notifications marked as read")
        }
    }
}
