import Hummingbird

/// A stand-in for an external service (a provider, a payment API, WordPress) on a real
/// loopback port, so the code under test goes through its real HTTP client.
public enum LocalServer {
    /// Serves `router` on 127.0.0.1:`port` and returns once it answers; cancel the task to
    /// stop it. A `/ping` route is added for the readiness check.
    public static func start(_ router: Router<BasicRequestContext>, port: Int) async throws -> Task<Void, any Error> {
        router.get("/ping") { _, _ in "pong" }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: quietLogger)
        let task = Task { try await app.run() }
        for _ in 0..<100 {
            if (try? await HTTP.get("http://127.0.0.1:\(port)/ping")) != nil { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        return task
    }
}
