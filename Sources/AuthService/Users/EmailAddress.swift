import Core
import Foundation

/// E-mail syntax as pydantic's `EmailStr` checks it (email-validator 2, without the
/// deliverability lookup), with its wording in the 422 message. The domain is lower-cased
/// and the local part kept as typed, as pydantic normalises.
enum EmailAddress {
    struct Invalid: Error, Equatable {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// pydantic's limit, checked on the raw input before anything else looks at it.
    static let maximumLength = 2048

    static func normalize(_ raw: String) -> Result<String, Invalid> {
        guard raw.count <= maximumLength else { return .failure(Invalid("Length must not exceed 2048 characters")) }
        var value = displayNameAddress(raw) ?? raw
        value = value.trimmingCharacters(in: .whitespaces)
        guard let at = value.firstIndex(of: "@") else { return .failure(Invalid("An email address must have an @-sign.")) }
        let local = String(value[..<at])
        let domain = String(value[value.index(after: at)...])
        guard !local.isEmpty else { return .failure(Invalid("There must be something before the @-sign.")) }
        guard !domain.isEmpty else { return .failure(Invalid("There must be something after the @-sign.")) }
        if let reason = localPartProblem(local) { return .failure(Invalid(reason)) }
        if let reason = domainProblem(domain) { return .failure(Invalid(reason)) }
        guard local.utf8.count <= 64 else {
            return .failure(Invalid("The email address is too long before the @-sign (\(local.utf8.count - 64) characters too many)."))
        }
        guard value.utf8.count <= 254 else {
            return .failure(Invalid("The email address is too long (\(value.utf8.count - 254) characters too many)."))
        }
        return .success(local + "@" + domain.lowercased())
    }

    /// pydantic accepts `Display Name <address>` and keeps the address: what its pattern
    /// `^ *([\w ]*?) *<(.+?)> *$` matches, read in one pass instead of by backtracking.
    /// The name is word characters and spaces; the address runs from the first `<` to the
    /// last `>`, after which only spaces may follow, and holds no line break.
    static func displayNameAddress(_ raw: String) -> String? {
        let scalars = Array(raw.unicodeScalars)
        guard let open = scalars.firstIndex(of: "<") else { return nil }
        var close = scalars.count
        while close > open, scalars[close - 1] == " " { close -= 1 }
        guard close > open + 2, scalars[close - 1] == ">" else { return nil }
        let name = scalars[..<open]
        guard
            name.allSatisfy({
                $0 == " " || $0 == "_" || $0.properties.isAlphabetic || $0.properties.numericType == .decimal
                    || $0.properties.generalCategory == .nonspacingMark || $0.properties.generalCategory == .spacingMark
            })
        else { return nil }
        let address = scalars[(open + 1)..<(close - 1)]
        guard !address.contains(where: { $0 == "\n" || $0 == "\r" }) else { return nil }
        return String(String.UnicodeScalarView(address))
    }

    static let atextSpecials = Set("!#$%&'*+-/=?^_`{|}~.")

    static func localPartProblem(_ local: String) -> String? {
        let invalid = local.filter { character in
            !(character.isLetter || character.isNumber || atextSpecials.contains(character) || (!character.isASCII && !character.isWhitespace))
        }
        if !invalid.isEmpty {
            return "The email address contains invalid characters before the @-sign: \(quotedList(invalid))."
        }
        if local.hasPrefix(".") { return "An email address cannot start with a period." }
        if local.hasSuffix(".") { return "An email address cannot have a period immediately before the @-sign." }
        if local.contains("..") { return "An email address cannot have two periods in a row." }
        return nil
    }

    static func domainProblem(_ domain: String) -> String? {
        let invalid = domain.filter { character in !(character.isLetter || character.isNumber || character == "-" || character == ".") }
        if !invalid.isEmpty {
            return "The part after the @-sign contains invalid characters: \(quotedList(invalid))."
        }
        if domain.hasPrefix(".") { return "An email address cannot have a period immediately after the @-sign." }
        if domain.hasSuffix(".") { return "An email address cannot end with a period." }
        if domain.contains("..") { return "An email address cannot have two periods in a row." }
        guard domain.contains(".") else { return "The part after the @-sign is not valid. It should have a period." }
        for label in domain.split(separator: ".") {
            if label.hasPrefix("-") || label.hasSuffix("-") {
                return "The part after the @-sign contains invalid characters (Label must not start or end with a hyphen.)."
            }
            if label.count > 63 { return "The email address is too long after the @-sign." }
        }
        if let tld = domain.split(separator: ".").last, tld.allSatisfy(\.isNumber) {
            return "The part after the @-sign is not valid. It is not within a valid top-level domain."
        }
        return nil
    }

    /// email-validator lists the offending characters sorted and quoted: `'@', '!'`.
    static func quotedList(_ characters: String) -> String {
        Set(characters).sorted().map { "'\($0)'" }.joined(separator: ", ")
    }
}

extension KeyedDecodingContainer {
    /// Decodes an `EmailStr` field: 422 `value_error` with email-validator's wording.
    func decodeEmail(forKey key: Key) throws -> String {
        let raw = try decode(String.self, forKey: key)
        switch EmailAddress.normalize(raw) {
        case .success(let email):
            return email
        case .failure(let failure):
            throw fail(
                key,
                FieldValidationError(
                    type: "value_error", message: "value is not a valid email address: \(failure.reason)",
                    context: ["reason": .string(failure.reason)]))
        }
    }

    func decodeEmailIfPresent(forKey key: Key) throws -> String? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try decodeEmail(forKey: key)
    }
}
