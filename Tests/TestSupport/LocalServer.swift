import Foundation
import Hummingbird

/// A stand-in for an external service (a provider, a payment API, WordPress) on a real
/// loopback port, so the code under test goes through its real HTTP client.
public enum LocalServer {
    /// Serves `router` on 127.0.0.1:`port` and returns once it answers; cancel the task to
    /// stop it. A `/ping` route is added for the readiness check. It answers a token of its
    /// own: two tests handed the same free port at once must not take each other's server
    /// for theirs (the loser's bind fails, and it throws instead of talking to the winner).
    public static func start(_ router: Router<BasicRequestContext>, port: Int) async throws -> Task<Void, any Error> {
        let token = UUID().uuidString
        router.get("/ping") { _, _ in token }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: quietLogger)
        let task = Task { try await app.run() }
        for _ in 0..<250 {
            if let reply = try? await HTTP.get("http://127.0.0.1:\(port)/ping"), reply.body == token { return task }
            try await Task.sleep(for: .milliseconds(20))
        }
        task.cancel()
        throw ServiceProcess.LaunchError(message: "the local server on port \(port) did not start (is the port taken?)")
    }
}
