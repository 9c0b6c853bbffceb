import Core
import Foundation
import PostgresNIO
import TestSupport
import Testing

@Suite struct AccountLifecycleTests {
    static func balance(_ id: UUID, _ database: Database) async throws -> Int {
        try await CreditLedger(logger: database.logger).balance(userID: id, on: database.client).balance
    }

    static func verify(_ id: UUID, _ database: Database) async throws {
        try await database.client.withTransaction(logger: database.logger) { runner in
            try await AccountLifecycle.userVerified(userID: id, on: runner, logger: database.logger)
        }
    }

    @Test func signupAndVerifyBonusesAndTwoLevelsOfReferralRewardsPaidOnce() async throws {
        try await TestUsers.withDatabase(poolSize: 6) { database in
            let grand = try await TestUsers.create(on: database)
            let referrer = try await TestUsers.create(on: database, referredBy: grand)
            let referee = try await TestUsers.create(on: database, referredBy: referrer)
            try await database.client.withTransaction(logger: database.logger) { runner in
                try await AccountLifecycle.userRegistered(userID: referee, on: runner, logger: database.logger)
            }
            #expect(try await Self.balance(referee, database) == 250)  // 200 FREE grant + 50 signup
            // Verification run twice in a row and four times at once pays everything once.
            try await Self.verify(referee, database)
            try await Self.verify(referee, database)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 { group.addTask { try await Self.verify(referee, database) } }
                try await group.waitForAll()
            }
            #expect(try await Self.balance(referee, database) == 250 + 25 + 100)
            #expect(try await Self.balance(referrer, database) == 200)
            #expect(try await Self.balance(grand, database) == 50)
            #expect(try await TestUsers.integer("SELECT count(*) FROM referral_rewards WHERE referee_id = \(referee)", on: database) == 3)
        }
    }

    @Test func concurrentVerificationsOfDifferentRefereesRespectTheMonthlyCap() async throws {
        try await TestUsers.withDatabase(poolSize: 8) { database in
            let referrer = try await TestUsers.create(on: database)
            // 48 rewards already paid this month.
            for _ in 0..<48 {
                let earlier = try await TestUsers.create(on: database, referredBy: referrer)
                try await database.client.query(
                    "INSERT INTO referral_rewards (referee_id, level, user_id, credits) VALUES (\(earlier), 1, \(referrer), 200)",
                    logger: database.logger)
            }
            var referees: [UUID] = []
            for _ in 0..<5 { referees.append(try await TestUsers.create(on: database, referredBy: referrer)) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for referee in referees { group.addTask { try await Self.verify(referee, database) } }
                try await group.waitForAll()
            }
            // Only two more fit under the cap of 50; every referee still gets their own reward.
            #expect(try await Self.balance(referrer, database) == 400)
            for referee in referees {
                #expect(try await Self.balance(referee, database) == 125)
            }
        }
    }
}
