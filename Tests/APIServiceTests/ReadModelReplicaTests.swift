import Core
import Foundation
import PostgresNIO
import TestSupport
import Testing

/// Two API replicas on one database, each with its in-process read model: what one
/// replica, or psql, changes is what the other shows next, not five minutes later.
@Suite struct ReadModelReplicaTests {
    struct Replicas {
        let a: ServiceProcess
        let b: ServiceProcess
        let url: String
        let userID: UUID
        let bearer: String

        func me(_ replica: ServiceProcess) async throws -> (plan: String, balance: Int) {
            let reply = try await HTTP.get(replica.baseURL + "/api/v1/me", headers: [("Authorization", "Bearer \(bearer)")])
            #expect(reply.status == 200, "\(reply.body)")
            let data = reply.json["data"]
            return (data?["plan"]?.stringValue ?? "", data?["credits"]?["balance"]?.intValue ?? -1)
        }

        func name(_ replica: ServiceProcess) async throws -> String? {
            let reply = try await HTTP.get(replica.baseURL + "/api/v1/me", headers: [("Authorization", "Bearer \(bearer)")])
            return reply.json["data"]?["user"]?["name"]?.stringValue
        }

        func researchUsed(_ replica: ServiceProcess) async throws -> Int {
            let reply = try await HTTP.get(replica.baseURL + "/api/v1/subscription/usage", headers: [("Authorization", "Bearer \(bearer)")])
            return reply.json["data"]?["research"]?["used"]?.intValue ?? -1
        }

        func sql(_ statement: String) async throws {
            try await TestUsers.withDatabase(poolSize: 1, url: url) { database in
                _ = try await database.client.query(PostgresQuery(unsafeSQL: statement), logger: database.logger)
            }
        }

        /// What `read` gives once it equals `expected`, polled for at most 2 s: a
        /// notification takes milliseconds; the cache's time-to-live is 300 s.
        func eventually<T: Equatable & Sendable>(_ expected: T, _ read: () async throws -> T) async throws -> T {
            let deadline = ContinuousClock.now + .seconds(2)
            var value = try await read()
            while value != expected, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                value = try await read()
            }
            return value
        }
    }

    func withReplicas(_ body: (Replicas) async throws -> Void) async throws {
        let url = try await TestDatabase.makeMigrated()
        let userID = try await TestUsers.withDatabase(url: url) { try await TestUsers.create(on: $0, verified: true) }
        let bearer = try await TokenService(secret: testSecret).accessToken(for: userID)
        let environment = [
            "DATABASE_URL": url, "ENV": "development", "SECRET": testSecret, "LOG_LEVEL": "error", "DATABASE_POOL_SIZE": "4",
            "RATE_LIMIT_ENABLED": "false", "AUTO_MIGRATE": "false",
        ]
        let a = try ServiceProcess(executable: "APIService", port: try freePort(), environment: environment)
        let b = try ServiceProcess(executable: "APIService", port: try freePort(), environment: environment)
        try await ServiceProcess.withRunning([a, b], dropping: url) {
            try await body(Replicas(a: a, b: b, url: url, userID: userID, bearer: bearer))
        }
    }

    @Test func anUpgradeAndASpendAreSeenByBothReplicas() async throws {
        try await withReplicas { replicas in
            let (a, b) = (replicas.a, replicas.b)
            // Both replicas read (and keep) the account, twice: the second read is cached.
            let start = try await replicas.me(a)
            #expect(start.plan == "FREE")
            for replica in [a, b, a, b] { #expect(try await replicas.me(replica) == start) }
            #expect(try await replicas.researchUsed(b) == 0)

            // An upgrade written by psql (as the billing webhook of either replica or an
            // operator would): both replicas show it.
            try await replicas.sql("UPDATE subscriptions SET plan = 'PRO' WHERE user_id = '\(replicas.userID)'")
            #expect(try await replicas.eventually("PRO") { try await replicas.me(b).plan } == "PRO")
            #expect(try await replicas.eventually("PRO") { try await replicas.me(a).plan } == "PRO")
            // (The PRO grant is paid on the first read after the change.)
            let upgraded = try await replicas.me(a)
            #expect(try await replicas.eventually(upgraded.balance) { try await replicas.me(b).balance } == upgraded.balance)

            // A spend on A: A shows it at once, B next.
            let research = try await HTTP.send(
                "POST", a.baseURL + "/api/v1/research/query",
                headers: [("Authorization", "Bearer \(replicas.bearer)"), ("Content-Type", "application/json")],
                body: #"{"query":"How fine should coffee be ground for a French press?"}"#, timeout: .seconds(60))
            #expect(research.status == 200, "\(research.body)")
            let spent = try await replicas.me(a)
            #expect(spent.balance == upgraded.balance - 5)  // research costs 5
            #expect(try await replicas.eventually(spent.balance) { try await replicas.me(b).balance } == spent.balance)
            #expect(try await replicas.eventually(1) { try await replicas.researchUsed(b) } == 1)
            #expect(try await replicas.researchUsed(a) == 1)

            // Credits granted outside the API service.
            try await replicas.sql("UPDATE credit_balances SET balance = balance + 1000 WHERE user_id = '\(replicas.userID)'")
            for replica in [a, b] {
                #expect(try await replicas.eventually(spent.balance + 1000) { try await replicas.me(replica).balance } == spent.balance + 1000)
            }

            // The user's own fields, changed outside the API service (as the auth service's
            // PATCH /users/me does): /me's answer, reused while unchanged, follows.
            #expect(try await replicas.name(a) == replicas.name(b))
            try await replicas.sql("UPDATE users SET name = 'Renamed Ada' WHERE id = '\(replicas.userID)'")
            for replica in [a, b] {
                #expect(try await replicas.eventually("Renamed Ada") { try await replicas.name(replica) } == "Renamed Ada")
            }

            // A plan's catalogue entry edited by an admin in psql: the limits follow.
            try await replicas.sql(#"UPDATE plans SET quotas = jsonb_set(quotas, '{research}', '7') WHERE tier = 'PRO'"#)
            let limit: () async throws -> Int = {
                let reply = try await HTTP.get(
                    b.baseURL + "/api/v1/subscription/usage", headers: [("Authorization", "Bearer \(replicas.bearer)")])
                return reply.json["data"]?["research"]?["limit"]?.intValue ?? -100
            }
            #expect(try await replicas.eventually(7, limit) == 7)
        }
    }
}
