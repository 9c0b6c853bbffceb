import Foundation

// The JSON syntax checker on any bytes: it must finish (no recursion, linear), and a text
// it accepts must be one Foundation's decoder accepts too, but for Python's NaN and
// Infinity literals. (The converse does not hold by design: Foundation also takes `2.5e`
// and raw control characters in strings, which Python, and so the checker, refuses.)
struct AnyJSON: Decodable { init(from decoder: any Decoder) throws {} }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let failure = JSONSyntaxError.find(in: bytes)
    let pythonLiterals = ["NaN", "Infinity"].contains { String(decoding: bytes, as: UTF8.self).contains($0) }
    if failure == nil, !pythonLiterals, (try? JSONDecoder().decode(AnyJSON.self, from: Data(bytes))) == nil {
        fatalError("the checker accepts what Foundation refuses")
    }
    if let failure, failure.offset < 0 || failure.offset > bytes.count { fatalError("offset out of range: \(failure)") }
    return 0
}
