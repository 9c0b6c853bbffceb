import Core
import Foundation
import PostgresNIO
import TestSupport
import Testing

/// Both built executables on a migrated database of their own (what these tests change,
/// such as the admin's AI settings, must not reroute other tests), the auth service
/// forwarding `/api/*` to the API service as in production, and a verified user with a
/// bearer token.
struct LiveSystem {
    let api: ServiceProcess
    let auth: ServiceProcess
    let databaseURL: String
    let userID: UUID
    let bearer: String

    static func run(_ environment: [String: String] = [:], _ body: (LiveSystem) async throws -> Void) async throws {
        let url = try await TestDatabase.makeMigrated()
        let userID = try await TestUsers.withDatabase(url: url) { try await TestUsers.create(on: $0, verified: true) }
        let bearer = try await TokenService(secret: testSecret).accessToken(for: userID)
        let shared = [
            "DATABASE_URL": url, "ENV": "development", "SECRET": testSecret, "LOG_LEVEL": "error", "DATABASE_POOL_SIZE": "4",
            "RATE_LIMIT_ENABLED": "false", "AUTO_MIGRATE": "false", "FRONTEND_URL": "http://localhost:3000",
        ].merging(environment) { $1 }
        let api = try ServiceProcess(executable: "APIService", port: try freePort(), environment: shared)
        let auth = try ServiceProcess(
            executable: "AuthService", port: try freePort(), environment: shared.merging(["API_UPSTREAM_URL": api.baseURL]) { $1 })
        try await ServiceProcess.withRunning([api, auth], dropping: url) {
            try await body(LiveSystem(api: api, auth: auth, databaseURL: url, userID: userID, bearer: bearer))
        }
    }

    func healthy() async throws {
        for service in [api, auth] {
            #expect(service.isRunning, "\(service.name) died: \(service.capturedOutput().suffix(2_000))")
            let health = try await HTTP.get("\(service.baseURL)/health", timeout: .seconds(5))
            #expect(health.status == 200, "\(service.name) /health")
        }
    }

    func post(_ service: ServiceProcess, _ path: String, _ body: String, type: String = "application/json", authorized: Bool = true) async throws
        -> HTTP.Reply
    {
        var headers = [("Content-Type", type)]
        if authorized { headers.append(("Authorization", "Bearer \(bearer)")) }
        return try await HTTP.send("POST", service.baseURL + path, headers: headers, body: body, timeout: .seconds(120))
    }

    /// Runs SQL on the system's database (test set-up: roles, plans).
    func sql(_ statement: String) async throws {
        try await TestUsers.withDatabase(url: databaseURL) { database in
            _ = try await database.client.query(PostgresQuery(unsafeSQL: statement), logger: database.logger)
        }
    }
}
