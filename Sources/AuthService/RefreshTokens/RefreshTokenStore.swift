import Core
import Crypto
import Foundation
import Logging
import PostgresNIO

/// Refresh tokens: random, stored as SHA-256, rotated on every use, grouped in families.
///
/// A successor is derived from its parent with an HMAC under the server's secret, so a
/// second refresh with the same token inside the grace window gets the very same new
/// token without the server ever storing a token in clear.
struct RefreshTokenStore: Sendable {
    let database: Database
    let derivationKey: SymmetricKey
    let lifetime: Duration
    let grace: Duration

    enum Rotation: Sendable {
        case rotated(userID: UUID, successor: String, familyID: UUID)
        case invalid
        /// A rotated token came back after the grace window: the family was revoked.
        case reused(userID: UUID, familyID: UUID)
    }

    init(database: Database, secret: String, lifetime: Duration, grace: Duration) {
        self.database = database
        self.derivationKey = SymmetricKey(data: SHA256.hash(data: Data(("refresh-token-derivation:" + secret).utf8)))
        self.lifetime = lifetime
        self.grace = grace
    }

    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64URLEncodedString()
    }

    static func hash(_ token: String) -> String {
        Hex.sha256(token)
    }

    func successor(of token: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(("rotate:" + token).utf8), using: derivationKey)).base64URLEncodedString()
    }

    var lifetimeSeconds: Double { Double(lifetime.components.seconds) }

    /// A new session: its first refresh token and its family, the session's id.
    struct Issued: Sendable {
        var token: String
        var familyID: UUID
    }

    /// Starts a new family for `userID`.
    func issue(userID: UUID, on runner: any SQLRunner) async throws -> Issued {
        let token = Self.newToken()
        let familyID = UUID()
        try await runner.run(
            """
            INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at)
            VALUES (\(userID), \(familyID), \(Self.hash(token)), now() + make_interval(secs => \(lifetimeSeconds)))
            """, logger: database.logger)
        return Issued(token: token, familyID: familyID)
    }

    /// Whether the session is alive: a token of the family neither revoked (logout, theft)
    /// nor expired (the family's absolute lifetime).
    func isLive(familyID: UUID) async throws -> Bool {
        let rows = try await database.client.query(
            "SELECT 1 FROM refresh_tokens WHERE family_id = \(familyID) AND revoked_at IS NULL AND expires_at > now() LIMIT 1",
            logger: database.logger)
        for try await _ in rows { return true }
        return false
    }

    func rotate(_ token: String) async throws -> Rotation {
        let hash = Self.hash(token)
        let successor = successor(of: token)
        let graceSeconds = Double(grace.components.seconds)
        let lifetimeSeconds = self.lifetimeSeconds
        let logger = database.logger
        return try await database.client.withTransaction(logger: logger) { connection -> Rotation in
            // FOR UPDATE serialises concurrent refreshes of the same token.
            let rows = try await connection.query(
                """
                SELECT user_id, family_id, expires_at > now(), rotated_at IS NOT NULL,
                       coalesce(rotated_at > now() - make_interval(secs => \(graceSeconds)), false), revoked_at IS NOT NULL
                FROM refresh_tokens WHERE token_hash = \(hash) FOR UPDATE
                """, logger: logger)
            var found: (UUID, UUID, Bool, Bool, Bool, Bool)?
            for try await row in rows.decode((UUID, UUID, Bool, Bool, Bool, Bool).self) { found = row }
            guard let (userID, familyID, live, rotated, withinGrace, revoked) = found, live, !revoked else { return .invalid }
            if !rotated {
                try await connection.query("UPDATE refresh_tokens SET rotated_at = now() WHERE token_hash = \(hash)", logger: logger)
                try await connection.query(
                    """
                    INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at)
                    VALUES (\(userID), \(familyID), \(Self.hash(successor)), now() + make_interval(secs => \(lifetimeSeconds)))
                    """, logger: logger)
                return .rotated(userID: userID, successor: successor, familyID: familyID)
            }
            if withinGrace {
                // The successor must still be usable (not revoked since).
                let check = try await connection.query(
                    "SELECT 1 FROM refresh_tokens WHERE token_hash = \(Self.hash(successor)) AND revoked_at IS NULL", logger: logger)
                for try await _ in check { return .rotated(userID: userID, successor: successor, familyID: familyID) }
                return .invalid
            }
            try await connection.query(
                "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = \(familyID) AND revoked_at IS NULL", logger: logger)
            return .reused(userID: userID, familyID: familyID)
        }
    }

    /// Revokes the family of `token` (logout).
    func revokeFamily(of token: String) async throws {
        try await database.client.query(
            """
            UPDATE refresh_tokens SET revoked_at = now()
            WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = \(Self.hash(token))) AND revoked_at IS NULL
            """, logger: database.logger)
    }

    /// Revokes every family of a user (password change or reset).
    func revokeAll(userID: UUID, on runner: any SQLRunner) async throws {
        try await runner.run(
            "UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = \(userID) AND revoked_at IS NULL", logger: database.logger)
    }
}
