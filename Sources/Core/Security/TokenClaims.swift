import JWTKit

/// The audiences fastapi-users puts in its tokens. They are part of the wire contract:
/// a token minted by the replaced service must verify here and the other way round.
public enum TokenAudience {
    public static let access = "fastapi-users:auth"
    public static let verify = "fastapi-users:verify"
    public static let reset = "fastapi-users:reset"
}

/// `aud` may be a string or an array of strings (RFC 7519 §4.1.3); fastapi-users writes
/// an array for access tokens and a string for verify/reset tokens.
struct FlexibleAudience: Codable, Sendable, Equatable {
    var values: [String]
    var encodeAsArray: Bool

    init(_ values: [String], encodeAsArray: Bool) {
        self.values = values
        self.encodeAsArray = encodeAsArray
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let single = try? container.decode(String.self) {
            self.init([single], encodeAsArray: false)
        } else {
            self.init(try container.decode([String].self), encodeAsArray: true)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if encodeAsArray || values.count != 1 {
            try container.encode(values)
        } else {
            try container.encode(values[0])
        }
    }
}

/// `exp` as PyJWT writes it: whole seconds since the epoch. Fractions are accepted.
struct EpochSeconds: Codable, Sendable, Equatable {
    var seconds: Int64

    init(_ seconds: Int64) { self.seconds = seconds }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let whole = try? container.decode(Int64.self) {
            seconds = whole
        } else {
            let value = try container.decode(Double.self)
            guard value.isFinite, abs(value) < 1e15 else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "exp out of range")
            }
            seconds = Int64(value)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(seconds)
    }
}

/// Claims of the access token: exactly `sub`, `aud`, `exp`.
public struct AccessTokenClaims: JWTPayload, Equatable {
    public var subject: String
    var audience: FlexibleAudience
    var expiration: EpochSeconds
    /// The session (refresh-token family) a login token belongs to, so that a renewal can
    /// check the session is still alive; absent on tokens issued outside a session.
    public var sessionID: String?

    public var audiences: [String] { audience.values }
    public var expiresAt: Int64 { expiration.seconds }

    public init(subject: String, expiresAt: Int64, sessionID: String? = nil) {
        self.subject = subject
        self.audience = FlexibleAudience([TokenAudience.access], encodeAsArray: true)
        self.expiration = EpochSeconds(expiresAt)
        self.sessionID = sessionID
    }

    enum CodingKeys: String, CodingKey {
        case subject = "sub"
        case audience = "aud"
        case expiration = "exp"
        case sessionID = "sid"
    }

    // Expiry and audience are checked by `TokenService` against its injected clock.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Claims of the e-mail verification token.
public struct VerifyTokenClaims: JWTPayload, Equatable {
    public var subject: String
    public var email: String
    var audience: FlexibleAudience
    var expiration: EpochSeconds

    public var audiences: [String] { audience.values }
    public var expiresAt: Int64 { expiration.seconds }

    public init(subject: String, email: String, expiresAt: Int64) {
        self.subject = subject
        self.email = email
        self.audience = FlexibleAudience([TokenAudience.verify], encodeAsArray: false)
        self.expiration = EpochSeconds(expiresAt)
    }

    enum CodingKeys: String, CodingKey {
        case subject = "sub"
        case email
        case audience = "aud"
        case expiration = "exp"
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Claims of the password reset token. `password_fgpt` fingerprints the password hash at
/// issue time, so the token stops working once the password changes.
public struct ResetTokenClaims: JWTPayload, Equatable {
    public var subject: String
    public var passwordFingerprint: String
    var audience: FlexibleAudience
    var expiration: EpochSeconds

    public var audiences: [String] { audience.values }
    public var expiresAt: Int64 { expiration.seconds }

    public init(subject: String, passwordFingerprint: String, expiresAt: Int64) {
        self.subject = subject
        self.passwordFingerprint = passwordFingerprint
        self.audience = FlexibleAudience([TokenAudience.reset], encodeAsArray: false)
        self.expiration = EpochSeconds(expiresAt)
    }

    enum CodingKeys: String, CodingKey {
        case subject = "sub"
        case passwordFingerprint = "password_fgpt"
        case audience = "aud"
        case expiration = "exp"
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Common view of the claims `TokenService` checks for every kind of token.
protocol ExpiringAudienceClaims: JWTPayload {
    var audiences: [String] { get }
    var expiresAt: Int64 { get }
}

extension AccessTokenClaims: ExpiringAudienceClaims {}
extension VerifyTokenClaims: ExpiringAudienceClaims {}
extension ResetTokenClaims: ExpiringAudienceClaims {}
