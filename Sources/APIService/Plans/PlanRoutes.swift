import Core
import Foundation
import Hummingbird

/// GET /plans (public).
struct PublicPlanRoutes: TypedRouteCollection {
    let service: AccountService
    let requiresAuth = false
    let tag = "plans"

    func routes(_ routes: inout APIRoutes) {
        routes.get("/plans", "Plans with prices, quotas and monthly credits") { _, _ -> Envelope<[PlanView]> in
            Envelope(try await service.plans().map(PlanView.init))
        }
    }
}

/// GET /subscription/status, /subscription/usage, /subscription/limits.
struct SubscriptionRoutes: TypedRouteCollection {
    let service: AccountService
    let requiresAuth = true
    let tag = "plans"
    /// Each caller's `/subscription/usage`, reused while it is unchanged (issue #15).
    let usageAnswers = RenderedJSONCache<UUID, SubscriptionUsageView>(maxEntries: 10_000)

    func routes(_ routes: inout APIRoutes) {
        routes.get("/subscription/status", "The caller's subscription") { _, context -> Envelope<SubscriptionStatusView> in
            let user = try context.requireUser()
            let subscription = try await service.subscription(userID: user.id)
            let plan = try await service.plan(subscription.plan)
            return Envelope(SubscriptionStatusView(subscription, plan: plan))
        }
        routes.get("/subscription/usage", "Use of each quota this period") { _, context -> Envelope<SubscriptionUsageView> in
            let user = try context.requireUser()
            let subscription = try await service.subscription(userID: user.id)
            let plan = try await service.plan(subscription.plan)
            let view = SubscriptionUsageView(plan: plan, used: try await service.usage(userID: user.id))
            return Envelope(view, reusing: usageAnswers, for: user.id)
        }
        routes.get("/subscription/limits", "The caller's plan quotas") { _, context -> Envelope<PlanQuotas> in
            let user = try context.requireUser()
            let subscription = try await service.subscription(userID: user.id)
            return Envelope(PlanQuotas(try await service.plan(subscription.plan)))
        }
    }
}

/// A plan as GET /plans lists it.
struct PlanView: ResponseContent {
    struct Price: ResponseContent {
        /// In the currency's main unit: 29 for 2900 cents, 9.5 for 950 (a whole amount is
        /// written without a fraction).
        var amount: Double
        var currency: String
        var interval: String
    }

    var tier: String
    var name: String
    var price: Price
    var quotas: PlanQuotas
    var monthlyCredits: Int
    var features: [String]

    init(_ plan: Plan) {
        tier = plan.tier.rawValue
        name = plan.name
        price = Price(amount: Double(plan.priceCents) / 100, currency: plan.currency, interval: plan.interval)
        quotas = PlanQuotas(plan)
        monthlyCredits = plan.monthlyCredits
        features = plan.features
    }
}

/// A plan's limit of each quota in `Quota.all` per usage period: -1 unlimited, 0 not
/// offered.
struct PlanQuotas: ResponseContent {
    var articles: Int
    var images: Int
    var videos: Int
    var research: Int
    var wordpress: Int

    init(_ plan: Plan) {
        articles = plan.limit(for: "articles")
        images = plan.limit(for: "images")
        videos = plan.limit(for: "videos")
        research = plan.limit(for: "research")
        wordpress = plan.limit(for: "wordpress")
    }
}

/// One quota's use this period.
struct QuotaUsageView: ResponseContent, Equatable {
    var used: Int
    var limit: Int
    /// -1 when unlimited.
    var remaining: Int

    init(used: Int, limit: Int) {
        self.used = used
        self.limit = limit
        remaining = limit == Quota.unlimited ? -1 : max(0, limit - used)
    }
}

/// GET /subscription/status's answer.
struct SubscriptionStatusView: ResponseContent {
    /// The tier; the frontend compares it with 'FREE' | 'PRO' | 'ENTERPRISE'
    /// (features/account/Subscription.js, components/common/PlanBadge.js).
    var plan: String
    var planName: String
    var tier: String
    var status: String
    var currentPeriodStart: Date
    var currentPeriodEnd: Date
    var cancelAtPeriodEnd: Bool
    var paymentProvider: String?
    var limits: PlanQuotas
    var isActive: Bool

    init(_ subscription: SubscriptionRecord, plan: Plan) {
        self.plan = plan.tier.rawValue
        planName = plan.name
        tier = plan.tier.rawValue
        status = subscription.status.rawValue
        currentPeriodStart = subscription.currentPeriodStart
        currentPeriodEnd = subscription.currentPeriodEnd
        cancelAtPeriodEnd = subscription.cancelAtPeriodEnd
        paymentProvider = subscription.paymentProvider
        limits = PlanQuotas(plan)
        isActive = subscription.isActive()
    }
}

/// GET /subscription/usage's answer: each quota of `Quota.all`, and the AI tokens.
struct SubscriptionUsageView: ResponseContent, Equatable {
    var plan: String
    var articles: QuotaUsageView
    var images: QuotaUsageView
    var videos: QuotaUsageView
    var research: QuotaUsageView
    var wordpress: QuotaUsageView
    /// Recorded by the AI routes; no plan limits them.
    var tokens: QuotaUsageView
    /// `tokens` again: hooks/useQuota.js and the quota page read `totalTokens`.
    var totalTokens: QuotaUsageView

    init(plan: Plan, used: [String: Int]) {
        func usage(_ quota: String) -> QuotaUsageView { QuotaUsageView(used: used[quota] ?? 0, limit: plan.limit(for: quota)) }
        self.plan = plan.tier.rawValue
        articles = usage("articles")
        images = usage("images")
        videos = usage("videos")
        research = usage("research")
        wordpress = usage("wordpress")
        tokens = QuotaUsageView(used: used["tokens"] ?? 0, limit: Quota.unlimited)
        totalTokens = tokens
    }
}

extension SubscriptionUsageView: WireWritable {
    func write(to object: inout JSONObjectWriter) {
        object.field("plan", plan)
        object.field("articles", articles)
        object.field("images", images)
        object.field("videos", videos)
        object.field("research", research)
        object.field("wordpress", wordpress)
        object.field("tokens", tokens)
        object.field("totalTokens", totalTokens)
    }
}

extension QuotaUsageView: WireWritable {
    func write(to object: inout JSONObjectWriter) {
        object.field("used", used)
        object.field("limit", limit)
        object.field("remaining", remaining)
    }
}
