import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import APIService

/// One user's generations at once, over real HTTP and the real database: exactly as many
/// succeed as the quota and balance allow, the rest get a clean 4xx, never a 5xx, and the
/// ledger, counters and holds add up afterwards. Before the lock order was fixed, 16
/// parallel research queries deadlocked in PostgreSQL and answered 500.
@Suite(.serialized) struct ConcurrentSpendingTests {
    static let environment = ["DATABASE_POOL_SIZE": "16"]

    struct Call: Sendable {
        var path: String
        var body: JSONValue
        var feature: String
    }

    /// All at once, each on its own connection (AsyncHTTPClient's pool), so the server
    /// really runs them concurrently.
    func send(_ calls: [Call], _ client: any TestClientProtocol, _ auth: HTTPFields) async throws -> [(String, HTTPResponse.Status, String?)] {
        let port = try #require(client.port)
        let headers = [("Authorization", auth[.authorization] ?? ""), ("Content-Type", "application/json")]
        return try await withThrowingTaskGroup(of: (String, HTTPResponse.Status, String?).self) { group in
            for call in calls {
                group.addTask {
                    let reply = try await HTTP.send(
                        "POST", "http://localhost:\(port)\(call.path)", headers: headers, body: call.body.encodedString, timeout: .seconds(60))
                    return (call.feature, HTTPResponse.Status(code: reply.status), reply.json["error"]?["code"]?.stringValue)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    func research(_ index: Int) -> Call {
        Call(path: "/api/research/query", body: ["query": .string("question number \(index) about coffee")], feature: "research")
    }

    /// Balance, and the held credits and slots that must all be back to zero.
    func books(_ harness: APIHarness, _ id: UUID) async throws -> (balance: Int, reserved: Int, heldSlots: Int, holds: Int, ledgerSum: Int) {
        (
            try await TestUsers.integer("SELECT balance FROM credit_balances WHERE user_id = \(id)", on: harness.database),
            try await TestUsers.integer("SELECT reserved FROM credit_balances WHERE user_id = \(id)", on: harness.database),
            try await TestUsers.integer("SELECT coalesce(sum(reserved), 0)::int FROM usage_counters WHERE user_id = \(id)", on: harness.database),
            try await TestUsers.integer(
                "SELECT count(*)::int FROM credit_reservations WHERE user_id = \(id) AND status = 'held'", on: harness.database),
            try await TestUsers.integer("SELECT coalesce(sum(delta), 0)::int FROM credit_ledger WHERE user_id = \(id)", on: harness.database)
        )
    }

    func used(_ harness: APIHarness, _ id: UUID, _ quota: String) async throws -> Int {
        try await TestUsers.integer(
            "SELECT coalesce(sum(used), 0)::int FROM usage_counters WHERE user_id = \(id) AND quota = \(quota)", on: harness.database)
    }

    @Test func thirtyParallelResearchQueriesGiveExactlyTheQuota() async throws {
        try await APIHarness.run(Self.environment, setup: .live) { harness, client in
            for _ in 0..<3 {
                let (id, auth) = try await harness.user()
                let start = try #require(
                    try await client.execute(uri: "/api/credits", method: .get, headers: auth) { $0.json["data"]?["balance"]?.intValue })
                let answers = try await send((0..<30).map(research), client, auth)
                #expect(answers.filter { $0.1.code >= 500 }.isEmpty, "\(answers.filter { $0.1.code >= 500 })")
                #expect(answers.filter { $0.1 == .ok }.count == 20)
                #expect(answers.filter { $0.1 != .ok }.allSatisfy { $0.2 == "QUOTA_EXCEEDED" }, "\(answers.filter { $0.1 != .ok })")
                #expect(try await used(harness, id, "research") == 20)
                let books = try await books(harness, id)
                #expect(books.balance == start - 100)
                #expect(books.reserved == 0 && books.heldSlots == 0 && books.holds == 0)
                #expect(books.ledgerSum == books.balance)
            }
        }
    }

    @Test func fiftyParallelSpendsAcrossFeaturesAddUp() async throws {
        try await APIHarness.run(Self.environment, setup: .live) { harness, client in
            let (id, auth) = try await harness.user()
            let start = try #require(
                try await client.execute(uri: "/api/credits", method: .get, headers: auth) { $0.json["data"]?["balance"]?.intValue })
            let article: JSONValue = ["topic": "Home coffee brewing", "keywords": ["coffee"], "articleSize": "small"]
            var calls = (0..<12).map { _ in Call(path: "/api/articles/generate", body: article, feature: "article") }
            calls += (0..<18).map(research)
            calls += (0..<20).map { Call(path: "/api/media/images", body: ["prompt": .string("a lighthouse number \($0)")], feature: "image") }
            let answers = try await send(calls.shuffled(), client, auth)
            #expect(answers.filter { $0.1.code >= 500 }.isEmpty, "\(answers.filter { $0.1.code >= 500 })")
            for failure in answers where isFailure(failure.1) {
                #expect(failure.2 == "QUOTA_EXCEEDED" || failure.2 == "INSUFFICIENT_CREDITS", "\(failure)")
            }
            func successes(_ feature: String) -> Int { answers.filter { $0.0 == feature && $0.1.code < 300 }.count }
            #expect(successes("article") <= 10)
            #expect(try await used(harness, id, "articles") == successes("article"))
            #expect(try await used(harness, id, "research") == successes("research"))
            #expect(try await used(harness, id, "images") == successes("image"))
            let spent = 10 * successes("article") + 5 * successes("research") + 8 * successes("image")
            let books = try await books(harness, id)
            #expect(books.balance == start - spent)
            #expect(books.balance >= 0)
            #expect(books.reserved == 0 && books.heldSlots == 0 && books.holds == 0)
            #expect(books.ledgerSum == books.balance)
            // Every refusal was a real limit: no spend that would have fitted was refused.
            #expect(successes("article") == 10 || books.balance < 10 || answers.contains { $0.0 == "article" && $0.2 == "INSUFFICIENT_CREDITS" })
        }
    }
}

private func isFailure(_ status: HTTPResponse.Status) -> Bool { status.code >= 300 }
