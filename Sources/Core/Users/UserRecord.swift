import Foundation

/// A row of `users`, as both services read it. The password hash never leaves the auth
/// service's responses: only `UserRead` (auth) and the API's own shapes are encoded.
public struct UserRecord: Sendable, Equatable {
    public var id: UUID
    public var email: String
    public var hashedPassword: String
    public var isActive: Bool
    public var isSuperuser: Bool
    public var isVerified: Bool
    public var role: Role
    public var name: String?
    public var avatarURL: String?
    public var referralCode: String?
    public var referredBy: UUID?
    public var failedLoginAttempts: Int
    public var lockedUntil: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public enum Role: String, Sendable, Codable, CaseIterable {
        case user
        case admin
    }

    public init(
        id: UUID, email: String, hashedPassword: String, isActive: Bool = true, isSuperuser: Bool = false,
        isVerified: Bool = false, role: Role = .user, name: String? = nil, avatarURL: String? = nil,
        referralCode: String? = nil, referredBy: UUID? = nil, failedLoginAttempts: Int = 0, lockedUntil: Date? = nil,
        createdAt: Date = Date(), updatedAt: Date = Date()
    ) {
        self.id = id
        self.email = email
        self.hashedPassword = hashedPassword
        self.isActive = isActive
        self.isSuperuser = isSuperuser
        self.isVerified = isVerified
        self.role = role
        self.name = name
        self.avatarURL = avatarURL
        self.referralCode = referralCode
        self.referredBy = referredBy
        self.failedLoginAttempts = failedLoginAttempts
        self.lockedUntil = lockedUntil
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The one source of truth for "is admin" is `role`; `is_superuser` (fastapi-users'
    /// field) mirrors it, and a CHECK constraint in schema.sql keeps the two equal.
    public var isAdmin: Bool { role == .admin }
}
