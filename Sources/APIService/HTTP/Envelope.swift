import Core
import Hummingbird

/// The success envelope, `{"success": true, "data": …, "message"?: …}`, around a typed
/// payload and written straight into the response buffer by `WireEncoder`.
struct Envelope<Payload: Encodable & Sendable>: ResponseGenerator, Sendable {
    var data: Payload
    var message: String?
    /// nil: the status the route declares (200 unless it says otherwise).
    var status: HTTPResponse.Status?
    /// Fields beside `success` and `data`, for the frontend screens that read them there
    /// (the admin dashboard); an object whose keys never collide with the envelope's.
    var topLevel: (any Encodable & Sendable)?

    init(_ data: Payload, message: String? = nil, status: HTTPResponse.Status? = nil, topLevel: (any Encodable & Sendable)? = nil) {
        self.data = data
        self.message = message
        self.status = status
        self.topLevel = topLevel
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status ?? .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: try bytes()))
    }

    /// The envelope's JSON: written directly for a `WireWritable` payload (the hot reads),
    /// else by `WireEncoder`; the two agree byte for byte (EnvelopeBytesTests).
    func bytes() throws -> ByteBuffer {
        guard topLevel == nil, let direct = data as? any WireWritable else { return try encodedBytes() }
        var object = JSONObjectWriter(buffer: ByteBufferAllocator().buffer(capacity: 512))
        object.field("success", true)
        object.field("data", direct)
        if let message { object.field("message", message) }
        return object.finish()
    }

    /// The envelope through `WireEncoder`: the definition the direct writers must match.
    func encodedBytes() throws -> ByteBuffer {
        try WireEncoder.encode(Body(envelope: self))
    }

    private struct Body: Encodable {
        let envelope: Envelope
        enum Keys: String, CodingKey { case success, data, message }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(true, forKey: .success)
            try container.encode(envelope.data, forKey: .data)
            if let message = envelope.message { try container.encode(message, forKey: .message) }
            try envelope.topLevel?.encode(to: encoder)
        }
    }
}

/// The document's description of an envelope around `Payload`.
enum EnvelopeSchema {
    static func schema(data: JSONValue) -> JSONValue {
        [
            "type": "object", "required": ["success", "data"],
            "properties": ["success": ["type": "boolean", "const": true], "data": data, "message": ["type": "string"]],
        ]
    }

    /// `{"success": false, "error": {code, message, details?}}`.
    static let error: JSONValue = [
        "type": "object", "required": ["success", "error"],
        "properties": [
            "success": ["type": "boolean", "const": false],
            "error": [
                "type": "object", "required": ["code", "message"],
                "properties": [
                    "code": ["type": "string"], "message": ["type": "string"],
                    // `[{field, message}]` for VALIDATION_ERROR; other codes carry their own.
                    "details": [:],
                ],
            ],
        ],
    ]
}

/// A payload with no fields of its own: `{}`.
struct Empty: ResponseContent {}
