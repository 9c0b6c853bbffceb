import Crypto
import Foundation

func hmacHex(key: String, message: String) -> String {
    HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: Data(key.utf8))).map { String(format: "%02x", $0) }.joined()
}
