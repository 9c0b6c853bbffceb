import Core
import Foundation
import Hummingbird

/// GET/POST /api-keys, DELETE /api-keys/{id}: keys for the WordPress plugin (PRO and up).
struct PlatformKeyRoutes: TypedRouteCollection {
    let store: PlatformKeyStore
    let access: PlatformKeyAccess
    let requiresAuth = true
    let tag = "keys"

    struct CreateRequest: RequestContent {
        var name: String

        static let rules: [String: FieldRule] = ["name": .text(max: 100)]
    }

    /// A new key, with the secret itself: the only answer that carries it.
    struct Created: ResponseContent {
        var id: UUID
        var name: String
        /// `nxf_…`; only its hash is stored.
        var key: String
        var createdAt: Date
    }

    func routes(_ routes: inout APIRoutes) {
        routes.get("/api-keys", "Your active platform API keys") { _, context -> Envelope<[PlatformKeyView]> in
            let user = try context.requireUser()
            return Envelope(try await store.list(userID: user.id).map(PlatformKeyView.init))
        }
        routes.post(
            "/api-keys", "Create a key (PRO and up); the key (nxf_…) is shown in this answer only", body: CreateRequest.self, status: .created,
            errors: [403, 409]
        ) { body, _, context -> Envelope<Created> in
            let user = try context.requireUser()
            try await access.requirePlan(userID: user.id)
            let (key, secret) = try await store.create(userID: user.id, name: body.name)
            return Envelope(
                Created(id: key.id, name: key.name, key: secret, createdAt: key.createdAt), message: "Copy this key now: it is not shown again")
        }
        routes.delete("/api-keys/:id", "Revoke a key") { request, context -> Envelope<Revoked> in
            let user = try context.requireUser()
            guard try await store.revoke(userID: user.id, id: try request.uuidParameter("id", context: context)) else { throw CoreError.notFound }
            return Envelope(Revoked(), message: "API key revoked")
        }
    }

    /// `data: null`: a revocation has nothing to show.
    struct Revoked: ResponseContent, WireSchemaProviding {
        init() {}
        init(from decoder: any Decoder) throws {}

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        }

        static func wireSchema(components: inout WireSchema.Components) -> JSONValue { ["type": "null"] }
        static var wirePlaceholder: Revoked { Revoked() }
    }
}

/// A platform key as GET /api-keys lists it (never the key itself).
struct PlatformKeyView: ResponseContent {
    var id: UUID
    var name: String
    /// The key's last four characters, to tell keys apart.
    var last4: String
    var createdAt: Date
    var lastUsedAt: Date?

    init(_ key: PlatformKeyStore.Key) {
        id = key.id
        name = key.name
        last4 = key.last4
        createdAt = key.createdAt
        lastUsedAt = key.lastUsedAt
    }
}

/// Platform keys belong to PRO and up: creating one, and using one, needs that plan (a
/// downgraded account's keys stop working until it upgrades again).
struct PlatformKeyAccess: Sendable {
    let accounts: AccountService
    static let feature = "api_keys"

    func requirePlan(userID: UUID) async throws {
        let subscription = try await accounts.subscription(userID: userID)
        let tier = subscription.isActive() ? subscription.plan : .free
        if tier < .pro { throw CreditError.featureNotAvailable(feature: Self.feature, plan: tier, requiredPlan: .pro) }
    }
}
