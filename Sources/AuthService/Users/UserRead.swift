import Core
import Foundation

/// fastapi-users' `UserRead`, the one shape in which a user leaves this service.
struct UserRead: Equatable {
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
        createdAt = ISO8601.string(from: user.createdAt)
    }

    /// The JSON, written directly (UserRead is the hottest answer). Optional fields are
    /// always present, null when unset, as pydantic serialises them.
    var jsonBytes: [UInt8] {
        var writer = JSONObjectWriter()
        writer.add("id", id)
        writer.add("email", email)
        writer.add("is_active", isActive)
        writer.add("is_superuser", isSuperuser)
        writer.add("is_verified", isVerified)
        writer.add("role", role)
        writer.add("name", name)
        writer.add("avatar_url", avatarURL)
        writer.add("created_at", createdAt)
        return writer.finish()
    }
}
