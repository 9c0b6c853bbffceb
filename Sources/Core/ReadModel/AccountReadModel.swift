import Foundation

/// What the account screens read on every visit (`/me`, `/subscription/*`, `/credits`),
/// kept in this process: a user's subscription, balance and usage counters, and the plan
/// catalogue. Entries are dropped when the change feed announces a change to their rows
/// (from any replica, either service or psql) and, synchronously, by this process's own
/// writers (`invalidate`), so a caller reading right after its own spend sees it.
/// Display only: spending decisions read locked rows.
public struct AccountReadModel: Sendable {
    public let subscriptions: ReadModelCache<UUID, SubscriptionRecord>
    public let balances: ReadModelCache<UUID, CreditBalance>
    /// Settled use per quota in the current period.
    public let usage: ReadModelCache<UUID, [String: Int]>
    /// Keyed by nothing: the one catalogue.
    public let plans: ReadModelCache<Int, [Plan]>

    /// Without a feed nothing is kept (every read goes to the database).
    public init(feed: ChangeFeed?, ttl: Duration = .seconds(300)) {
        let isLive: @Sendable () -> Bool = { feed?.isLive ?? false }
        subscriptions = ReadModelCache(ttl: ttl, isLive: isLive)
        balances = ReadModelCache(ttl: ttl, isLive: isLive)
        usage = ReadModelCache(ttl: ttl, isLive: isLive)
        plans = ReadModelCache(ttl: ttl, maxEntries: 1, isLive: isLive)
        feed?.observe { [self] change in apply(change) }
    }

    func apply(_ change: ChangeFeed.Change) {
        switch change {
        case .row("subscriptions", let id):
            // The usage shown is the current period's, which the subscription decides.
            subscriptions.invalidate(id)
            usage.invalidate(id)
        case .row("credit_balances", let id): balances.invalidate(id)
        case .row("usage_counters", let id): usage.invalidate(id)
        case .table("plans"): plans.invalidateAll()
        case .everything:
            subscriptions.invalidateAll()
            balances.invalidateAll()
            usage.invalidateAll()
            plans.invalidateAll()
        default: break
        }
    }

    /// Drops everything held for the user: for a writer in this process, right after its
    /// commit (the notification comes too, but a little later).
    public func invalidate(userID: UUID) {
        subscriptions.invalidate(userID)
        balances.invalidate(userID)
        usage.invalidate(userID)
    }
}
