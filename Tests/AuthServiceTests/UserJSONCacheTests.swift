import Core
import Foundation
import NIOCore
import Testing

@testable import AuthService

/// `/users/me`'s JSON is reused while the user is unchanged (issue #15), and never once
/// anything it shows has changed.
@Suite struct UserJSONCacheTests {
    let user = UserRecord(id: UUID(), email: "cache@example.com", hashedPassword: "x", name: "Ada")

    @Test func aRepeatedAnswerIsTheCachedBytesOfTheSameJSON() {
        let cache = UserJSONCache(maxEntries: 10)
        let first = cache.json(for: UserRead(user))
        #expect(first == UserRead(user).json)
        #expect(cache.count == 1)
        let second = cache.json(for: UserRead(user))
        #expect(second == first)
        // The same storage: written once, not twice.
        #expect(second.withUnsafeReadableBytes { $0.baseAddress } == first.withUnsafeReadableBytes { $0.baseAddress })
    }

    @Test func anyChangeToWhatTheAnswerShowsIsWrittenAfresh() {
        let cache = UserJSONCache(maxEntries: 10)
        _ = cache.json(for: UserRead(user))
        var changes: [(inout UserRecord) -> Void] = [
            { $0.email = "other@example.com" }, { $0.isActive = false }, { $0.isSuperuser = true }, { $0.isVerified = true },
            { $0.role = .admin }, { $0.name = nil }, { $0.avatarURL = "https://example.com/a.png" },
            { $0.createdAt = $0.createdAt.addingTimeInterval(1) },
        ]
        while let change = changes.popLast() {
            var changed = user
            change(&changed)
            let json = cache.json(for: UserRead(changed))
            #expect(json == UserRead(changed).json)
            #expect(json != UserRead(user).json)
            // And back: the original is not served from the changed entry.
            #expect(cache.json(for: UserRead(user)) == UserRead(user).json)
        }
    }

    @Test func theCacheStaysWithinItsBound() {
        let cache = UserJSONCache(maxEntries: 3)
        for index in 0..<10 {
            let other = UserRecord(id: UUID(), email: "user\(index)@example.com", hashedPassword: "x")
            #expect(cache.json(for: UserRead(other)) == UserRead(other).json)
            #expect(cache.count <= 3)
        }
    }
}
