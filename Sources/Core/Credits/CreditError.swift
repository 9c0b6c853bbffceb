import Foundation
import HTTPTypes

/// Why a credit-spending request is refused. Rendered by `EnvelopeErrorRenderer`.
public enum CreditError: Error, Sendable, Equatable {
    /// 403 QUOTA_EXCEEDED.
    case quotaExceeded(feature: String, currentUsage: Int, limit: Int, remaining: Int, plan: PlanTier)
    /// 402 INSUFFICIENT_CREDITS.
    case insufficientCredits(required: Int, balance: Int)
    /// 403 FEATURE_NOT_AVAILABLE: the plan's limit is 0 or the tool needs a higher tier.
    case featureNotAvailable(feature: String, plan: PlanTier, requiredPlan: PlanTier)
    /// A request with the same `Idempotency-Key` is still running: 409 CONFLICT.
    case requestInProgress
    /// A programming error: the feature has no row in `feature_prices` (500).
    case unknownFeature(String)
    case unknownPlan(String)
}

extension CreditError {
    /// The envelope answer (status, code, message, details).
    public var envelope: ErrorResponse? {
        switch self {
        case let .quotaExceeded(feature, usage, limit, remaining, plan):
            return ErrorResponse(
                status: .forbidden,
                body: EnvelopeErrorRenderer.body(
                    code: "QUOTA_EXCEEDED", message: "Monthly \(feature) quota of the \(plan.rawValue) plan is used up",
                    details: [
                        "feature": .string(feature), "currentUsage": .int(usage), "limit": .int(limit),
                        "remaining": .int(remaining), "plan": .string(plan.rawValue),
                    ]))
        case let .insufficientCredits(required, balance):
            return ErrorResponse(
                status: HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required"),
                body: EnvelopeErrorRenderer.body(
                    code: "INSUFFICIENT_CREDITS", message: "Not enough credits",
                    details: ["required": .int(required), "balance": .int(balance)]))
        case let .featureNotAvailable(feature, plan, required):
            return ErrorResponse(
                status: .forbidden,
                body: EnvelopeErrorRenderer.body(
                    code: "FEATURE_NOT_AVAILABLE", message: "\(feature) requires the \(required.rawValue) plan",
                    details: ["feature": .string(feature), "plan": .string(plan.rawValue), "requiredPlan": .string(required.rawValue)]))
        case .requestInProgress:
            return ErrorResponse(
                status: .conflict,
                body: EnvelopeErrorRenderer.body(code: "CONFLICT", message: "A request with this Idempotency-Key is still in progress"))
        case .unknownFeature, .unknownPlan:
            return nil
        }
    }
}
