import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import TestSupport

@testable import APIService

extension APIHarness {
    /// A user with `role = admin` and the bearer header of their access token.
    func adminUser() async throws -> (UUID, HTTPFields) {
        let id = try await TestUsers.create(on: database, role: "admin")
        return (id, [.authorization: "Bearer \(try await tokens.accessToken(for: id))"])
    }

    func sqlInt(_ query: PostgresQuery) async throws -> Int {
        try await TestUsers.integer(query, on: database)
    }

    func sqlText(_ query: PostgresQuery) async throws -> String? {
        for try await value in try await database.client.query(query, logger: database.logger).decode(String?.self) { return value }
        return nil
    }
}

/// One request: status and parsed body. `body` is sent as JSON when given.
@discardableResult
func exchange(
    _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ auth: HTTPFields = [:], _ body: String? = nil
) async throws -> (status: HTTPResponse.Status, json: JSONValue) {
    var headers = auth
    if body != nil { headers[.contentType] = "application/json" }
    return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) {
        ($0.status, $0.json)
    }
}

extension JSONValue {
    /// The `field` of the first VALIDATION_ERROR detail.
    var firstDetailField: JSONValue? { self["error"]?["details"]?.arrayValue?.first?["field"] }
    var envelopeErrorCode: JSONValue? { self["error"]?["code"] }

    /// An integer or a fractional number (JSON does not tell 4 from 4.0).
    var numericValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }
}

extension JSONValue {
    var keysOfObject: [String]? {
        if case .object(let object) = self { return Array(object.keys) }
        return nil
    }
}
