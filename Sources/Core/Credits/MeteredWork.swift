import Foundation

extension CreditReservations {
    /// The whole protocol for one credit-spending request: the generation rate limit, reserve, run `work`, settle
    /// with its result (stored for retries under `idempotencyKey`), or release when `work`
    /// throws (or is cancelled), so a failed generation costs nothing. A retry of a key
    /// that already succeeded returns the stored result without running `work` again.
    /// `settling` runs inside the settlement's transaction with the result (see `settle`).
    public func perform(
        userID: UUID, feature: String, idempotencyKey: String? = nil,
        settling: (@Sendable (JSONValue, any SQLRunner) async throws -> Void)? = nil,
        _ work: @Sendable (CreditReservation) async throws -> JSONValue
    ) async throws -> JSONValue {
        try await rateLimit?.admit(userID: userID, feature: feature)
        switch try await reserve(userID: userID, feature: feature, idempotencyKey: idempotencyKey) {
        case .replay(let stored):
            return stored
        case .reserved(let hold):
            metrics?.credits(.reserved, credits: hold.credits)
            let result: JSONValue
            do {
                result = try await work(hold)
            } catch {
                // The release must happen even if the request's task was cancelled.
                try? await Task { try await release(hold) }.value
                metrics?.credits(.released, credits: hold.credits)
                throw error
            }
            // The work is done (and may have been delivered): settle even if the request's
            // task was cancelled meanwhile, or the result would be free.
            let also = settling.map { hook in { @Sendable runner in try await hook(result, runner) } }
            do {
                try await Task { try await settle(hold, response: result, also: also) }.value
            } catch {
                // Nothing was charged (the settlement rolled back): give the hold back now
                // rather than when it expires.
                try? await Task { try await release(hold) }.value
                metrics?.credits(.released, credits: hold.credits)
                throw error
            }
            metrics?.credits(.settled, credits: hold.credits)
            return result
        }
    }
}
