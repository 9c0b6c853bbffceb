import Core
import Foundation
import Hummingbird

/// `application/x-www-form-urlencoded` bodies, as FastAPI's `Form(...)` reads them. A body
/// of another type yields no fields, so required ones are reported missing (FastAPI does
/// the same).
struct FormBody {
    var fields: [String: String]

    static func read(_ request: Request, context: AppRequestContext) async throws -> FormBody {
        let buffer = try await request.collectBody(context: context)
        switch request.mediaType {
        case "application/x-www-form-urlencoded":
            return FormBody(encoded: String(buffer: buffer))
        case "multipart/form-data":
            guard let boundary = request.headers[.contentType].flatMap(Multipart.boundary(in:)) else { return FormBody(fields: [:]) }
            return FormBody(multipart: Array(buffer: buffer), boundary: boundary)
        default:
            return FormBody(fields: [:])
        }
    }

    /// The text fields of a multipart/form-data body (files are not expected here); the
    /// first part of each name wins.
    init(multipart body: [UInt8], boundary: String) {
        var fields: [String: String] = [:]
        for part in Multipart.parse(body, boundary: boundary) where !part.name.isEmpty && fields[part.name] == nil {
            fields[part.name] = part.text
        }
        self.fields = fields
    }

    init(fields: [String: String]) {
        self.fields = fields
    }

    /// The first value of each name.
    init(encoded: String) {
        var fields: [String: String] = [:]
        for (name, value) in FormEncoding.decode(encoded) where fields[name] == nil { fields[name] = value }
        self.fields = fields
    }

    /// The required fields' values, or a 422 listing every missing one.
    func require(_ names: [String]) throws -> [String] {
        // FastAPI treats an empty form value as absent.
        let missing = names.filter { fields[$0]?.isEmpty ?? true }
        guard missing.isEmpty else {
            throw CoreError.invalidInput(missing.map { ValidationIssue.missing($0, input: .null) })
        }
        return names.compactMap { fields[$0] }
    }
}
