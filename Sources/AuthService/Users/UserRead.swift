import Core
import Foundation

/// fastapi-users' `UserRead`, the one shape in which a user leaves this service.
struct UserRead: Encodable, Equatable {
    var id: String
    var email: String
    var isActive: Bool
    var isSuperuser: Bool
    var isVerified: Bool
    var role: String
    var name: String?
    var avatarURL: String?
    var createdAt: String

    init(_ user: UserRecord) {
        id = user.id.uuidString.lowercased()
        email = user.email
        isActive = user.isActive
        isSuperuser = user.isSuperuser
        isVerified = user.isVerified
        role = user.isAdmin ? UserRecord.Role.admin.rawValue : UserRecord.Role.user.rawValue
        name = user.name
        avatarURL = user.avatarURL
        createdAt = user.createdAt.formatted(.iso8601)
    }

    enum CodingKeys: String, CodingKey {
        case id, email, role, name
        case isActive = "is_active"
        case isSuperuser = "is_superuser"
        case isVerified = "is_verified"
        case avatarURL = "avatar_url"
        case createdAt = "created_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(email, forKey: .email)
        try container.encode(isActive, forKey: .isActive)
        try container.encode(isSuperuser, forKey: .isSuperuser)
        try container.encode(isVerified, forKey: .isVerified)
        try container.encode(role, forKey: .role)
        // Optional fields are always present (null when unset), as pydantic serialises them.
        try container.encode(name, forKey: .name)
        try container.encode(avatarURL, forKey: .avatarURL)
        try container.encode(createdAt, forKey: .createdAt)
    }
}
