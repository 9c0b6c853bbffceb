// The form decoder (`application/x-www-form-urlencoded`): any text decodes, and every
// pair that had no `%`, `+` or `=` in its value comes back as sent.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzForm(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let pairs = FormEncoding.decode(text)
    if pairs.count > text.utf8.count + 1 { fatalError("more pairs than bytes") }
    let round = FormEncoding.decode(FormEncoding.encode(pairs))
    if round.count != pairs.count || zip(round, pairs).contains(where: { $0 != $1 }) { fatalError("encode/decode round trip differs") }
    return 0
}
