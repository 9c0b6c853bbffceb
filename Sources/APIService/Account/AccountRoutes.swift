import Core
import Foundation
import Hummingbird

/// GET /me.
struct AccountRoutes: TypedRouteCollection {
    let service: AccountService
    let requiresAuth = true
    let tag = "account"
    /// Each caller's answer, reused while it is unchanged (issue #15).
    let answers = RenderedJSONCache<UUID, MeView>(maxEntries: 10_000)

    func routes(_ routes: inout APIRoutes) {
        routes.get("/me", "The caller: user, plan, credit balance, referral code") { _, context -> Envelope<MeView> in
            let user = try context.requireUser()
            let subscription = try await service.subscription(userID: user.id)
            let balance = try await service.balance(userID: user.id)
            let code = try await service.referralCode(for: user)
            let view = MeView(user: .init(user), plan: subscription.plan.rawValue, credits: .init(balance: balance.balance), referralCode: code)
            return Envelope(view, reusing: answers, for: user.id)
        }
    }
}

/// GET /me's answer.
struct MeView: ResponseContent, Equatable {
    /// The user as the auth service's `/users/me` names its fields (`is_verified`).
    struct User: ResponseContent, Equatable {
        var id: UUID
        var email: String
        var name: String?
        var role: String
        var isVerified: Bool

        enum CodingKeys: String, CodingKey {
            case id, email, name, role
            case isVerified = "is_verified"
        }

        init(_ user: UserRecord) {
            id = user.id
            email = user.email
            name = user.name
            role = user.role.rawValue
            isVerified = user.isVerified
        }
    }

    struct Credits: ResponseContent, Equatable {
        var balance: Int
    }

    var user: User
    /// The plan tier: FREE, PRO or ENTERPRISE.
    var plan: String
    var credits: Credits
    var referralCode: String?
}

extension MeView: WireWritable {
    func write(to object: inout JSONObjectWriter) {
        object.field("user", user)
        object.field("plan", plan)
        object.field("credits", credits)
        object.field("referralCode", referralCode)
    }
}

extension MeView.User: WireWritable {
    func write(to object: inout JSONObjectWriter) {
        object.field("id", id)
        object.field("email", email)
        object.field("name", name)
        object.field("role", role)
        object.field("is_verified", isVerified)
    }
}

extension MeView.Credits: WireWritable {
    func write(to object: inout JSONObjectWriter) {
        object.field("balance", balance)
    }
}
