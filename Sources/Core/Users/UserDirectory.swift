import Foundation
import Logging
import PostgresNIO

/// Read access to `users` for authentication. A seam so that route tests can run the
/// authenticator without a database, and so that a cache can wrap the real lookup.
public protocol UserDirectory: Sendable {
    func user(id: UUID) async throws -> UserRecord?
}

/// `users` in PostgreSQL.
public struct PostgresUserDirectory: UserDirectory {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public static let columns =
        "id, email, hashed_password, is_active, is_superuser, is_verified, role, name, avatar_url, referral_code, referred_by, failed_login_attempts, locked_until, created_at, updated_at"

    public func user(id: UUID) async throws -> UserRecord? {
        // A prepared statement: parsed once per connection, it is the hot read of every
        // authenticated request.
        let rows = try await database.client.execute(UserByID(id: id), logger: database.logger)
        for try await user in rows {
            return user
        }
        return nil
    }

    struct UserByID: PostgresPreparedStatement {
        typealias Row = UserRecord
        static let sql = "SELECT \(PostgresUserDirectory.columns) FROM users WHERE id = $1"
        static let bindingDataTypes: [PostgresDataType] = [.uuid]
        var id: UUID

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(id)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> UserRecord {
            try PostgresUserDirectory.decode(row)
        }
    }

    public static func decode(_ row: PostgresRow) throws -> UserRecord {
        let (id, email, hash, active, superuser, verified, role, name, avatar, code, referredBy, failures, lockedUntil, created, updated) =
            try row.decode(
                (UUID, String, String, Bool, Bool, Bool, String, String?, String?, String?, UUID?, Int, Date?, Date, Date).self)
        return UserRecord(
            id: id, email: email, hashedPassword: hash, isActive: active, isSuperuser: superuser, isVerified: verified,
            role: UserRecord.Role(rawValue: role) ?? .user, name: name, avatarURL: avatar, referralCode: code,
            referredBy: referredBy, failedLoginAttempts: failures, lockedUntil: lockedUntil, createdAt: created, updatedAt: updated)
    }
}

/// Caches lookups for a short time: every authenticated request needs the user's active
/// flag and role, and the API contract allows them to be up to 30 s old.
public struct CachedUserDirectory: UserDirectory {
    let base: any UserDirectory
    let cache: TTLCache<UUID, UserRecord?>

    public init(base: any UserDirectory, ttl: Duration, clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.base = base
        self.cache = TTLCache(ttl: ttl, maxEntries: 50_000, clock: clock)
    }

    public func user(id: UUID) async throws -> UserRecord? {
        if let cached = cache.value(for: id) {
            return cached
        }
        let user = try await base.user(id: id)
        cache.set(user, for: id)
        return user
    }

    /// Drops a cached user after a change (made by this process, or announced by the
    /// change feed).
    public func invalidate(id: UUID) {
        cache.remove(id)
    }

    public func invalidateAll() {
        cache.removeAll()
    }

    /// Drops users as `feed` announces their changes (from any replica, either service
    /// or psql), and everything when the feed was down, so a deactivated or demoted
    /// account loses its access in milliseconds rather than at the TTL.
    public func follow(_ feed: ChangeFeed) {
        feed.observe { change in
            switch change {
            case .row("users", let id): invalidate(id: id)
            case .everything: invalidateAll()
            default: break
            }
        }
    }
}
