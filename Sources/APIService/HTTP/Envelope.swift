import Core
import Foundation
import Hummingbird

/// The success envelope: `{"success": true, "data": …, "message"?: …}`.
enum Envelope {
    /// `topLevel`: fields beside `success` and `data`, for the frontend screens that read
    /// them there (the admin dashboard); they never replace the envelope's own.
    static func ok(_ data: JSONValue, message: String? = nil, status: HTTPResponse.Status = .ok, topLevel: [String: JSONValue] = [:]) -> Response {
        var body: [String: JSONValue] = topLevel
        body["success"] = true
        body["data"] = data
        if let message { body["message"] = .string(message) }
        return json(.object(body), status: status)
    }

    static func date(_ date: Date?) -> JSONValue {
        date.map { .string(ISO8601.string(from: $0, fractionalSeconds: true)) } ?? .null
    }

    /// A bare JSON array, for the frontend screens that use the whole body as a list.
    static func bare(_ items: [JSONValue], status: HTTPResponse.Status = .ok) -> Response {
        json(.array(items), status: status)
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: value.encodedData())))
    }
}
