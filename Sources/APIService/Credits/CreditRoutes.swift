import Core
import Foundation
import Hummingbird

/// GET /credits and /credits/history.
struct CreditRoutes: APIRouteCollection {
    let service: AccountService
    let requiresAuth = true

    var operations: [OpenAPIOperation] {
        [
            OpenAPIOperation("GET", "/credits", summary: "Balance, monthly grant and lifetime totals", tag: "credits", requiresAuth: true),
            OpenAPIOperation(
                "GET", "/credits/history", summary: "Ledger rows, newest first", tag: "credits", requiresAuth: true,
                responses: [200: "Successful Response", 400: "Bad page or limit"], parameters: paginationParameters),
        ]
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("/credits") { _, context in
            let user = try context.requireUser()
            // The subscription first: it pays a due monthly grant.
            let subscription = try await service.subscription(userID: user.id)
            let plan = try await service.plan(subscription.plan)
            let balance = try await service.balance(userID: user.id)
            return Envelope.ok([
                "balance": .int(balance.balance), "monthlyGrant": .int(plan.monthlyCredits),
                "nextGrantAt": Envelope.date(subscription.currentPeriodEnd),
                "lifetimeEarned": .int(balance.lifetimeEarned), "lifetimeSpent": .int(balance.lifetimeSpent),
            ])
        }
        group.get("/credits/history") { request, context in
            let user = try context.requireUser()
            let page = try PageRequest(request: request)
            let (entries, total) = try await CreditLedger(logger: service.logger).history(
                userID: user.id, limit: page.limit, offset: page.offset, on: service.dependencies.database.client)
            let items: [JSONValue] = entries.map { entry in
                [
                    "id": .int(entry.id), "delta": .int(entry.delta), "reason": .string(entry.reason),
                    "reference": .string(entry.reference), "balanceAfter": .int(entry.balanceAfter),
                    "createdAt": Envelope.date(entry.createdAt),
                ]
            }
            return Envelope.ok(page.page(items, total: total))
        }
    }
}

let paginationParameters: [JSONValue] = [
    ["name": "page", "in": "query", "required": false, "schema": ["type": "integer", "minimum": 1]],
    ["name": "limit", "in": "query", "required": false, "schema": ["type": "integer", "minimum": 1, "maximum": 100]],
]
