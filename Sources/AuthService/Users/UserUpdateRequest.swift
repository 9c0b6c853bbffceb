import Core

/// fastapi-users' `UserUpdate`. Which fields count depends on who asks: on `/users/me`
/// the privileged ones are ignored, on `/users/{id}` a superuser may set them.
struct UserUpdateRequest: Decodable {
    var email: String?
    var password: String?
    var isActive: Bool?
    var isSuperuser: Bool?
    var isVerified: Bool?
    var role: UserRecord.Role?
    /// Outer nil: not sent; inner nil: sent as null (clears the value).
    var name: String??
    var avatarURL: String??

    enum CodingKeys: String, CodingKey {
        case email, password, role, name, username
        case fullName = "full_name"
        case isActive = "is_active"
        case isSuperuser = "is_superuser"
        case isVerified = "is_verified"
        case avatarURL = "avatar_url"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        email = try container.decodeEmailIfPresent(forKey: .email)
        password = try container.decodeIfPresent(String.self, forKey: .password)
        isActive = try container.decodeIfPresent(Bool.self, forKey: .isActive)
        isSuperuser = try container.decodeIfPresent(Bool.self, forKey: .isSuperuser)
        isVerified = try container.decodeIfPresent(Bool.self, forKey: .isVerified)
        if let rawRole = try container.decodeIfPresent(String.self, forKey: .role) {
            guard let role = UserRecord.Role(rawValue: rawRole) else {
                throw container.fail(
                    .role,
                    FieldValidationError(type: "enum", message: "Input should be 'user' or 'admin'", context: ["expected": "'user' or 'admin'"]))
            }
            self.role = role
        }
        for key in [CodingKeys.name, .fullName, .username] where container.contains(key) {
            name = .some(try container.decodeIfPresent(String.self, forKey: key))
            break
        }
        if container.contains(.avatarURL) {
            avatarURL = .some(try container.decodeIfPresent(String.self, forKey: .avatarURL))
        }
    }
}
