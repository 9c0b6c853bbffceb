import Core
import Foundation
import TestSupport
import Testing

@testable import APIService

/// The composition root builds the AI and media services once, and the background loops
/// built from them stop as soon as they are cancelled.
@Suite struct APIDependenciesTests {
    /// APIDependencies over an isolated, running database (the loops below would otherwise
    /// take other tests' notifications and videos).
    func withDependencies(_ overrides: [String: String] = [:], _ body: @Sendable (APIDependencies) async throws -> Void) async throws {
        let url = try await TestDatabase.makeMigrated()
        let config = try APIConfig(env: testEnvironment(databaseURL: url, overrides))
        try await TestDatabase.with(url: url) { database in
            let foundation = ServiceFoundation(
                name: "test", config: config.core, logger: quietLogger, database: database, tokens: await TokenService(secret: testSecret))
            try await body(APIDependencies(foundation: foundation, config: config))
        }
        try await TestDatabase.drop(url)
    }

    @Test func theServicesAreBuiltOnceAndShared() async throws {
        let config = try APIConfig(env: testEnvironment(databaseURL: "postgres://postgres@127.0.0.1:1/none"))
        let foundation = try await ServiceFoundation(name: "test", config: config.core, logger: quietLogger)
        let dependencies = APIDependencies(foundation: foundation, config: config)
        // Stored, not computed on each access: every route collection gets these values.
        let stored = Set(Mirror(reflecting: dependencies).children.compactMap(\.label))
        #expect(stored.isSuperset(of: ["generation", "media", "videos"]))
        #expect(dependencies.generation.health === dependencies.providerHealth)
    }

    /// Lets `run` go for a moment, then cancels it and expects it to end well before its
    /// next poll (ten minutes away; the bound is loose for a loaded test machine).
    func expectPromptExit(_ run: @escaping @Sendable () async throws -> Void) async throws {
        let task = Task { try await run() }
        try await Task.sleep(for: .milliseconds(300))
        let cancelled = ContinuousClock.now
        task.cancel()
        _ = await task.result
        #expect(ContinuousClock.now - cancelled < .seconds(60))
    }

    @Test func theBackgroundLoopsEndPromptlyWhenCancelled() async throws {
        try await withDependencies(["VIDEO_POLL_INTERVAL_MS": "600000", "NOTIFICATION_EMAIL_INTERVAL_MS": "600000"]) { dependencies in
            let mailer = NotificationMailer(
                database: dependencies.database, renderer: try NotificationMailer.makeRenderer(frontendURL: "http://app.test"),
                unsubscribe: dependencies.unsubscribeLinks, interval: dependencies.config.notificationEmailInterval)
            try await expectPromptExit { try await mailer.run() }
            let poller = VideoPoller(videos: dependencies.videos)
            try await expectPromptExit { try await poller.run() }
        }
    }
}
