// The multipart parser: the first line of the input is the boundary, the rest the body.
// Every part must lie inside the body, and the search must agree with a plain one.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultipart(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let newline = bytes.firstIndex(of: 10) else { return 0 }
    let header = "multipart/form-data; boundary=" + String(decoding: bytes[..<newline], as: UTF8.self)
    let body = Array(bytes[(newline + 1)...])
    guard let boundary = Multipart.boundary(in: header) else { return 0 }
    for part in Multipart.parse(body, boundary: boundary) where part.body.count > body.count { fatalError("part larger than the body") }
    let needle = Array("--\(boundary)".utf8)
    if let found = BytePattern(needle).first(in: body, range: 0..<body.count) {
        if Array(body[found..<(found + needle.count)]) != needle { fatalError("reported a match that is not one") }
        for start in 0..<found where Array(body[start..<min(body.count, start + needle.count)]) == needle { fatalError("missed an earlier match") }
    }
    return 0
}
