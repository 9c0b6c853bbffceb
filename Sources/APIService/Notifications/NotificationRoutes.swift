import Core
import Foundation
import Hummingbird

/// GET /notifications?unread=&limit=, PATCH /notifications/{id}/read, POST /notifications/read-all.
struct NotificationRoutes: TypedRouteCollection {
    let store: NotificationStore
    let requiresAuth = true
    let tag = "notifications"

    struct List: ResponseContent {
        var notifications: [NotificationView]
        var unreadCount: Int
    }

    struct Updated: ResponseContent {
        var updated: Int
    }

    func routes(_ routes: inout APIRoutes) {
        routes.get(
            "/notifications", "The caller's notifications, newest first",
            query: [
                OpenAPIOperation.query("unread", ["type": "boolean"], description: "Unread ones only (also 1 or 0)"),
                OpenAPIOperation.query("limit", ["type": "integer", "minimum": 1, "maximum": .int(PageRequest.maximumLimit)]),
            ]
        ) { request, context -> Envelope<List> in
            let user = try context.requireUser()
            var issues: [ValidationIssue] = []
            let limit = PageRequest.integer(request, "limit", default: 20, range: 1...PageRequest.maximumLimit, issues: &issues)
            var unreadOnly = false
            if let raw = request.uri.queryParameters["unread"].map(String.init) {
                switch raw.lowercased() {
                case "true", "1": unreadOnly = true
                case "false", "0", "": unreadOnly = false
                default:
                    issues.append(
                        ValidationIssue(
                            type: "bool_parsing", location: .query, path: ["unread"], message: "unread must be true or false", input: .string(raw)))
                }
            }
            if !issues.isEmpty { throw CoreError.invalidInput(issues) }
            let items = try await store.list(userID: user.id, unreadOnly: unreadOnly, limit: limit)
            return Envelope(List(notifications: items.map(NotificationView.init), unreadCount: try await store.unreadCount(userID: user.id)))
        }
        // The frontend sends this PATCH without a body, which `routes.patch` (a body route)
        // would refuse: the route describes itself instead.
        var components = WireSchema.Components()
        let view = WireSchema.schema(for: NotificationView.self, components: &components)
        routes.custom(
            .patch, "/notifications/:id/read",
            OpenAPIOperation(
                "PATCH", "/notifications/:id/read", summary: "Mark one notification read", tag: tag,
                responses: [200: "Successful Response", 404: "No such notification of the caller's"],
                responseBody: EnvelopeSchema.schema(data: view), components: components)
        ) { request, context in
            let user = try context.requireUser()
            let id = try request.uuidParameter("id", context: context)
            guard let notification = try await store.markRead(id: id, userID: user.id) else { throw CoreError.notFound }
            return try Envelope(NotificationView(notification)).response(from: request, context: context)
        }
        routes.post("/notifications/read-all", "Mark all notifications read") { _, context -> Envelope<Updated> in
            let user = try context.requireUser()
            let updated = try await store.markAllRead(userID: user.id)
            return Envelope(Updated(updated: updated), message: "All notifications marked as read")
        }
    }
}

/// A notification as the routes answer it.
struct NotificationView: ResponseContent {
    var id: UUID
    var type: String
    var title: String
    var message: String
    /// Free-form details of the event.
    var data: JSONValue
    var read: Bool
    var readAt: Date?
    var createdAt: Date

    init(_ notification: NotificationStore.Notification) {
        id = notification.id
        type = notification.type
        title = notification.title
        message = notification.message
        data = notification.data
        read = notification.readAt != nil
        readAt = notification.readAt
        createdAt = notification.createdAt
    }
}
