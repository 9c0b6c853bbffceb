/// E-mail syntax as pydantic's `EmailStr` (email-validator) checks it, closely enough for
/// the same inputs to pass and fail, with its wording in the 422 message.
enum EmailAddress {
    /// The normalized address (domain lower-cased), or the reason it is invalid.
    static func normalize(_ raw: String) -> Result<String, FieldValidationErrorReason> {
        let value = raw.trimmingCharacters(in: .whitespaces)
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            return .failure(.init("The email address is not valid. It must have exactly one @-sign."))
        }
        let local = String(parts[0])
        let domain = String(parts[1]).lowercased()
        guard !local.isEmpty else { return .failure(.init("There must be something before the @-sign.")) }
        guard !domain.isEmpty else { return .failure(.init("There must be something after the @-sign.")) }
        guard local.utf8.count <= 64 else { return .failure(.init("The email address is too long before the @-sign.")) }
        guard value.utf8.count <= 254 else { return .failure(.init("The email address is too long.")) }
        let allowedLocal = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~.")
        for character in local where !allowedLocal.contains(character) && character.isASCII {
            return .failure(.init("The email address contains invalid characters before the @-sign: '\(character)'."))
        }
        if local.hasPrefix(".") || local.hasSuffix(".") || local.contains("..") {
            return .failure(.init("The email address is not valid. A period cannot be at the start or end of the part before the @-sign, or appear twice in a row."))
        }
        guard domain.contains(".") else {
            return .failure(.init("The part after the @-sign is not valid. It should have a period."))
        }
        for label in domain.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty, label.count <= 63, !label.hasPrefix("-"), !label.hasSuffix("-"),
                label.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" })
            else {
                return .failure(.init("The part after the @-sign is not valid. It is not within a valid top-level domain."))
            }
        }
        return .success(local + "@" + domain)
    }
}

struct FieldValidationErrorReason: Error, Equatable {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

import Core

extension KeyedDecodingContainer {
    /// Decodes an `EmailStr` field: 422 `value_error` with email-validator's wording.
    func decodeEmail(forKey key: Key) throws -> String {
        let raw = try decode(String.self, forKey: key)
        switch EmailAddress.normalize(raw) {
        case .success(let email):
            return email
        case .failure(let failure):
            throw fail(key, FieldValidationError(
                type: "value_error", message: "value is not a valid email address: \(failure.reason)",
                context: ["reason": .string(failure.reason)]))
        }
    }

    func decodeEmailIfPresent(forKey key: Key) throws -> String? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try decodeEmail(forKey: key)
    }
}
