import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport

@testable import APIService

/// Requests for the writer tests: (status, parsed body).
@discardableResult
func writerCall(
    _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ auth: HTTPFields, _ body: JSONValue? = nil,
    headers: HTTPFields = [:]
) async throws -> (HTTPResponse.Status, JSONValue) {
    var fields = auth
    for field in headers { fields.append(field) }
    if body != nil { fields[.contentType] = "application/json" }
    return try await client.execute(uri: uri, method: method, headers: fields, body: body.map { ByteBuffer.json($0) }) { ($0.status, $0.json) }
}

/// A raw body (malformed JSON, for instance).
func writerCallRaw(
    _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ auth: HTTPFields, _ body: String
) async throws -> (HTTPResponse.Status, JSONValue) {
    var fields = auth
    fields[.contentType] = "application/json"
    return try await client.execute(uri: uri, method: method, headers: fields, body: ByteBuffer(string: body)) { ($0.status, $0.json) }
}

/// The user's spendable credit balance, as GET /credits reports it.
func writerBalance(_ client: any TestClientProtocol, _ auth: HTTPFields) async throws -> Int? {
    try await writerCall(client, .get, "/api/v1/credits", auth).1["data"]?["balance"]?.intValue
}

/// A user on `plan` for the current month, written before the service has cached anything.
func writerUser(_ harness: APIHarness, plan: String = "FREE") async throws -> (UUID, HTTPFields) {
    let (id, auth) = try await harness.user()
    if plan != "FREE" {
        try await harness.database.client.query(
            """
            INSERT INTO subscriptions (user_id, plan, status, current_period_start, current_period_end)
            VALUES (\(id), \(plan), 'ACTIVE', now(), now() + interval '1 month')
            ON CONFLICT (user_id) DO UPDATE SET plan = EXCLUDED.plan
            """, logger: harness.database.logger)
    }
    return (id, auth)
}
