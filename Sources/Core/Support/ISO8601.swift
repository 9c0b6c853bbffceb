import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// ISO 8601 timestamps (`2026-11-27T03:04:05Z`, UTC) without Foundation's format-style
/// machinery, which costs more than the rest of a small response.
public enum ISO8601 {
    public static func string(from date: Date, fractionalSeconds: Bool = false) -> String {
        guard isFixedWidth(date) else { return wideString(from: date.timeIntervalSince1970, fractionalSeconds: fractionalSeconds) }
        return String(unsafeUninitializedCapacity: 24) { write(date, fractionalSeconds: fractionalSeconds, to: UnsafeMutableRawBufferPointer($0)) }
    }

    /// Years 0–9999, which `write` covers; libc's calendar covers the rest.
    static func isFixedWidth(_ date: Date) -> Bool {
        let whole = date.timeIntervalSince1970.rounded(.down)
        return whole > -62_167_219_200 && whole < 253_402_300_800
    }

    /// Writes the timestamp of a fixed-width date (`isFixedWidth`) into `buffer` (24 bytes
    /// at least) and returns its length: straight into a string's or a response's storage.
    static func write(_ date: Date, fractionalSeconds: Bool, to buffer: UnsafeMutableRawBufferPointer) -> Int {
        let interval = date.timeIntervalSince1970
        let whole = interval.rounded(.down)
        let seconds = Int64(whole)
        let (days, secondOfDay) = (seconds.floorDivided(by: 86_400), seconds.floorModulo(86_400))
        let (year, month, day) = civil(days: days)
        var offset = 0
        func put(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            for _ in 0..<width {
                buffer[offset] = UInt8(ascii: "0") + UInt8(rest / divisor)
                rest %= divisor
                divisor /= 10
                offset += 1
            }
        }
        func put(_ byte: Unicode.Scalar) {
            buffer[offset] = UInt8(ascii: byte)
            offset += 1
        }
        put(year, 4); put("-"); put(month, 2); put("-"); put(day, 2)
        put("T"); put(Int(secondOfDay / 3600), 2); put(":"); put(Int(secondOfDay % 3600 / 60), 2); put(":"); put(Int(secondOfDay % 60), 2)
        if fractionalSeconds {
            put("."); put(Int((interval - whole) * 1000), 3)
        }
        put("Z")
        return offset
    }

    /// Year, month and day of a day count since 1970-01-01 (proleptic Gregorian; Howard
    /// Hinnant's `civil_from_days`).
    static func civil(days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = z.floorDivided(by: 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0)), Int(month), Int(day))
    }

    static func wideString(from interval: Double, fractionalSeconds: Bool) -> String {
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

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    fileprivate func floorModulo(_ divisor: Int64) -> Int64 {
        self - floorDivided(by: divisor) * divisor
    }
}
