/// Why a callback did not sign the user in. The raw value is the `error` the frontend's
/// login page receives (AUTH.md); nothing more specific ever reaches the URL.
enum OAuthFailure: String, Error, Sendable {
    /// The user declined at the consent page (`error=access_denied`).
    case userDenied = "user_denied"
    /// The provider reported another error, or the request was malformed.
    case invalidRequest = "invalid_request"
    case providerNotConfigured = "provider_not_configured"
    case missingCode = "missing_code"
    /// Unsigned, tampered, replayed, expired, or not from this browser.
    case invalidState = "invalid_state"
    /// No verified e-mail from the provider and no account linked before.
    case emailNotAvailable = "email_not_available"
    /// The provider rejected the code (bad, expired, already used, PKCE mismatch).
    case invalidCode = "invalid_code"
    /// The provider was unreachable or answered nonsense, or the account is inactive.
    case oauthFailed = "oauth_failed"
}
