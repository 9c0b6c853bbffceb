import NIOConcurrencyHelpers
import NIOCore

/// Answers recently written, reused while what they show is unchanged: writing the JSON
/// of the hottest reads (auth's `/users/me`, the API's `/me` and `/subscription/usage`)
/// was the largest cost left in our code on those paths (issue #15). An entry is used
/// only when the whole view it was written from equals the one asked for, so it cannot
/// be stale and needs no invalidation: the caches below it (the user cache, the read
/// model, both following the change feed) decide what the current view is. Bounded:
/// emptied when full, since an entry is cheap to write again.
public final class RenderedJSONCache<Key: Hashable & Sendable, View: Equatable & Sendable>: Sendable {
    @usableFromInline let entries = NIOLockedValueBox([Key: Entry]())
    public let maxEntries: Int

    @usableFromInline struct Entry: Sendable {
        @usableFromInline let view: View
        @usableFromInline let json: ByteBuffer

        @inlinable init(view: View, json: ByteBuffer) {
            self.view = view
            self.json = json
        }
    }

    public init(maxEntries: Int) {
        self.maxEntries = maxEntries
    }

    /// The bytes `render` writes for `view`: those written last time for `key` when that
    /// view was equal, else `render`'s, kept for next time.
    @inlinable
    public func json(for key: Key, view: View, render: (View) throws -> ByteBuffer) rethrows -> ByteBuffer {
        if let entry = entries.withLockedValue({ $0[key] }), entry.view == view { return entry.json }
        let json = try render(view)
        let maxEntries = maxEntries
        entries.withLockedValue { entries in
            if entries.count >= maxEntries, entries[key] == nil { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(view: view, json: json)
        }
        return json
    }

    public var count: Int { entries.withLockedValue { $0.count } }
}
