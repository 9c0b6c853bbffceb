import Core
import Foundation
import Hummingbird
import PostgresNIO

/// GET /referrals: the caller's code and link, and the people they brought (two levels).
struct ReferralRoutes: APIRouteCollection {
    let service: AccountService
    let requiresAuth = true

    var operations: [OpenAPIOperation] {
        [OpenAPIOperation("GET", "/referrals", summary: "Referral code, link, stats and referred users", tag: "referrals", requiresAuth: true)]
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("/referrals") { _, context in
            let user = try context.requireUser()
            let code = try await service.referralCode(for: user)
            let client = service.dependencies.database.client
            let logger = service.logger
            var referrals: [JSONValue] = []
            var direct = 0
            var indirect = 0
            let rows = try await client.query(
                """
                SELECT email, created_at, is_verified, 1 FROM users WHERE referred_by = \(user.id)
                UNION ALL
                SELECT second.email, second.created_at, second.is_verified, 2
                FROM users first JOIN users second ON second.referred_by = first.id
                WHERE first.referred_by = \(user.id) AND second.id <> \(user.id)
                ORDER BY 2 DESC LIMIT 1000
                """, logger: logger)
            for try await (email, joined, verified, level) in rows.decode((String, Date, Bool, Int).self) {
                if level == 1 { direct += 1 } else { indirect += 1 }
                referrals.append([
                    "email": .string(Self.mask(email)), "joinedAt": Envelope.date(joined), "verified": .bool(verified),
                    "level": .int(level),
                ])
            }
            var earned = 0
            for try await sum in try await client.query(
                "SELECT coalesce(sum(credits), 0)::bigint FROM referral_rewards WHERE user_id = \(user.id) AND level > 0", logger: logger
            ).decode(Int.self) { earned = sum }
            let frontend = service.dependencies.config.core.frontendURL
            return Envelope.ok([
                "code": code.map(JSONValue.string) ?? .null,
                "link": code.map { .string("\(frontend)/register?ref=\($0)") } ?? .null,
                "stats": ["direct": .int(direct), "indirect": .int(indirect), "creditsEarned": .int(earned)],
                "referrals": .array(referrals),
            ])
        }
    }

    /// `john@example.com` → `j***@example.com`.
    static func mask(_ email: String) -> String {
        guard let at = email.lastIndex(of: "@"), at > email.startIndex else { return "***" }
        return String(email[email.startIndex]) + "***" + email[at...]
    }
}
