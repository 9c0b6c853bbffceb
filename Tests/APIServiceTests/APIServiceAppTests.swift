import Core
import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import APIService

@Suite struct APIServiceAppTests {
    @Test func answersInTheEnvelopeAndIsReadyWithTheDatabase() async throws {
        let url = try await TestDatabase.migratedURL()
        let app = try await buildAPIApplication(config: APIConfig(env: testEnvironment(databaseURL: url)), logger: quietLogger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/api/v1/unknown", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.json["error"]?["code"] == "NOT_FOUND")
            }
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.json["info"]?["title"] == "Nova-XFinity API")
            }
        }
    }
}
