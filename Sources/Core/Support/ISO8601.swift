import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// ISO 8601 timestamps (`2026-11-27T03:04:05Z`, UTC) without Foundation's format-style
/// machinery, which costs more than the rest of a small response.
public enum ISO8601 {
    public static func string(from date: Date, fractionalSeconds: Bool = false) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var result = pad(Int(parts.tm_year) + 1900, 4) + "-" + pad(Int(parts.tm_mon) + 1, 2) + "-" + pad(Int(parts.tm_mday), 2)
        result += "T" + pad(Int(parts.tm_hour), 2) + ":" + pad(Int(parts.tm_min), 2) + ":" + pad(Int(parts.tm_sec), 2)
        if fractionalSeconds {
            let millis = Int(((interval - interval.rounded(.down)) * 1000).rounded(.down))
            result += "." + pad(millis, 3)
        }
        return result + "Z"
    }

    /// Parses `2026-11-27T03:04:05Z`, with optional fractional seconds and a `Z` or
    /// `±hh:mm` offset (what PayPal and most JSON APIs send).
    public static func parse(_ text: String?) -> Date? {
        guard let text else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
