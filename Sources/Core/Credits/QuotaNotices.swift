import Foundation
import Logging
import PostgresNIO

/// The in-app notices sent when a quota passes 80, 90 and 100 %: one per quota,
/// threshold and period, made unique by `dedupe_key`.
public struct QuotaNotices: Sendable {
    let logger: Logger
    public static let thresholds = [80, 90, 100]

    public init(logger: Logger) {
        self.logger = logger
    }

    /// Records a notice for each threshold that `used` reaches (limit > 0 only). Called
    /// under the counter's row lock; the dedupe key keeps it once per period regardless.
    func recordCrossing(userID: UUID, quota: String, used: Int, limit: Int, periodStart: Date, on runner: any SQLRunner) async throws {
        guard limit > 0 else { return }
        let previous = used - 1
        for threshold in Self.thresholds where used * 100 >= threshold * limit && previous * 100 < threshold * limit {
            let title = threshold >= 100 ? "\(quota.capitalized) quota reached" : "\(quota.capitalized) quota at \(threshold) %"
            let message =
                threshold >= 100
                ? "You have used all \(limit) \(quota) of this period."
                : "You have used \(used) of \(limit) \(quota) this period."
            let data: JSONValue = [
                "feature": .string(quota), "threshold": .int(threshold), "used": .int(used), "limit": .int(limit),
                "periodStart": .string(ISO8601.string(from: periodStart)),
            ]
            let key = "quota:\(quota):\(threshold):\(ISO8601.string(from: periodStart, fractionalSeconds: true))"
            try await runner.run(
                """
                INSERT INTO notifications (user_id, type, title, message, data, dedupe_key)
                VALUES (\(userID), \(threshold >= 100 ? "quota_reached" : "quota_warning"), \(title), \(message), \(data.encodedString)::jsonb, \(key))
                ON CONFLICT (user_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
                """, logger: logger)
        }
    }
}
