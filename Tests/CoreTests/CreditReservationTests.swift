import Core
import Foundation
import PostgresNIO
import TestSupport
import Testing

/// Reservations against the real database: quotas, balances, idempotency, concurrency.
@Suite struct CreditReservationTests {
    /// A registered FREE user (200 monthly grant + 50 signup bonus), optionally brought to
    /// `balance` with an admin adjustment so that the ledger still sums to the balance.
    static func makeAccount(_ database: Database, balance: Int? = nil) async throws -> UUID {
        let id = try await TestUsers.create(on: database)
        try await database.client.withTransaction(logger: database.logger) { runner in
            try await AccountLifecycle.userRegistered(userID: id, on: runner, logger: database.logger)
            if let balance {
                try await CreditLedger(logger: database.logger).apply(
                    userID: id, delta: balance - 250, reason: .adminAdjust, reference: "test", on: runner)
            }
        }
        return id
    }

    static func ledgerSum(_ id: UUID, _ database: Database) async throws -> Int {
        try await TestUsers.integer("SELECT sum(delta)::bigint FROM credit_ledger WHERE user_id = \(id)", on: database)
    }

    @Test func fiftyConcurrentSpendsAgainstTwentyAffordableOnesSucceedExactlyTwentyTimes() async throws {
        try await TestUsers.withDatabase(poolSize: 10) { database in
            let id = try await Self.makeAccount(database, balance: 40)  // metadata costs 2: 20 uses
            let reservations = CreditReservations(database: database)
            let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        do {
                            guard case .reserved(let hold) = try await reservations.reserve(userID: id, feature: "metadata") else { return false }
                            try await reservations.settle(hold)
                            return true
                        } catch CreditError.insufficientCredits {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.filter { $0 }.count == 20)
            let balance = try await CreditLedger(logger: database.logger).balance(userID: id, on: database.client)
            #expect(balance.balance == 0)
            #expect(balance.reserved == 0)
            #expect(try await Self.ledgerSum(id, database) == 0)
            #expect(try await TestUsers.integer("SELECT count(*) FROM credit_ledger WHERE user_id = \(id) AND reason = 'usage'", on: database) == 20)
        }
    }

    @Test func idempotencyKeyChargesOnceAndReplaysTheFirstAnswer() async throws {
        try await TestUsers.withDatabase { database in
            let id = try await Self.makeAccount(database)
            let reservations = CreditReservations(database: database)
            guard case .reserved(let hold) = try await reservations.reserve(userID: id, feature: "article", idempotencyKey: "k-1") else {
                Issue.record("expected a reservation")
                return
            }
            // The same key while the first request still works: 409.
            await #expect(throws: CreditError.requestInProgress) {
                try await reservations.reserve(userID: id, feature: "article", idempotencyKey: "k-1")
            }
            try await reservations.settle(hold, response: ["title": "first"])
            let retry = try await reservations.reserve(userID: id, feature: "article", idempotencyKey: "k-1")
            #expect(retry == .replay(["title": "first"]))
            #expect(try await CreditLedger(logger: database.logger).balance(userID: id, on: database.client).balance == 240)
            #expect(try await TestUsers.integer("SELECT used FROM usage_counters WHERE user_id = \(id)", on: database) == 1)
            // Another key is another charge.
            guard case .reserved(let second) = try await reservations.reserve(userID: id, feature: "article", idempotencyKey: "k-2") else {
                Issue.record("expected a reservation")
                return
            }
            try await reservations.settle(second)
            #expect(try await CreditLedger(logger: database.logger).balance(userID: id, on: database.client).balance == 230)
        }
    }

    @Test func releaseGivesCreditsAndQuotaBack() async throws {
        try await TestUsers.withDatabase { database in
            let id = try await Self.makeAccount(database)
            let reservations = CreditReservations(database: database)
            let ledger = CreditLedger(logger: database.logger)
            guard case .reserved(let hold) = try await reservations.reserve(userID: id, feature: "image", idempotencyKey: "img") else {
                Issue.record("expected a reservation")
                return
            }
            #expect(try await ledger.balance(userID: id, on: database.client).spendable == 242)
            try await reservations.release(hold)
            try await reservations.release(hold)  // twice is harmless
            let balance = try await ledger.balance(userID: id, on: database.client)
            #expect(balance.balance == 250 && balance.reserved == 0)
            #expect(try await TestUsers.integer("SELECT used + reserved FROM usage_counters WHERE user_id = \(id)", on: database) == 0)
            #expect(try await TestUsers.integer("SELECT count(*) FROM credit_ledger WHERE user_id = \(id) AND reason = 'usage'", on: database) == 0)
            // A released key may be tried again.
            guard case .reserved(let again) = try await reservations.reserve(userID: id, feature: "image", idempotencyKey: "img") else {
                Issue.record("expected a reservation")
                return
            }
            try await reservations.settle(again)
            #expect(try await ledger.balance(userID: id, on: database.client).balance == 242)
        }
    }

    @Test func quotaExceededAfterTheFreeArticlesWithOneNoticePerThreshold() async throws {
        try await TestUsers.withDatabase { database in
            let id = try await Self.makeAccount(database)
            let reservations = CreditReservations(database: database)
            for _ in 0..<10 {
                guard case .reserved(let hold) = try await reservations.reserve(userID: id, feature: "article") else { return }
                try await reservations.settle(hold)
            }
            await #expect(throws: CreditError.quotaExceeded(feature: "articles", currentUsage: 10, limit: 10, remaining: 0, plan: .free)) {
                try await reservations.reserve(userID: id, feature: "article")
            }
            let notices = try await TestUsers.integer(
                "SELECT count(*) FROM notifications WHERE user_id = \(id) AND data->>'feature' = 'articles'", on: database)
            #expect(notices == 3)
            #expect(
                try await TestUsers.integer(
                    "SELECT count(*) FROM notifications WHERE user_id = \(id) AND type = 'quota_reached'", on: database) == 1)
        }
    }

    @Test func insufficientCreditsAndFeaturesThePlanLacks() async throws {
        try await TestUsers.withDatabase { database in
            let id = try await Self.makeAccount(database, balance: 5)
            let reservations = CreditReservations(database: database)
            await #expect(throws: CreditError.insufficientCredits(required: 10, balance: 5)) {
                try await reservations.reserve(userID: id, feature: "article")
            }
            await #expect(throws: CreditError.featureNotAvailable(feature: "videos", plan: .free, requiredPlan: .pro)) {
                try await reservations.reserve(userID: id, feature: "video")
            }
            await #expect(throws: CreditError.featureNotAvailable(feature: "wordpress", plan: .free, requiredPlan: .pro)) {
                try await reservations.reserve(userID: id, feature: "wordpress_publish")
            }
            await #expect(throws: CreditError.featureNotAvailable(feature: "seo_audit", plan: .free, requiredPlan: .pro)) {
                try await reservations.reserve(userID: id, feature: "seo_audit")
            }
        }
    }

    @Test func monthlyGrantOncePerPeriodAndCancelledPlansFallBackToFree() async throws {
        try await TestUsers.withDatabase(poolSize: 6) { database in
            let id = try await TestUsers.create(on: database)
            let store = SubscriptionStore(logger: database.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        _ = try await database.client.withTransaction(logger: database.logger) { runner in
                            try await store.current(userID: id, on: runner)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let grants: PostgresQuery = "SELECT count(*) FROM credit_ledger WHERE user_id = \(id) AND reason = 'plan_grant'"
            #expect(try await TestUsers.integer(grants, on: database) == 1)
            // A cancelled PRO plan whose period has ended: FREE for the new period, one grant.
            try await database.client.query(
                """
                UPDATE subscriptions SET plan = 'PRO', status = 'CANCELLED', payment_provider = 'stripe',
                    current_period_start = now() - interval '40 days', current_period_end = now() - interval '10 days'
                WHERE user_id = \(id)
                """, logger: database.logger)
            for _ in 0..<2 {
                let (record, _) = try await database.client.withTransaction(logger: database.logger) { runner in
                    try await store.current(userID: id, on: runner)
                }
                #expect(record.plan == .free && record.status == .active && record.paymentProvider == nil)
                #expect(record.currentPeriodEnd > Date() && record.currentPeriodStart <= Date())
            }
            #expect(try await TestUsers.integer(grants, on: database) == 2)
            #expect(try await CreditReservationTests.ledgerSum(id, database) == 400)
            // The new period is announced once (the mailer turns it into the "usage reset" e-mail).
            #expect(
                try await TestUsers.integer("SELECT count(*)::int FROM notifications WHERE user_id = \(id) AND type = 'usage_reset'", on: database)
                    == 1)
        }
    }
}
