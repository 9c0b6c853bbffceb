import AsyncHTTPClient
import Core
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// Forwards `/api/*` to the API service so that the frontend can use one origin.
/// Bodies stream in both directions: uploads and SSE pass through without buffering.
struct APIGateway: Sendable {
    let upstream: URL
    let client: HTTPClient

    static let clientConfiguration: HTTPClient.Configuration = {
        var configuration = HTTPClient.Configuration()
        // Pass redirects through to the browser; never decompress (bytes go through as-is);
        // no read timeout, because SSE streams stay open for as long as generation takes.
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        configuration.timeout = .init(connect: .seconds(3), read: nil)
        configuration.connectionPool = .init(idleTimeout: .seconds(60))
        // Upstream down: answer 502 at once instead of retrying until the connect timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }()

    /// RFC 9110 §7.6.1: connection-specific headers a proxy must not forward.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "host",
    ]

    func forward(_ request: Request, context: AppRequestContext) async throws -> Response {
        var outbound = HTTPClientRequest(url: targetURL(for: request))
        outbound.method = HTTPMethod(rawValue: request.method.rawValue)
        outbound.headers = forwardedHeaders(request, context: context)
        let body = RequestBodyHandoff(request.body)
        if let length = request.headers[.contentLength].flatMap(Int64.init) {
            if length > 0 { outbound.body = HTTPClientRequest.Body.stream(body.sequence, length: .known(length)) }
        } else if request.headers[.transferEncoding] != nil {
            outbound.body = HTTPClientRequest.Body.stream(body.sequence, length: .unknown)
        }

        let upstreamResponse: HTTPClientResponse
        do {
            upstreamResponse = try await client.execute(outbound, deadline: .distantFuture, logger: context.logger)
            await body.finish()
        } catch {
            await body.finish()
            context.logger.warning("API upstream unreachable", metadata: ["error": "\(error)"])
            return EnvelopeErrorRenderer().render(core: .badGateway("The API service is unavailable")).response()
        }

        var headers = HTTPFields()
        let connectionTokens = Self.connectionTokens(upstreamResponse.headers["connection"])
        for (name, value) in upstreamResponse.headers {
            let lowered = name.lowercased()
            guard !Self.hopByHop.contains(lowered), !connectionTokens.contains(lowered),
                let field = HTTPField.Name(name)
            else { continue }
            headers.append(HTTPField(name: field, value: value))
        }
        return Response(
            status: .init(code: Int(upstreamResponse.status.code), reasonPhrase: upstreamResponse.status.reasonPhrase),
            headers: headers,
            body: ResponseBody(asyncSequence: upstreamResponse.body)
        )
    }

    func targetURL(for request: Request) -> String {
        var base = upstream.absoluteString
        if base.hasSuffix("/") { base.removeLast() }
        var target = base + request.uri.path
        if let query = request.uri.query, !query.isEmpty { target += "?" + query }
        return target
    }

    func forwardedHeaders(_ request: Request, context: AppRequestContext) -> HTTPHeaders {
        var headers = HTTPHeaders()
        let connectionTokens = Self.connectionTokens(request.headers[.connection])
        for field in request.headers {
            let name = field.name.canonicalName
            guard !Self.hopByHop.contains(name), !connectionTokens.contains(name),
                field.name != .forwardedFor, field.name != .forwardedProto, field.name != .forwardedHost,
                field.name != .requestID, field.name != .traceparent
            else { continue }
            headers.add(name: field.name.rawName, value: field.value)
        }
        // Append the peer to the chain it came with; the API service decides which hops it
        // trusts (TRUSTED_PROXIES).
        let previous = request.headers[.forwardedFor]
        if let peer = context.peerIP {
            headers.add(name: "X-Forwarded-For", value: previous.map { "\($0), \(peer)" } ?? peer)
        } else if let previous {
            headers.add(name: "X-Forwarded-For", value: previous)
        }
        headers.add(name: "X-Forwarded-Proto", value: request.headers[.forwardedProto] ?? "http")
        if let host = request.headers[.forwardedHost] ?? request.head.authority {
            headers.add(name: "X-Forwarded-Host", value: host)
        }
        headers.add(name: "X-Request-ID", value: context.requestID)
        // The API's spans are children of the gateway's.
        if let trace = TraceContext.current { headers.add(name: "traceparent", value: trace.header) }
        return headers
    }

    static func connectionTokens(_ value: String?) -> Set<String> {
        guard let value else { return [] }
        return Set(value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
    }
}

extension HTTPHeaders {
    fileprivate subscript(name: String) -> String? {
        self.first(name: name)
    }
}
