import Foundation

/// API.md: at most N generations a minute per user in each family (articles, media,
/// research), on top of the overall request limit. Applied where every generation passes,
/// before its credits are reserved (`CreditReservations.perform`), so no route can forget it.
public struct GenerationRateLimit: Sendable {
    let limiter: any RateLimiter
    let perMinute: Int

    public init(limiter: any RateLimiter, perMinute: Int) {
        self.limiter = limiter
        self.perMinute = perMinute
    }

    /// The family a priced feature belongs to; nil for what is not a generation (the free
    /// algorithmic SEO analysis, WordPress publishing).
    public static func family(of feature: String) -> String? {
        switch feature {
        case "article", "metadata", "outline", "section", "cta", "seo_audit", "seo_tool", "plagiarism": "articles"
        case "image", "image_edit", "video", "video_long", "audio": "media"
        case "research", "transcription", "video_summary": "research"
        default: nil
        }
    }

    /// Counts one generation; 429 RATE_LIMIT_EXCEEDED (with `Retry-After`) beyond the limit.
    public func admit(userID: UUID, feature: String) async throws {
        guard let family = Self.family(of: feature) else { return }
        let decision = await limiter.consume(key: "api:generation:\(family):\(userID.uuidString)", limit: perMinute, window: .seconds(60))
        guard decision.allowed else { throw CoreError.tooManyRequests(retryAfterSeconds: decision.retryAfterSeconds) }
    }
}
