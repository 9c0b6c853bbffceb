import Core
import Foundation
import Hummingbird

/// GET /plans (public).
struct PublicPlanRoutes: APIRouteCollection {
    let service: AccountService
    let requiresAuth = false

    var operations: [OpenAPIOperation] {
        [OpenAPIOperation("GET", "/plans", summary: "Plans with prices, quotas and monthly credits", tag: "plans")]
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("/plans") { _, _ in
            Envelope.ok(.array(try await service.plans().map(PlanJSON.plan)))
        }
    }
}

/// GET /subscription/status, /subscription/usage, /subscription/limits.
struct SubscriptionRoutes: APIRouteCollection {
    let service: AccountService
    let requiresAuth = true

    var operations: [OpenAPIOperation] {
        [
            OpenAPIOperation("GET", "/subscription/status", summary: "The caller's subscription", tag: "plans", requiresAuth: true),
            OpenAPIOperation("GET", "/subscription/usage", summary: "Use of each quota this period", tag: "plans", requiresAuth: true),
            OpenAPIOperation("GET", "/subscription/limits", summary: "The caller's plan quotas", tag: "plans", requiresAuth: true),
        ]
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("/subscription/status") { _, context in
            let user = try context.requireUser()
            let subscription = try await service.subscription(userID: user.id)
            let plan = try await service.plan(subscription.plan)
            return Envelope.ok([
                // The frontend compares `plan` with 'FREE' | 'PRO' | 'ENTERPRISE'
                // (features/account/Subscription.js, components/common/PlanBadge.js).
                "plan": .string(plan.tier.rawValue), "planName": .string(plan.name), "tier": .string(plan.tier.rawValue),
                "status": .string(subscription.status.rawValue),
                "currentPeriodStart": Envelope.date(subscription.currentPeriodStart),
                "currentPeriodEnd": Envelope.date(subscription.currentPeriodEnd),
                "cancelAtPeriodEnd": .bool(subscription.cancelAtPeriodEnd),
                "paymentProvider": subscription.paymentProvider.map(JSONValue.string) ?? .null,
                "limits": PlanJSON.quotas(plan), "isActive": .bool(subscription.isActive()),
            ])
        }
        group.get("/subscription/usage") { _, context in
            let user = try context.requireUser()
            let subscription = try await service.subscription(userID: user.id)
            let plan = try await service.plan(subscription.plan)
            let used = try await service.usage(userID: user.id)
            var data: [String: JSONValue] = ["plan": .string(plan.tier.rawValue)]
            for quota in Quota.all {
                data[quota] = PlanJSON.usage(used: used[quota] ?? 0, limit: plan.limit(for: quota))
            }
            // Tokens are recorded by the AI routes; no plan limits them.
            data["tokens"] = PlanJSON.usage(used: used["tokens"] ?? 0, limit: Quota.unlimited)
            // hooks/useQuota.js and the quota page read `totalTokens.used/limit/remaining`.
            data["totalTokens"] = data["tokens"]
            return Envelope.ok(.object(data))
        }
        group.get("/subscription/limits") { _, context in
            let user = try context.requireUser()
            let subscription = try await service.subscription(userID: user.id)
            return Envelope.ok(PlanJSON.quotas(try await service.plan(subscription.plan)))
        }
    }
}

enum PlanJSON {
    static func plan(_ plan: Plan) -> JSONValue {
        let amount: JSONValue = plan.priceCents % 100 == 0 ? .int(plan.priceCents / 100) : .double(Double(plan.priceCents) / 100)
        return [
            "tier": .string(plan.tier.rawValue), "name": .string(plan.name),
            "price": ["amount": amount, "currency": .string(plan.currency), "interval": .string(plan.interval)],
            "quotas": quotas(plan), "monthlyCredits": .int(plan.monthlyCredits),
            "features": .array(plan.features.map(JSONValue.string)),
        ]
    }

    static func quotas(_ plan: Plan) -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: Quota.all.map { ($0, JSONValue.int(plan.limit(for: $0))) }))
    }

    /// `{used, limit, remaining}`; remaining is -1 when unlimited.
    static func usage(used: Int, limit: Int) -> JSONValue {
        ["used": .int(used), "limit": .int(limit), "remaining": .int(limit == Quota.unlimited ? -1 : max(0, limit - used))]
    }
}
