import Core
import Foundation
import NIOConcurrencyHelpers
import TestSupport
import Testing

@testable import APIService

/// Every generation reads the user's own provider keys: the read model keeps them, and a
/// key removed by another writer (the auth service unlinking an account, psql) is not
/// used once the change feed has said so.
@Suite struct ProviderKeyCacheTests {
    @Test func keysAreKeptUntilTheirRowsChangeWhoeverChangesThem() async throws {
        try await TestUsers.withDatabase { database in
            let id = try await TestUsers.create(on: database)
            let feed = ChangeFeed(database: database, retryDelay: .milliseconds(50))
            let cache = ReadModelCache<UUID, [String: [UInt8]]>(ttl: .seconds(300), isLive: { feed.isLive })
            let announced = NIOLockedValueBox(0)
            feed.observe { change in
                switch change {
                case .row("user_provider_keys", let user):
                    cache.invalidate(user)
                    announced.withLockedValue { $0 += 1 }
                case .everything: cache.invalidateAll()
                default: break
                }
            }
            let store = ProviderKeyStore(
                database: database, box: SecretBox(key: SecretBox.derivedKey(fromSecret: testSecret)), sealedKeys: cache)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await feed.run() }
                defer { group.cancelAll() }
                let deadline = ContinuousClock.now + .seconds(10)
                while !feed.isLive, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
                #expect(feed.isLive)

                _ = try await store.set(userID: id, provider: .openai, key: "sk-test-cache-0123456789")
                // (Its own notification comes after the write: let it pass first.)
                while announced.withLockedValue({ $0 }) == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
                #expect(try await store.keys(for: id) == [.openai: "sk-test-cache-0123456789"])
                #expect(cache.count == 1)
                // Another writer removes it: the next generations stop using it.
                try await database.client.query("DELETE FROM user_provider_keys WHERE user_id = \(id)", logger: database.logger)
                var keys = try await store.keys(for: id)
                while !keys.isEmpty, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                    keys = try await store.keys(for: id)
                }
                #expect(keys.isEmpty)
                // Writes through the store drop the entry at once.
                _ = try await store.set(userID: id, provider: .gemini, key: "AIza-test-cache-0123456789")
                #expect(try await store.keys(for: id) == [.gemini: "AIza-test-cache-0123456789"])
            }
        }
    }
}
