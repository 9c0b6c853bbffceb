import Core
import Foundation

/// fastapi-users' `UserCreate` plus the fields the existing frontend sends. Privileged
/// fields (`is_active`, `is_superuser`, `is_verified`, `role`) are accepted and ignored.
struct RegisterRequest: Decodable, RequestBodyShape {
    static let requiredFields = ["email", "password"]
    static let missingFieldInputIsWholeBody = true

    var email: String
    var password: String
    var name: String?
    var referralCode: String?

    enum CodingKeys: String, CodingKey {
        case email, password, name, username
        case fullName = "full_name"
        case referralCode = "referral_code"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        email = try container.decodeEmail(forKey: .email)
        password = try container.decode(String.self, forKey: .password)
        let names = try [CodingKeys.name, .fullName, .username].map { try container.decodeIfPresent(String.self, forKey: $0) }
        name = names.compactMap { $0?.trimmingCharacters(in: .whitespacesAndNewlines) }.first { !$0.isEmpty }
        referralCode = try container.decodeIfPresent(String.self, forKey: .referralCode)?.trimmingCharacters(in: .whitespaces)
    }
}
