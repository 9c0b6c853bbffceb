import Core
import Foundation
import TestSupport
import Testing

/// Both built executables, started together against an empty database, over real HTTP.
@Suite(.serialized) struct LiveSystemTests {
    @Test func bothServicesStartTogetherServeAndStopCleanly() async throws {
        let databaseURL = try await TestDatabase.makeEmpty()
        defer { Task { try? await TestDatabase.drop(databaseURL) } }
        let apiPort = try freePort()
        let authPort = try freePort()
        let shared = ["DATABASE_URL": databaseURL, "ENV": "development", "SECRET": testSecret, "LOG_LEVEL": "warning", "DATABASE_POOL_SIZE": "4"]

        // Started at the same moment: both apply the schema under the advisory lock.
        let api = try ServiceProcess(executable: "APIService", port: apiPort, environment: shared)
        let auth = try ServiceProcess(
            executable: "AuthService", port: authPort,
            environment: shared.merging(["API_UPSTREAM_URL": "http://127.0.0.1:\(apiPort)"]) { $1 })
        try await api.waitUntilReady()
        try await auth.waitUntilReady()
        #expect(isListening(port: apiPort))

        for service in [api, auth] {
            let health = try await HTTP.get("\(service.baseURL)/health")
            #expect(health.status == 200)
            #expect(health.json["status"] == "ok")
            #expect(health.header("X-Content-Type-Options") == "nosniff")
            let ready = try await HTTP.get("\(service.baseURL)/ready")
            #expect(ready.status == 200)
        }

        // /api/* through the auth service reaches the API service (its envelope).
        let forwarded = try await HTTP.get("\(auth.baseURL)/api/v1/no-such-route")
        #expect(forwarded.status == 404)
        #expect(forwarded.json["success"] == false)
        #expect(forwarded.json["error"]?["code"] == "NOT_FOUND")

        let migrations = try await TestDatabase.with(url: databaseURL) { database in
            try await database.client.query("SELECT count(*)::int8 FROM schema_migrations").collect().first?.decode(Int64.self)
        }
        #expect(migrations == 1)

        #expect(try await auth.terminate() == 0)
        #expect(try await api.terminate() == 0)
        #expect(!isListening(port: apiPort))
        #expect(!isListening(port: authPort))
    }

    @Test func aBadVariableStopsTheProcessWithAMessageNamingIt() async throws {
        let process = try ServiceProcess(executable: "APIService", port: try freePort(), environment: ["DATABASE_URL": "mysql://nope/db"])
        let status = try await process.waitForExit(timeout: .seconds(20))
        #expect(status == 78)
        #expect(process.capturedOutput().contains("DATABASE_URL"))
    }
}
