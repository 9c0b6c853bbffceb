import Logging
import ServiceLifecycle

/// Frees, every `interval`, the credit holds whose worker crashed before settling or
/// releasing them (their `expires_at` passed), so that no reservation has to look for
/// them first. Each replica runs one; they do not step on each other.
public struct HoldSweeper: Service {
    let reservations: CreditReservations
    let interval: Duration

    public init(reservations: CreditReservations, interval: Duration = .seconds(60)) {
        self.reservations = reservations
        self.interval = interval
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await reservations.sweepExpiredHolds()
                } catch {
                    reservations.logger.warning("expired hold sweep failed", metadata: ["error": "\(String(reflecting: error))"])
                }
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return  // cancelled: shutting down
                }
            }
        }
    }
}
