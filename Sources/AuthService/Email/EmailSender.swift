import Core
import Foundation
import Logging
import ServiceLifecycle

/// Delivers queued e-mail in the background. Several replicas may run it: rows are
/// leased with `FOR UPDATE SKIP LOCKED`. A failed delivery is retried with exponential
/// back-off (capped at an hour) up to `maxAttempts`, so an outage of the mail server
/// delays mail but loses none; the row keeps the last error either way.
struct EmailSender: Service {
    let outbox: EmailOutbox
    let transport: any MailTransport
    let pollInterval: Duration
    let maxAttempts: Int
    let retryBase: Duration
    let logger: Logger
    static let lease: Duration = .seconds(300)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await deliverDue()
                } catch {
                    logger.warning("e-mail outbox unavailable", metadata: ["error_type": "\(type(of: error))"])
                }
                await outbox.doorbell.wait(timeout: pollInterval)
            }
        }
    }

    /// Sends everything that is due; returns how many messages were attempted.
    @discardableResult
    func deliverDue() async throws -> Int {
        var attempted = 0
        while !Task.isCancelled {
            let batch = try await outbox.claimDue(limit: 10, lease: Self.lease)
            if batch.isEmpty { break }
            for item in batch {
                attempted += 1
                // Not cancelled by shutdown: a message that went out must be marked sent,
                // or it would be sent again once its lease expires.
                try await Task { try await deliver(item) }.value
            }
        }
        return attempted
    }

    func deliver(_ item: EmailOutbox.Claimed) async throws {
        do {
            try await transport.send(item.message)
            try await outbox.markDelivered(item.id, status: transport.deliveredStatus)
            logger.info("e-mail delivered", metadata: ["kind": .string(item.message.kind), "outbox_id": .string(item.id.uuidString)])
        } catch {
            let retry = item.attempts < maxAttempts ? Self.backoff(afterAttempt: item.attempts, base: retryBase) : nil
            logger.warning(
                retry == nil ? "e-mail delivery failed for good" : "e-mail delivery failed; will retry",
                metadata: ["kind": .string(item.message.kind), "attempt": .stringConvertible(item.attempts), "error": .string("\(error)")])
            try await outbox.markFailed(item.id, error: String(describing: error).prefix(500).description, retryAfter: retry)
        }
    }

    /// base, 2×base, 4×base … capped at one hour, with up to 20 % jitter so that replicas
    /// and messages do not retry in lock-step.
    static func backoff(afterAttempt attempt: Int, base: Duration) -> Duration {
        let baseSeconds = Double(base.components.seconds) + Double(base.components.attoseconds) / 1e18
        let seconds = min(3600.0, baseSeconds * pow(2.0, Double(max(0, attempt - 1))))
        return .milliseconds(Int(seconds * 1000 * Double.random(in: 1.0...1.2)))
    }
}
