import Core
import Foundation
import Hummingbird
import PostgresNIO

/// GET /referrals: the caller's code and link, and the people they brought (two levels).
struct ReferralRoutes: TypedRouteCollection {
    let service: AccountService
    let requiresAuth = true
    let tag = "referrals"

    func routes(_ routes: inout APIRoutes) {
        routes.get("/referrals", "Referral code, link, stats and referred users") { _, context -> Envelope<ReferralsView> in
            let user = try context.requireUser()
            let code = try await service.referralCode(for: user)
            let client = service.dependencies.database.client
            let logger = service.logger
            var referrals: [ReferralsView.Referral] = []
            var stats = ReferralsView.Stats(direct: 0, indirect: 0, creditsEarned: 0)
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
                if level == 1 { stats.direct += 1 } else { stats.indirect += 1 }
                referrals.append(ReferralsView.Referral(email: Self.mask(email), joinedAt: joined, verified: verified, level: level))
            }
            for try await sum in try await client.query(
                "SELECT coalesce(sum(credits), 0)::bigint FROM referral_rewards WHERE user_id = \(user.id) AND level > 0", logger: logger
            ).decode(Int.self) { stats.creditsEarned = sum }
            let frontend = service.dependencies.config.core.frontendURL
            return Envelope(
                ReferralsView(
                    code: code, link: code.map { "\(frontend)/register?ref=\($0)" }, stats: stats, referrals: referrals))
        }
    }

    /// `john@example.com` → `j***@example.com`.
    static func mask(_ email: String) -> String {
        guard let at = email.lastIndex(of: "@"), at > email.startIndex else { return "***" }
        return String(email[email.startIndex]) + "***" + email[at...]
    }
}

/// GET /referrals's answer.
struct ReferralsView: ResponseContent {
    struct Stats: ResponseContent {
        /// People the caller referred.
        var direct: Int
        /// People those referred.
        var indirect: Int
        var creditsEarned: Int
    }

    struct Referral: ResponseContent {
        /// Masked: `j***@example.com`.
        var email: String
        var joinedAt: Date
        var verified: Bool
        /// 1 for a direct referral, 2 for one of theirs.
        var level: Int
    }

    var code: String?
    /// The registration link carrying the code.
    var link: String?
    var stats: Stats
    var referrals: [Referral]
}
