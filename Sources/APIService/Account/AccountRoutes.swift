import Core
import Foundation
import Hummingbird

/// GET /me.
struct AccountRoutes: APIRouteCollection {
    let service: AccountService
    let requiresAuth = true

    var operations: [OpenAPIOperation] {
        [OpenAPIOperation("GET", "/me", summary: "The caller: user, plan, credit balance, referral code", tag: "account", requiresAuth: true)]
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("/me") { _, context in
            let user = try context.requireUser()
            let subscription = try await service.subscription(userID: user.id)
            let balance = try await service.balance(userID: user.id)
            let code = try await service.referralCode(for: user)
            return Envelope.ok([
                "user": [
                    "id": .string(user.id.uuidString.lowercased()), "email": .string(user.email),
                    "name": user.name.map(JSONValue.string) ?? .null, "role": .string(user.role.rawValue),
                    "is_verified": .bool(user.isVerified),
                ],
                "plan": .string(subscription.plan.rawValue),
                "credits": ["balance": .int(balance.balance)],
                "referralCode": code.map(JSONValue.string) ?? .null,
            ])
        }
    }
}
