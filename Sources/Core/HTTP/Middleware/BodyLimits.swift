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

    /// The limit for this request's body; nil on an exempt path.
    func limit(for request: Request) -> Int? {
        let path = request.uri.path
        if exemptPrefixes.contains(where: { path.hasPrefix($0) }) { return nil }
        return largerLimits.isEmpty ? self.limit : largerLimits.first { path.hasSuffix($0.key) }?.value ?? self.limit
    }

    /// Throws `CoreError.payloadTooLarge` when the request's declared length is over `limit`.
    func check(_ request: Request, limit: Int) throws {
        if let declared = request.headers.value(.contentLength).flatMap(Int.init), declared > limit {
            throw CoreError.payloadTooLarge(limit: limit)
        }
    }
}
