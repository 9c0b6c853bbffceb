import Core
import Foundation
import NIOCore

/// fastapi-users' `UserRead`, the one shape in which a user leaves this service.
struct UserRead: Equatable {
    var id: UUID
    var email: String
    var isActive: Bool
    var isSuperuser: Bool
    var isVerified: Bool
    var role: String
    var name: String?
    var avatarURL: String?
    var createdAt: Date

    init(_ user: UserRecord) {
        id = user.id
        email = user.email
        isActive = user.isActive
        isSuperuser = user.isSuperuser
        isVerified = user.isVerified
        role = user.isAdmin ? UserRecord.Role.admin.rawValue : UserRecord.Role.user.rawValue
        name = user.name
        avatarURL = user.avatarURL
        createdAt = user.createdAt
    }

    /// The JSON, written directly (UserRead is the hottest answer). Optional fields are
    /// always present, null when unset, as pydantic serialises them.
    var json: ByteBuffer {
        var writer = JSONObjectWriter(buffer: ByteBufferAllocator().buffer(capacity: 256))
        writer.field("id", id)
        writer.field("email", email)
        writer.field("is_active", isActive)
        writer.field("is_superuser", isSuperuser)
        writer.field("is_verified", isVerified)
        writer.field("role", role)
        writer.field("name", name)
        writer.field("avatar_url", avatarURL)
        writer.field("created_at", createdAt, fractionalSeconds: false)
        return writer.finish()
    }
}
