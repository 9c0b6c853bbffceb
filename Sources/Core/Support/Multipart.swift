import Foundation

/// One `multipart/form-data` part (files are binary, so bodies stay bytes).
public struct MultipartPart: Sendable, Equatable {
    public var name: String
    public var filename: String?
    public var contentType: String?
    public var body: [UInt8]

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// `multipart/form-data` as both services read it (the API's uploads, the auth service's
/// form login). The boundary is the client's choice, so it is checked against RFC 2046
/// (1–70 characters of a fixed set) and searched with a linear algorithm: no input can
/// make the parser scan a byte more than a constant number of times.
public enum Multipart {
    public static let maximumBoundaryLength = 70
    /// A part's headers end within this many bytes, or the part is skipped.
    public static let maximumHeaderBytes = 16 * 1024

    /// RFC 2046 `bcharsnospace` plus inner spaces.
    static let boundaryCharacters = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ".utf8)

    /// The `boundary` parameter of a `multipart/…` content type, if it is a valid one.
    public static func boundary(in contentType: String) -> String? {
        guard let value = parameter("boundary", in: contentType), (1...maximumBoundaryLength).contains(value.utf8.count),
            value.utf8.allSatisfy(boundaryCharacters.contains), value.last != " "
        else { return nil }
        return value
    }

    /// A `key=value` parameter of a header value (quotes removed).
    public static func parameter(_ key: String, in header: String) -> String? {
        for item in header.split(separator: ";").dropFirst() {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == key { return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
        return nil
    }

    /// The parts between consecutive delimiters (the preamble and epilogue are ignored).
    public static func parse(_ body: [UInt8], boundary: String) -> [MultipartPart] {
        let delimiter = BytePattern(Array("--\(boundary)".utf8))
        let headerEnd = BytePattern([13, 10, 13, 10])
        let positions = delimiter.occurrences(in: body)
        var parts: [MultipartPart] = []
        for (start, end) in zip(positions, positions.dropFirst()) {
            var partStart = start + delimiter.count
            if body.count >= partStart + 2, body[partStart] == 13, body[partStart + 1] == 10 { partStart += 2 }
            var partEnd = end
            if partEnd >= 2, partEnd - 2 >= partStart, body[partEnd - 2] == 13, body[partEnd - 1] == 10 { partEnd -= 2 }
            guard partStart <= partEnd,
                let split = headerEnd.first(in: body, range: partStart..<min(partEnd, partStart + maximumHeaderBytes + 4))
            else { continue }
            let headers = String(decoding: body[partStart..<split], as: UTF8.self)
            var part = MultipartPart(name: "", body: Array(body[(split + 4)..<partEnd]))
            for line in headers.split(separator: "\r\n") {
                let lower = line.lowercased()
                if lower.hasPrefix("content-disposition:") {
                    part.name = parameter("name", in: String(line)) ?? ""
                    part.filename = parameter("filename", in: String(line))
                } else if lower.hasPrefix("content-type:") {
                    part.contentType = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
                }
            }
            parts.append(part)
        }
        return parts
    }
}

/// A byte string searched with Knuth–Morris–Pratt: linear in the haystack whatever the
/// needle (a naive search is quadratic for a needle like `aaaa…ab`).
public struct BytePattern: Sendable {
    public let needle: [UInt8]
    let failure: [Int]

    public init(_ needle: [UInt8]) {
        self.needle = needle
        var failure = [Int](repeating: 0, count: needle.count)
        var matched = 0
        for index in needle.indices.dropFirst() {
            while matched > 0, needle[index] != needle[matched] { matched = failure[matched - 1] }
            if needle[index] == needle[matched] { matched += 1 }
            failure[index] = matched
        }
        self.failure = failure
    }

    public var count: Int { needle.count }

    /// Start offsets of the non-overlapping occurrences, left to right.
    public func occurrences(in haystack: [UInt8]) -> [Int] {
        var found: [Int] = []
        var start = 0
        while let next = first(in: haystack, range: start..<haystack.count) {
            found.append(next)
            start = next + needle.count
        }
        return found
    }

    /// The first occurrence lying wholly inside `range`.
    public func first(in haystack: [UInt8], range: Range<Int>) -> Int? {
        guard !needle.isEmpty else { return nil }
        var matched = 0
        var index = range.lowerBound
        let end = min(range.upperBound, haystack.count)
        while index < end {
            let byte = haystack[index]
            while matched > 0, byte != needle[matched] { matched = failure[matched - 1] }
            if byte == needle[matched] { matched += 1 }
            if matched == needle.count { return index - needle.count + 1 }
            index += 1
        }
        return nil
    }
}
