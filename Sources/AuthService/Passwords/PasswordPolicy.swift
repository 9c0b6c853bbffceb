/// The project's password rules (AUTH.md, "Password policy"). The reasons are shown to
/// users by the frontend, inside fastapi-users' `*_INVALID_PASSWORD` shapes.
enum PasswordPolicy {
    static let minimumLength = 8

    /// nil when acceptable, else the reason.
    static func violation(password: String, email: String) -> String? {
        if password.count < minimumLength {
            return "Password should be at least \(minimumLength) characters"
        }
        // No "must not contain the e-mail" rule: the real frontend cannot pre-check it, and
        // shows `detail` as text (auth/Register.js → AuthLayout.js), so the rule's object
        // answer blanked its register page. AUTH.md: no rule the frontend does not pre-check.
        return nil
    }
}
