import Core
import Foundation
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
    let topLevel: (any Encodable & Sendable)?
    /// Writes `data` straight into the buffer: chosen when the envelope is made, where the
    /// payload's type is known, so no dynamic cast per response decides it (issue #15).
    let writeData: (@Sendable (Payload, inout JSONObjectWriter) -> Void)?
    /// The whole answer, already written: a reused one (`init(_:reusing:for:)`).
    private(set) var written: ByteBuffer?

    init(_ data: Payload, message: String? = nil, status: HTTPResponse.Status? = nil) {
        self.init(data, message: message, status: status, topLevel: nil, writeData: nil)
    }

    init(_ data: Payload, message: String? = nil, status: HTTPResponse.Status? = nil, topLevel: any Encodable & Sendable) {
        self.init(data, message: message, status: status, topLevel: topLevel, writeData: nil)
    }

    private init(
        _ data: Payload, message: String?, status: HTTPResponse.Status?, topLevel: (any Encodable & Sendable)?,
        writeData: (@Sendable (Payload, inout JSONObjectWriter) -> Void)?
    ) {
        self.data = data
        self.message = message
        self.status = status
        self.topLevel = topLevel
        self.writeData = writeData
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status ?? .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: try bytes()))
    }

    /// Whether `bytes()` writes the payload itself rather than through `WireEncoder`.
    var isWrittenDirectly: Bool { writeData != nil }

    /// The envelope's JSON: written directly for a `WireWritable` payload (the hot reads),
    /// else by `WireEncoder`; the two agree byte for byte (EnvelopeBytesTests).
    func bytes() throws -> ByteBuffer {
        if let written { return written }
        guard writeData != nil else { return try encodedBytes() }
        return directBytes()
    }

    /// The envelope by the payload's own writer; `writeData` must be set.
    private func directBytes() -> ByteBuffer {
        var object = JSONObjectWriter(buffer: ByteBufferAllocator().buffer(capacity: 512))
        object.field("success", true)
        writeData?(data, &object)
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

extension Envelope where Payload: WireWritable {
    /// Preferred over the general initializer wherever the payload's type is known to be
    /// `WireWritable` (the more constrained overload wins).
    init(_ data: Payload, message: String? = nil, status: HTTPResponse.Status? = nil) {
        self.init(data, message: message, status: status, topLevel: nil, writeData: { data, object in object.field("data", data) })
    }
}

extension Envelope where Payload: WireWritable & Equatable {
    /// The answer of a hot read (`/me`, `/subscription/usage`), written once per caller
    /// while its payload is unchanged: `cache` holds the bytes last written for `key`,
    /// reused only when the payload equals the one they were written from.
    init(_ data: Payload, reusing cache: RenderedJSONCache<UUID, Payload>, for key: UUID) {
        self.init(data)
        let envelope = self
        written = cache.json(for: key, view: data) { _ in envelope.directBytes() }
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
