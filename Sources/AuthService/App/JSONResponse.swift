import Core
import Foundation
import Hummingbird

/// JSON answers in the shapes FastAPI produces.
enum JSONResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    static func make<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: try encoder.encode(value))))
    }

    /// `/users/me` and the other answers of one user: its JSON is written once while the
    /// user is unchanged (issue #15).
    static func user(_ user: UserRecord, status: HTTPResponse.Status = .ok) -> Response {
        let view = UserRead(user)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: users.json(for: view.id, view: view) { $0.json }))
    }

    static let users = RenderedJSONCache<UUID, UserRead>(maxEntries: 10_000)

    /// FastAPI's body for a route that returns `None`.
    static func null(status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "null")))
    }
}
