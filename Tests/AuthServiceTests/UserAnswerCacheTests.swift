import Core
import Foundation
import NIOCore
import Testing

@testable import AuthService

/// `/users/me`'s JSON is reused while the user is unchanged (issue #15), and never once
/// anything it shows has changed: `RenderedJSONCache` over the auth service's `UserRead`.
@Suite struct UserAnswerCacheTests {
    let user = UserRecord(id: UUID(), email: "cache@example.com", hashedPassword: "x", name: "Ada")

    @Test func aRepeatedAnswerIsTheCachedBytesOfTheSameJSON() {
        let cache = RenderedJSONCache<UUID, UserRead>(maxEntries: 10)
        let first = cache.json(for: user.id, view: UserRead(user)) { $0.json }
        #expect(first == UserRead(user).json)
        #expect(cache.count == 1)
        let second = cache.json(for: user.id, view: UserRead(user)) { $0.json }
        #expect(second == first)
        // The same storage: written once, not twice.
        #expect(second.withUnsafeReadableBytes { $0.baseAddress } == first.withUnsafeReadableBytes { $0.baseAddress })
    }

    @Test func anyChangeToWhatTheAnswerShowsIsWrittenAfresh() {
        let cache = RenderedJSONCache<UUID, UserRead>(maxEntries: 10)
        _ = cache.json(for: user.id, view: UserRead(user)) { $0.json }
        var changes: [(inout UserRecord) -> Void] = [
            { $0.email = "other@example.com" }, { $0.isActive = false }, { $0.isSuperuser = true }, { $0.isVerified = true },
            { $0.role = .admin }, { $0.name = nil }, { $0.avatarURL = "https://example.com/a.png" },
            { $0.createdAt = $0.createdAt.addingTimeInterval(1) },
        ]
        while let change = changes.popLast() {
            var changed = user
            change(&changed)
            let json = cache.json(for: changed.id, view: UserRead(changed)) { $0.json }
            #expect(json == UserRead(changed).json)
            #expect(json != UserRead(user).json)
            // And back: the original is not served from the changed entry.
            #expect(cache.json(for: user.id, view: UserRead(user)) { $0.json } == UserRead(user).json)
        }
    }

    @Test func theCacheStaysWithinItsBound() {
        let cache = RenderedJSONCache<UUID, UserRead>(maxEntries: 3)
        for index in 0..<10 {
            let other = UserRecord(id: UUID(), email: "user\(index)@example.com", hashedPassword: "x")
            #expect(cache.json(for: other.id, view: UserRead(other)) { $0.json } == UserRead(other).json)
            #expect(cache.count <= 3)
        }
    }
}
