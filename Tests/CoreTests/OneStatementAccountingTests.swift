import Foundation
import PostgresNIO
import TestSupport
import Testing

@testable import Core

/// `nova_reserve` and `nova_settle` (schema.sql): the ordinary generation's accounting in
/// one statement each, and the general path for everything else.
@Suite struct OneStatementAccountingTests {
    static func books(_ id: UUID, _ database: Database) async throws -> (balance: Int, reserved: Int, ledger: Int, used: Int, held: Int) {
        let balance = try await CreditLedger(logger: database.logger).balance(userID: id, on: database.client)
        let ledger = try await CreditReservationTests.ledgerSum(id, database)
        let used = try await TestUsers.integer(
            "SELECT coalesce(sum(used), 0)::int FROM usage_counters WHERE user_id = \(id) AND quota = 'research'", on: database)
        let held = try await TestUsers.integer(
            "SELECT count(*)::int FROM credit_reservations WHERE user_id = \(id) AND status = 'held'", on: database)
        return (balance.balance, balance.reserved, ledger, used, held)
    }

    @Test func anOrdinaryReservationAndSettlementAreOneStatementEach() async throws {
        try await TestUsers.withDatabase { database in
            let id = try await CreditReservationTests.makeAccount(database)
            let reservations = CreditReservations(database: database)
            // A first use provisions the counter on the general path.
            #expect(try await reservations.reserveInOneStatement(userID: id, feature: "research") == nil)
            guard case .reserved(let first) = try await reservations.reserve(userID: id, feature: "research") else {
                Issue.record("expected a reservation")
                return
            }
            try await reservations.settle(first)
            // From then on: one statement to hold, one to settle, and the books agree.
            let hold = try #require(try await reservations.reserveInOneStatement(userID: id, feature: "research"))
            #expect(hold.credits == 5 && hold.quota == "research" && hold.plan == .free && hold.periodStart == first.periodStart)
            #expect(try await Self.books(id, database) == (245, 5, 245, 1, 1))
            let settled = try await database.transaction { runner in try await reservations.settleInOneStatement(hold, on: runner) }
            #expect(settled?.balance == 240 && settled?.used == 2 && settled?.limit == 20)
            #expect(try await Self.books(id, database) == (240, 0, 240, 2, 0))
            // A settled hold is not settled twice.
            #expect(try await database.transaction { runner in try await reservations.settleInOneStatement(hold, on: runner) } == nil)
        }
    }

    @Test func anythingUnusualTakesTheGeneralPath() async throws {
        try await TestUsers.withDatabase { database in
            let id = try await CreditReservationTests.makeAccount(database)
            let reservations = CreditReservations(database: database)
            guard case .reserved(let first) = try await reservations.reserve(userID: id, feature: "research") else {
                Issue.record("expected a reservation")
                return
            }
            try await reservations.settle(first)
            // A feature the plan lacks: refused by the general path, with its words.
            #expect(try await reservations.reserveInOneStatement(userID: id, feature: "seo_audit") == nil)
            await #expect(throws: CreditError.featureNotAvailable(feature: "seo_audit", plan: .free, requiredPlan: .pro)) {
                try await reservations.reserve(userID: id, feature: "seo_audit")
            }
            // An expired hold: the general path frees it first.
            try await database.client.query(
                "UPDATE credit_reservations SET status = 'held', expires_at = now() - interval '1 minute' WHERE id = \(first.id)",
                logger: database.logger)
            try await database.client.query("UPDATE credit_balances SET reserved = 5 WHERE user_id = \(id)", logger: database.logger)
            #expect(try await reservations.reserveInOneStatement(userID: id, feature: "research") == nil)
            try await database.client.query(
                "UPDATE credit_reservations SET status = 'settled', expires_at = now() WHERE id = \(first.id)", logger: database.logger)
            try await database.client.query("UPDATE credit_balances SET reserved = 0 WHERE user_id = \(id)", logger: database.logger)
            // An upgrade written elsewhere (psql, a webhook) clears the grant reference, so
            // the next reservation pays the new plan's grant on the general path.
            try await database.client.query("UPDATE subscriptions SET plan = 'PRO' WHERE user_id = \(id)", logger: database.logger)
            #expect(
                try await TestUsers.integer("SELECT count(*)::int FROM subscriptions WHERE user_id = \(id) AND grant_reference IS NULL", on: database)
                    == 1)
            #expect(try await reservations.reserveInOneStatement(userID: id, feature: "research") == nil)
            guard case .reserved(let upgraded) = try await reservations.reserve(userID: id, feature: "research") else {
                Issue.record("expected a reservation")
                return
            }
            try await reservations.release(upgraded)
            let grants: PostgresQuery = "SELECT count(*)::int FROM credit_ledger WHERE user_id = \(id) AND reason = 'plan_grant'"
            #expect(try await TestUsers.integer(grants, on: database) == 2)
            #expect(try await reservations.reserveInOneStatement(userID: id, feature: "research")?.plan == .pro)
        }
    }
}

/// The one-statement hold runs outside `Database.transaction`, which retries deadlocks: a
/// deadlock there must hand over to the general path, not fail the request.
@Suite struct OneStatementDeadlockTests {
    @Test func aHoldChosenAsADeadlockVictimIsTakenByTheGeneralPath() async throws {
        try await TestUsers.withDatabase { database in
            let id = try await CreditReservationTests.makeAccount(database)
            let reservations = CreditReservations(database: database)
            guard case .reserved(let first) = try await reservations.reserve(userID: id, feature: "research") else {
                Issue.record("expected a reservation")
                return
            }
            try await reservations.settle(first)
            // The other transaction takes the balance first, then (once the hold waits for
            // the balance while holding the subscription) the subscription: a cycle whose
            // first waiter, the hold, PostgreSQL aborts.
            let outcome = try await withThrowingTaskGroup(of: ReservationOutcome?.self) { group in
                let locked = AsyncStream<Void>.makeStream()
                group.addTask {
                    try await database.client.withTransaction(logger: database.logger) { connection in
                        try await connection.query("SELECT 1 FROM credit_balances WHERE user_id = \(id) FOR UPDATE", logger: database.logger)
                        locked.continuation.yield()
                        try await Task.sleep(for: .milliseconds(300))
                        try await connection.query("SELECT 1 FROM subscriptions WHERE user_id = \(id) FOR UPDATE", logger: database.logger)
                    }
                    return nil
                }
                for await _ in locked.stream { break }
                group.addTask { try await reservations.reserve(userID: id, feature: "research") }
                var outcome: ReservationOutcome?
                for try await result in group { if let result { outcome = result } }
                return outcome
            }
            guard case .reserved(let hold) = outcome else {
                Issue.record("expected a reservation, got \(String(describing: outcome))")
                return
            }
            try await reservations.settle(hold)
            #expect(try await OneStatementAccountingTests.books(id, database) == (240, 0, 240, 2, 0))
        }
    }
}
