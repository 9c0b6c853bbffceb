import HTTPTypes

/// Headers every response carries, errors included. These are JSON APIs: nothing should
/// be sniffed as HTML, framed, or leak its URL as a referrer.
enum SecurityHeaders {
    static func apply(to headers: inout HTTPFields) {
        headers[.xContentTypeOptions] = "nosniff"
        headers[.xFrameOptions] = "DENY"
        headers[.referrerPolicy] = "strict-origin-when-cross-origin"
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
