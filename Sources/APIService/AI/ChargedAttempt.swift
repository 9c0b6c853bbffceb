import Core
import Logging
import NIOConcurrencyHelpers

/// The usage row of a generation's charged attempt, written in the settlement's
/// transaction rather than on its own: one commit for the charge and its history, and
/// two statements fewer per generation. When the settlement does not happen (the work or
/// the settlement failed), the row is written afterwards with no credits, as a failed
/// generation's attempts are.
final class ChargedAttempt: Sendable {
    private let event = NIOLockedValueBox<UsageEvent?>(nil)

    func keep(_ event: UsageEvent) { self.event.withLockedValue { $0 = event } }

    /// `settling` (the job's own writes) preceded by the kept row.
    func settling(
        _ settling: (@Sendable (JSONValue, any SQLRunner) async throws -> Void)?, _ recorder: UsageRecorder
    ) -> @Sendable (JSONValue, any SQLRunner) async throws -> Void {
        { [self] value, runner in
            if let event = event.withLockedValue({ $0 }) { try await recorder.record(event, on: runner) }
            try await settling?(value, runner)
        }
    }

    /// Runs `perform`; when it throws, the kept row (if any) is written uncharged.
    func recordingIfUnsettled<T: Sendable>(
        _ recorder: UsageRecorder, logger: Logger, _ perform: () async throws -> T
    ) async throws -> T {
        do {
            return try await perform()
        } catch {
            if var unsettled = event.withLockedValue({ $0 }) {
                unsettled.credits = 0
                await recorder.recordLoggingFailure(unsettled, logger: logger)
            }
            throw error
        }
    }
}
