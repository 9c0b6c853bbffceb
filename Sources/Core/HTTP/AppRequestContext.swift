import Foundation
import Hummingbird
import NIOCore

/// The request context of both services.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    /// Accepted from `X-Request-ID` or generated; set by `ServiceMiddleware`.
    public var requestID: String = ""
    /// The most a handler may read of a body; set by `ServiceMiddleware` (`BodyLimits`).
    public var bodyLimit: Int = 1 << 20
    /// The caller, once an authenticator has accepted their credentials (also noted in
    /// `trace`, so the access log written outside the authenticating middleware sees it).
    public var user: UserRecord? {
        didSet { trace.userID = user?.id }
    }
    /// Per-request facts shared by every copy of this context (middleware copies it on the
    /// way in): the caller for the access log, the W3C trace context.
    public let trace = RequestTrace()
    /// What `clientIP` is resolved from: the trusted proxies and the request's
    /// `X-Forwarded-For` (set by `ServiceMiddleware`).
    var clientAddress: (proxies: TrustedProxies, forwardedFor: String?)?
    /// The client's address, proxies resolved. Found when asked, since most requests
    /// never ask and formatting the peer's address costs a visible share of a cheap read.
    public var clientIP: String? {
        guard let clientAddress else { return peerIP }
        return clientAddress.proxies.clientIP(peer: peerIP, forwardedFor: clientAddress.forwardedFor)
    }
    /// The request's access token, verified by whichever middleware looked first (the
    /// API's rate limiter, before authentication), so it is verified once per request.
    public var verifiedToken: (token: String, claims: AccessTokenClaims)?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// Request bodies are read with `bodyLimit` by the handlers themselves.
    public var maxUploadSize: Int { bodyLimit }

    /// The connected peer's IP address (proxies are resolved where that matters).
    public var peerIP: String? { remoteAddress?.ipAddress }
}
