import CArgon2
import Foundation
import HummingbirdBcrypt
import NIOPosix

/// bcrypt for new hashes; bcrypt of any cost and argon2 (what fastapi-users wrote) for
/// verification. All hashing runs on a thread pool: a burst of logins must not stall
/// the event loops that serve every other request.
struct PasswordHasher: Sendable {
    enum Verdict: Equatable {
        case mismatch
        /// The password matches; `needsRehash` when the stored hash is not bcrypt at our cost.
        case match(needsRehash: Bool)
    }

    let cost: UInt8
    let threadPool: NIOThreadPool
    /// Verified against when the user does not exist, so that an unknown e-mail costs the
    /// same work as a wrong password.
    let dummyHash: String

    init(cost: UInt8, threadPool: NIOThreadPool = .singleton) {
        self.cost = cost
        self.threadPool = threadPool
        self.dummyHash = Bcrypt.hash("nova-xfinity timing equaliser", cost: cost)
    }

    func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await threadPool.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, against storedHash: String) async throws -> Verdict {
        let cost = self.cost
        return try await threadPool.runIfActive {
            Self.verifySync(password, against: storedHash, cost: cost)
        }
    }

    /// Spends one verification's worth of work and always fails.
    func burnVerification(_ password: String) async throws {
        _ = try await verify(password, against: dummyHash)
    }

    static func verifySync(_ password: String, against storedHash: String, cost: UInt8) -> Verdict {
        if storedHash.hasPrefix("$argon2") {
            return verifyArgon2(password, against: storedHash) ? .match(needsRehash: true) : .mismatch
        }
        guard let bcryptHash = normalizedBcrypt(storedHash) else { return .mismatch }
        guard Bcrypt.verify(password, hash: bcryptHash) else { return .mismatch }
        let currentPrefix = "$2b$" + (cost < 10 ? "0\(cost)" : "\(cost)") + "$"
        return .match(needsRehash: !storedHash.hasPrefix(currentPrefix))
    }

    /// `$2a$`, `$2b$` and `$2y$` (PHP's name for the same algorithm) are accepted.
    static func normalizedBcrypt(_ hash: String) -> String? {
        guard hash.count == 60 else { return nil }
        if hash.hasPrefix("$2b$") || hash.hasPrefix("$2a$") { return hash }
        if hash.hasPrefix("$2y$") { return "$2b$" + hash.dropFirst(4) }
        return nil
    }

    static func verifyArgon2(_ password: String, against encoded: String) -> Bool {
        let type: argon2_type
        if encoded.hasPrefix("$argon2id$") {
            type = Argon2_id
        } else if encoded.hasPrefix("$argon2i$") {
            type = Argon2_i
        } else if encoded.hasPrefix("$argon2d$") {
            type = Argon2_d
        } else {
            return false
        }
        var bytes = Array(password.utf8)
        return encoded.withCString { encodedPointer in
            bytes.withUnsafeMutableBytes { buffer in
                argon2_verify(encodedPointer, buffer.baseAddress, buffer.count, type) == ARGON2_OK.rawValue
            }
        }
    }
}
