import Core
import Foundation
import Hummingbird

/// The success envelope: `{"success": true, "data": …, "message"?: …}`.
enum Envelope {
    static func ok(_ data: JSONValue, message: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        var body: [String: JSONValue] = ["success": true, "data": data]
        if let message { body["message"] = .string(message) }
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(data: JSONValue.object(body).encodedData())))
    }

    static func date(_ date: Date?) -> JSONValue {
        date.map { .string(ISO8601.string(from: $0, fractionalSeconds: true)) } ?? .null
    }
}
