import HTTPTypes

/// Headers every response carries, errors included. These are JSON APIs: nothing should
/// be sniffed as HTML, framed, or leak its URL as a referrer.
enum SecurityHeaders {
    static let fields = [
        HTTPField(name: .xContentTypeOptions, value: "nosniff"), HTTPField(name: .xFrameOptions, value: "DENY"),
        HTTPField(name: .referrerPolicy, value: "strict-origin-when-cross-origin"),
    ]

    /// Appended when absent, which is almost always (replacing walks the fields per name);
    /// replaced when a response already has one (the gateway passes the API's on).
    static func apply(to headers: inout HTTPFields) {
        if headers.contains(where: { field in fields.contains { $0.name == field.name } }) {
            for field in fields { headers[field.name] = field.value }
        } else {
            headers.append(contentsOf: fields)
        }
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
