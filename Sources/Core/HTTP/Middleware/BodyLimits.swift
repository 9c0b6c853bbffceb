import HTTPTypes
import Hummingbird

/// Refuses bodies over the limit before they are read: by `Content-Length` here, and by
/// the limit stored in the context for bodies that arrive chunked (see `collectBody`).
/// Paths under `exemptPrefixes` stream their bodies elsewhere (the `/api` gateway) and
/// leave limits to the service that reads them.
public struct BodyLimits: Sendable {
    let limit: Int
    let exemptPrefixes: [String]
    /// Larger limits for paths ending in these suffixes (uploads).
    let largerLimits: [String: Int]

    public init(limit: Int, exemptPrefixes: [String] = [], largerLimits: [String: Int] = [:]) {
        self.limit = limit
        self.exemptPrefixes = exemptPrefixes
        self.largerLimits = largerLimits
    }

    /// The limit for this request's body (nil on an exempt path); throws
    /// `CoreError.payloadTooLarge` when its declared length is over it.
    func limit(for request: Request) throws -> Int? {
        let path = request.uri.path
        if exemptPrefixes.contains(where: { path.hasPrefix($0) }) { return nil }
        let limit = largerLimits.isEmpty ? self.limit : largerLimits.first { path.hasSuffix($0.key) }?.value ?? self.limit
        if let declared = request.headers.value(.contentLength).flatMap(Int.init), declared > limit {
            throw CoreError.payloadTooLarge(limit: limit)
        }
        return limit
    }
}
