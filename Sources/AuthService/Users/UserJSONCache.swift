import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// The JSON of users recently answered, reused while what it shows is unchanged:
/// `/users/me` is the auth service's hottest answer, and writing it was about a tenth of
/// a request's cost in our code (issue #15). An entry is used only when the whole
/// `UserRead` it was written from equals the one asked for, so it cannot be stale and
/// needs no invalidation; the user cache (which follows the change feed) decides what
/// the current record is. Bounded: emptied when full, since an entry is cheap to write again.
final class UserJSONCache: Sendable {
    private let entries = NIOLockedValueBox([UUID: (view: UserRead, json: ByteBuffer)]())
    let maxEntries: Int

    init(maxEntries: Int) {
        self.maxEntries = maxEntries
    }

    /// The one the service answers with.
    static let shared = UserJSONCache(maxEntries: 10_000)

    func json(for view: UserRead) -> ByteBuffer {
        if let entry = entries.withLockedValue({ $0[view.id] }), entry.view == view { return entry.json }
        let json = view.json
        entries.withLockedValue { entries in
            if entries.count >= maxEntries, entries[view.id] == nil { entries.removeAll(keepingCapacity: true) }
            entries[view.id] = (view, json)
        }
        return json
    }

    var count: Int { entries.withLockedValue { $0.count } }
}
