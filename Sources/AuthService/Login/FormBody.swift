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
        guard request.mediaType == "application/x-www-form-urlencoded" else { return FormBody(fields: [:]) }
        return FormBody(encoded: String(buffer: buffer))
    }

    init(fields: [String: String]) {
        self.fields = fields
    }

    init(encoded: String) {
        var fields: [String: String] = [:]
        for pair in encoded.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let rawName = parts.first else { continue }
            let name = Self.decode(rawName)
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            if fields[name] == nil { fields[name] = value }
        }
        self.fields = fields
    }

    static func decode(_ component: Substring) -> String {
        let spaced = component.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// The required fields' values, or a 422 listing every missing one.
    func require(_ names: [String]) throws -> [String] {
        let missing = names.filter { fields[$0] == nil }
        guard missing.isEmpty else {
            throw CoreError.invalidInput(missing.map { ValidationIssue.missing($0, input: .null) })
        }
        return names.compactMap { fields[$0] }
    }
}
