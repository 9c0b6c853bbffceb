import Foundation
import NIOCore

/// Reads back what `WireEncoder` wrote (ISO 8601 dates with or without milliseconds):
/// cached responses, and stored results replayed for a repeated `Idempotency-Key`.
public enum WireDecoder {
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try decoder.decode(T.self, from: data)
    }

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = ISO8601.parse(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an ISO 8601 date"))
            }
            return date
        }
        return decoder
    }()
}

extension JSONValue {
    /// This value as `T` (for a result kept as JSON, e.g. by the idempotency store).
    public func decoded<T: Decodable>(as type: T.Type) throws -> T {
        try WireDecoder.decode(T.self, from: encodedData())
    }
}

extension JSONValue {
    /// `value` as `WireEncoder` writes it, as a tree (for a result that is kept as JSON).
    public init<T: Encodable>(wire value: T) throws {
        let buffer = try WireEncoder.encode(value)
        self = try JSONDecoder().decode(JSONValue.self, from: Data(buffer.readableBytesView))
    }
}
