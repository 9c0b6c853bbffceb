import Core
import HTTPTypes
import Hummingbird

/// The auth service's limits: per client IP on every `/auth/*` POST, and per account on
/// login (so that one account cannot be guessed at from many addresses).
struct AuthRateLimits: Sendable {
    let limiter: any RateLimiter
    let enabled: Bool
    let perIPPerMinute: Int
    let loginPerAccountPerMinute: Int

    /// The per-IP limit of `POST /auth/*` (see `AuthServiceMiddleware`).
    func checkRequest(_ request: Request, context: AppRequestContext) async throws {
        if request.method == .post, request.uri.path.hasPrefix("/auth/") {
            try await checkIP(context.clientIP)
        }
    }

    func checkIP(_ ip: String?) async throws {
        try await check(key: "auth-ip:" + (ip ?? "unknown"), limit: perIPPerMinute)
    }

    func checkAccount(_ email: String) async throws {
        try await check(key: "login-account:" + email.lowercased(), limit: loginPerAccountPerMinute)
    }

    private func check(key: String, limit: Int) async throws {
        guard enabled else { return }
        let decision = await limiter.consume(key: key, limit: limit, window: .seconds(60))
        if !decision.allowed { throw CoreError.tooManyRequests(retryAfterSeconds: decision.retryAfterSeconds) }
    }
}
