import Core
import Foundation
import Hummingbird

/// GET /credits and /credits/history.
struct CreditRoutes: TypedRouteCollection {
    let service: AccountService
    let requiresAuth = true
    let tag = "credits"

    func routes(_ routes: inout APIRoutes) {
        routes.get("/credits", "Balance, monthly grant and lifetime totals") { _, context -> Envelope<CreditsView> in
            let user = try context.requireUser()
            // The subscription first: it pays a due monthly grant.
            let subscription = try await service.subscription(userID: user.id)
            let plan = try await service.plan(subscription.plan)
            let balance = try await service.balance(userID: user.id)
            return Envelope(
                CreditsView(
                    balance: balance.balance, monthlyGrant: plan.monthlyCredits, nextGrantAt: subscription.currentPeriodEnd,
                    lifetimeEarned: balance.lifetimeEarned, lifetimeSpent: balance.lifetimeSpent))
        }
        routes.get(
            "/credits/history", "Ledger rows, newest first",
            query: PageRequest.parameters + [PageRequest.cursorParameter(pattern: PageRequest.ledgerCursorPattern)]
        ) {
            request, context -> Envelope<Page<CreditEntryView>> in
            let user = try context.requireUser()
            let page = try PageRequest(request: request)
            // The cursor is the id the previous page ended at.
            let before = try page.cursor { Int($0).flatMap { $0 > 0 ? $0 : nil } }
            let (entries, total) = try await CreditLedger(logger: service.logger).history(
                userID: user.id, limit: page.limit, offset: page.offset, before: before, on: service.dependencies.database.client)
            return Envelope(page.page(entries.map(CreditEntryView.init), total: total, nextCursor: entries.last.map { String($0.id) }))
        }
    }
}

/// GET /credits's answer.
struct CreditsView: ResponseContent {
    var balance: Int
    var monthlyGrant: Int
    /// The end of the current period, when the next monthly grant is due.
    var nextGrantAt: Date
    var lifetimeEarned: Int
    var lifetimeSpent: Int
}

/// A row of the credit ledger.
struct CreditEntryView: ResponseContent {
    var id: Int
    /// Credits added (positive) or spent (negative).
    var delta: Int
    var reason: String
    var reference: String
    var balanceAfter: Int
    var createdAt: Date

    init(_ entry: CreditLedgerEntry) {
        id = entry.id
        delta = entry.delta
        reason = entry.reason
        reference = entry.reference
        balanceAfter = entry.balanceAfter
        createdAt = entry.createdAt
    }
}
