import Core
import Foundation
import Hummingbird

/// GET /media/{id}/file: the bytes, for the owner's token (or `access_token` cookie) or a
/// signed URL; with `ETag` (the content hash), `If-None-Match` and single `Range`s.
struct MediaFileRoutes: TypedRouteCollection {
    let store: MediaStore
    let urls: SignedMediaURLs
    let authenticator: AccessTokenAuthenticator
    let requiresAuth = false

    let tag = "media"

    func routes(_ routes: inout APIRoutes) {
        let operation = OpenAPIOperation(
            "GET", "/media/:id/file", summary: "The file (owner's token or ?expires=&signature=); ETag and Range supported", tag: tag,
            responses: [
                200: "The file", 206: "The requested range", 304: "Not modified (If-None-Match)", 401: "Neither a token nor a signature",
                403: "Invalid or expired signature", 404: "Not found", 416: "Range not satisfiable", 429: "Too many requests",
            ],
            parameters: [
                OpenAPIOperation.query("expires", ["type": "string"], description: "Signed URL: expiry (Unix seconds)"),
                OpenAPIOperation.query("signature", ["type": "string"], description: "Signed URL: signature"),
                OpenAPIOperation.header("Range", ["type": "string"], description: "One `bytes=` range"),
                OpenAPIOperation.header("If-None-Match", ["type": "string"]),
            ],
            // The stored file's own type (an image, a video, audio).
            responseBody: ["type": "string", "format": "binary"], responseContentType: "*/*")
        routes.custom(.get, "/media/:id/file", operation) { request, context in
            let id = try request.uuidParameter("id", context: context)
            let query = request.uri.queryParameters
            let asset: MediaAsset?
            if query["signature"] != nil {
                guard urls.isValid(id: id, expires: query["expires"].map(String.init), signature: query["signature"].map(String.init)) else {
                    throw CoreError.forbidden
                }
                asset = try await store.asset(id: id)
            } else {
                asset = try await store.asset(id: id, userID: try await authenticator.authenticate(request).id)
            }
            guard let asset, let key = asset.storageKey, let size = try await store.storage.size(key) else { throw CoreError.notFound }
            let etag = "\"\(key)\""
            var headers: HTTPFields = [
                .contentType: asset.mimeType ?? "application/octet-stream", .eTag: etag, .acceptRanges: "bytes",
                .cacheControl: "private, max-age=3600", .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; sandbox",
            ]
            if let match = request.headers[.ifNoneMatch],
                match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag || $0 == "*" })
            {
                headers[.contentType] = nil
                return Response(status: .notModified, headers: headers)
            }
            var range: Range<Int>?
            // A header that is no `bytes=` range is ignored (RFC 9110 §14.2): the whole file.
            if let header = request.headers[.range], header.hasPrefix("bytes=") {
                guard let parsed = Self.range(header, size: size) else {
                    headers[.contentType] = nil
                    headers[.contentRange] = "bytes */\(size)"
                    return Response(status: .rangeNotSatisfiable, headers: headers)
                }
                range = parsed
            }
            guard let bytes = try await store.storage.read(key, range: range) else { throw CoreError.notFound }
            headers[.contentLength] = String(bytes.count)
            if let range {
                headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(size)"
                return Response(status: .partialContent, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
            }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }

    /// One `bytes=` range (`a-b`, `a-`, `-n`), clamped to the file; nil when unsatisfiable
    /// or when several ranges are asked for.
    static func range(_ header: String, size: Int) -> Range<Int>? {
        guard header.hasPrefix("bytes="), size > 0 else { return nil }
        let spec = header.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash], last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            guard let suffix = Int(last), suffix > 0 else { return nil }
            return max(0, size - suffix)..<size
        }
        guard let start = Int(first), start < size else { return nil }
        if last.isEmpty { return start..<size }
        guard let end = Int(last), end >= start else { return nil }
        return start..<(min(end, size - 1) + 1)
    }
}
