/// The project's password rules (AUTH.md, "Password policy"). The reasons are shown to
/// users by the frontend, inside fastapi-users' `*_INVALID_PASSWORD` shapes.
enum PasswordPolicy {
    static let minimumLength = 8

    /// nil when acceptable, else the reason.
    static func violation(password: String, email: String) -> String? {
        if password.count < minimumLength {
            return "Password should be at least \(minimumLength) characters"
        }
        let localPart = email.split(separator: "@", maxSplits: 1).first.map { $0.lowercased() } ?? ""
        if localPart.count >= 3, password.lowercased().contains(localPart) {
            return "Password should not contain e-mail"
        }
        return nil
    }
}
