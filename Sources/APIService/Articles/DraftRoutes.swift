import Core
import Foundation
import Hummingbird

/// GET/POST /drafts, GET/PUT/DELETE /drafts/{id}: the writer's autosave. PUT must carry
/// the `version` it read; a stale one answers 409 CONFLICT.
struct DraftRoutes: APIRouteCollection {
    let store: DraftStore
    let requiresAuth = true

    static let maxTitle = 300
    static let maxObjectBytes = 64 * 1024
    /// The sections hold the article being written: generous, but bounded.
    static let maxSectionsBytes = 1_000_000
    static let maxSections = 200
    static let maxCTA = 100_000

    var operations: [OpenAPIOperation] {
        let body = OpenAPIDocument.object([
            "title": OpenAPIDocument.string, "config": ["type": "object"], "metadata": ["type": "object"], "sections": ["type": "array"],
            "ctaContent": OpenAPIDocument.string, "version": OpenAPIDocument.integer,
        ])
        return [
            OpenAPIOperation("GET", "/drafts", summary: "Your drafts, most recently saved first (?page=&limit=)", tag: "drafts", requiresAuth: true),
            OpenAPIOperation("POST", "/drafts", summary: "Create a draft (version 1)", tag: "drafts", requiresAuth: true, requestBody: body),
            OpenAPIOperation("GET", "/drafts/:id", summary: "One of your drafts", tag: "drafts", requiresAuth: true),
            OpenAPIOperation("PUT", "/drafts/:id", summary: "Save a draft: `version` must be the current one (409 when stale); answers the next version",
                tag: "drafts", requiresAuth: true, requestBody: body),
            OpenAPIOperation("DELETE", "/drafts/:id", summary: "Delete a draft", tag: "drafts", requiresAuth: true),
        ]
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("/drafts") { request, context in
            let user = try context.requireUser()
            let page = try PageRequest(request: request)
            let (items, total) = try await store.list(userID: user.id, limit: page.limit, offset: page.offset)
            return Envelope.ok(page.page(items, total: total))
        }
        group.post("/drafts") { request, context in
            let user = try context.requireUser()
            var body = try await BodyFields.read(request, context: context)
            let changes = Self.changes(&body)
            try body.check()
            return Envelope.ok(try await store.create(userID: user.id, changes), message: "Draft saved", status: .created)
        }
        group.get("/drafts/:id") { request, context in
            let user = try context.requireUser()
            return Envelope.ok(try await store.find(userID: user.id, id: try request.uuidParameter("id", context: context)))
        }
        group.put("/drafts/:id") { request, context in
            let user = try context.requireUser()
            let id = try request.uuidParameter("id", context: context)
            var body = try await BodyFields.read(request, context: context)
            let changes = Self.changes(&body)
            let version = body.int("version", required: true, range: 1...Int(Int32.max))
            try body.check()
            guard let version else { throw CoreError.invalidInput([.missing("version")]) }
            return Envelope.ok(try await store.save(userID: user.id, id: id, version: version, changes), message: "Draft saved")
        }
        group.delete("/drafts/:id") { request, context in
            let user = try context.requireUser()
            let id = try request.uuidParameter("id", context: context)
            try await store.delete(userID: user.id, id: id)
            return Envelope.ok(["id": id.json, "deleted": true], message: "Draft deleted")
        }
    }

    static func changes(_ body: inout BodyFields) -> DraftStore.Changes {
        var changes = DraftStore.Changes()
        changes.title = body.string("title", maxLength: maxTitle, allowEmpty: true)
        changes.config = body.jsonObject("config", maxBytes: maxObjectBytes)
        changes.metadata = body.jsonObject("metadata", maxBytes: maxObjectBytes)
        changes.ctaContent = body.string("ctaContent", maxLength: maxCTA, allowEmpty: true)
        if let value = body.value("sections") {
            let encoded = value.encodedString
            if case .array(let items) = value {
                if items.count > maxSections {
                    body.fail("sections", "too_long", "sections must hold at most \(maxSections) items")
                } else if encoded.utf8.count > maxSectionsBytes {
                    body.fail("sections", "too_long", "sections must be at most \(maxSectionsBytes) bytes")
                } else if encoded.contains("\\u0000") {
                    body.fail("sections", "value_error", "sections must not contain NUL characters")
                } else {
                    changes.sections = value
                }
            } else {
                body.fail("sections", "list_type", "sections must be an array")
            }
        }
        return changes
    }
}
