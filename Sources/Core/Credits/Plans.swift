import Foundation
import Logging
import PostgresNIO

/// The subscription tiers, in ascending order.
public enum PlanTier: String, Sendable, Codable, CaseIterable, Comparable {
    case free = "FREE"
    case pro = "PRO"
    case enterprise = "ENTERPRISE"

    public var rank: Int {
        switch self {
        case .free: 0
        case .pro: 1
        case .enterprise: 2
        }
    }

    public static func < (lhs: PlanTier, rhs: PlanTier) -> Bool { lhs.rank < rhs.rank }
}

/// The quotas a plan limits per usage period (API.md's plan table).
public enum Quota {
    public static let all = ["articles", "images", "videos", "research", "wordpress"]
    /// A limit of -1 means unlimited; 0 means the plan lacks the feature.
    public static let unlimited = -1
}

/// A row of `plans`.
public struct Plan: Sendable, Codable, Equatable {
    public var tier: PlanTier
    public var name: String
    public var priceCents: Int
    public var currency: String
    public var interval: String
    public var quotas: [String: Int]
    public var monthlyCredits: Int
    public var features: [String]

    /// The limit of `quota`; a quota the plan does not list is not offered (0).
    public func limit(for quota: String) -> Int { quotas[quota] ?? 0 }
}

/// A row of `feature_prices`: what one use of a credit-spending feature costs.
public struct FeaturePrice: Sendable, Equatable {
    public var feature: String
    public var credits: Int
    /// The plan quota this feature counts against, if any.
    public var quota: String?
    /// The lowest tier that may use the feature regardless of quotas (AI SEO audit).
    public var minimumTier: PlanTier?
}

/// Reads plans and prices. Both are small tables, read per use so that an admin's edit
/// applies at once.
public struct PlanCatalog: Sendable {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    static let planColumns = "tier, name, price_cents, currency, billing_interval, quotas::text, monthly_credits, features::text"

    public func plans(on runner: any SQLRunner) async throws -> [Plan] {
        var plans: [Plan] = []
        for try await row in try await runner.run("SELECT \(unescaped: Self.planColumns) FROM plans ORDER BY rank", logger: logger) {
            plans.append(try Self.decodePlan(row))
        }
        return plans
    }

    public func plan(_ tier: PlanTier, on runner: any SQLRunner) async throws -> Plan {
        for try await row in try await runner.run(
            "SELECT \(unescaped: Self.planColumns) FROM plans WHERE tier = \(tier.rawValue)", logger: logger)
        {
            return try Self.decodePlan(row)
        }
        throw CreditError.unknownPlan(tier.rawValue)
    }

    public func price(of feature: String, on runner: any SQLRunner) async throws -> FeaturePrice {
        for try await (name, credits, quota, minimum) in try await runner.run(
            "SELECT feature, credits, quota, minimum_tier FROM feature_prices WHERE feature = \(feature)", logger: logger
        ).decode((String, Int, String?, String?).self) {
            return FeaturePrice(feature: name, credits: credits, quota: quota, minimumTier: minimum.flatMap(PlanTier.init(rawValue:)))
        }
        throw CreditError.unknownFeature(feature)
    }

    /// The lowest tier that offers `quota` (for FEATURE_NOT_AVAILABLE's `requiredPlan`).
    public func lowestTier(offering quota: String, on runner: any SQLRunner) async throws -> PlanTier? {
        try await plans(on: runner).first { $0.limit(for: quota) != 0 }?.tier
    }

    static func decodePlan(_ row: PostgresRow) throws -> Plan {
        let (tier, name, price, currency, interval, quotas, credits, features) =
            try row.decode((String, String, Int, String, String, String, Int, String).self)
        return Plan(
            tier: PlanTier(rawValue: tier) ?? .free, name: name, priceCents: price, currency: currency, interval: interval,
            quotas: (try? JSONDecoder().decode([String: Int].self, from: Data(quotas.utf8))) ?? [:],
            monthlyCredits: credits,
            features: (try? JSONDecoder().decode([String].self, from: Data(features.utf8))) ?? [])
    }
}
