import Core
import Foundation
import Hummingbird

/// GET/POST /drafts, GET/PUT/DELETE /drafts/{id}: the writer's autosave. PUT must carry
/// the `version` it read; a stale one answers 409 CONFLICT.
struct DraftRoutes: TypedRouteCollection {
    let store: DraftStore
    let requiresAuth = true

    static let maxTitle = 300
    static let maxObjectBytes = 64 * 1024
    /// The sections hold the article being written: generous, but bounded.
    static let maxSectionsBytes = 1_000_000
    static let maxSections = 200
    static let maxCTA = 100_000

    let tag = "drafts"

    /// POST and PUT bodies; absent fields are kept. PUT also carries the `version` read.
    struct DraftRequest: RequestContent {
        var title: String?
        var config: JSONValue?
        var metadata: JSONValue?
        var sections: [JSONValue]?
        var ctaContent: String?

        static let rules: [String: FieldRule] = [
            "title": .text(max: maxTitle, allowEmpty: true), "config": .object(maxBytes: maxObjectBytes),
            "metadata": .object(maxBytes: maxObjectBytes), "sections": .list(maxItems: maxSections, itemMaxBytes: maxSectionsBytes),
            "ctaContent": .text(max: maxCTA, allowEmpty: true),
        ]

        func validate(_ issues: inout [ValidationIssue]) {
            guard let sections else { return }
            let encoded = JSONValue.array(sections).encodedString
            if encoded.utf8.count > maxSectionsBytes {
                issues.append(ValidationIssue(type: "too_long", path: ["sections"], message: "sections must be at most \(maxSectionsBytes) bytes"))
            } else if encoded.contains("\\u0000") {
                issues.append(ValidationIssue(type: "value_error", path: ["sections"], message: "sections must not contain NUL characters"))
            }
        }

        var changes: DraftStore.Changes {
            DraftStore.Changes(title: title, config: config, metadata: metadata, sections: sections.map(JSONValue.array), ctaContent: ctaContent)
        }
    }

    struct SaveRequest: RequestContent {
        var title: String?
        var config: JSONValue?
        var metadata: JSONValue?
        var sections: [JSONValue]?
        var ctaContent: String?
        var version: Int

        static let rules = DraftRequest.rules.merging(["version": .integer(1...Int(Int32.max))]) { $1 }

        var draft: DraftRequest { DraftRequest(title: title, config: config, metadata: metadata, sections: sections, ctaContent: ctaContent) }

        func validate(_ issues: inout [ValidationIssue]) { draft.validate(&issues) }
    }

    struct Deleted: ResponseContent {
        var id: UUID
        var deleted = true
    }

    func routes(_ routes: inout APIRoutes) {
        routes.get("/drafts", "Your drafts, most recently saved first", query: PageRequest.parameters) {
            request, context -> Envelope<Page<DraftStore.Draft>> in
            let user = try context.requireUser()
            let page = try PageRequest(request: request)
            let (items, total) = try await store.list(userID: user.id, limit: page.limit, offset: page.offset)
            return Envelope(page.page(items, total: total))
        }
        routes.post("/drafts", "Create a draft (version 1)", body: DraftRequest.self, status: .created, errors: [409]) {
            body, _, context -> Envelope<DraftStore.Draft> in
            let user = try context.requireUser()
            return Envelope(try await store.create(userID: user.id, body.changes), message: "Draft saved")
        }
        routes.get("/drafts/:id", "One of your drafts") { request, context -> Envelope<DraftStore.Draft> in
            let user = try context.requireUser()
            return Envelope(try await store.find(userID: user.id, id: try request.uuidParameter("id", context: context)))
        }
        routes.put(
            "/drafts/:id", "Save a draft: `version` must be the current one (409 when stale); answers the next version", body: SaveRequest.self,
            errors: [409]
        ) { body, request, context -> Envelope<DraftStore.Draft> in
            let user = try context.requireUser()
            let id = try request.uuidParameter("id", context: context)
            return Envelope(try await store.save(userID: user.id, id: id, version: body.version, body.draft.changes), message: "Draft saved")
        }
        routes.delete("/drafts/:id", "Delete a draft") { request, context -> Envelope<Deleted> in
            let user = try context.requireUser()
            let id = try request.uuidParameter("id", context: context)
            try await store.delete(userID: user.id, id: id)
            return Envelope(Deleted(id: id), message: "Draft deleted")
        }
    }
}
