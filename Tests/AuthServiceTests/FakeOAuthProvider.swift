import Core
import Crypto
import Foundation
import Hummingbird
import NIOCore
import TestSupport

/// Google, Discord and X on one loopback port (`/google/…`, `/discord/…`, `/twitter/…`),
/// speaking the parts of their wire formats the service uses: the consent redirect, the
/// form-encoded token exchange with PKCE and client authentication, and user info.
final class FakeOAuthProvider: @unchecked Sendable {
    struct Grant {
        var provider: String
        var challenge: String
        var redirectURI: String
        var clientID: String
        var userInfo: JSONValue
    }

    private let lock = NSLock()
    private var grants: [String: Grant] = [:]
    private var accessTokens: [String: JSONValue] = [:]
    /// What the consent page does next: sign in as this user-info document, or refuse.
    private var nextUserInfo: JSONValue = [:]
    private var tokenFailure: Int?
    private(set) var tokenRequests: [[String: String]] = []
    private(set) var tokenAuthorizations: [String?] = []
    let port: Int
    private var task: Task<Void, any Error>?

    static let clientSecret = "fake-secret"

    init() throws { port = try freePort() }

    var base: String { "http://127.0.0.1:\(port)" }

    func environment(for providers: [String]) -> [String: String] {
        var env: [String: String] = [:]
        for provider in providers {
            let upper = provider.uppercased()
            env["\(upper)_CLIENT_ID"] = "\(provider)-client"
            env["\(upper)_CLIENT_SECRET"] = Self.clientSecret
            env["OAUTH_\(upper)_AUTHORIZE_URL"] = "\(base)/\(provider)/authorize"
            env["OAUTH_\(upper)_TOKEN_URL"] = "\(base)/\(provider)/token"
            env["OAUTH_\(upper)_USERINFO_URL"] = "\(base)/\(provider)/userinfo"
        }
        return env
    }

    func signInNext(as userInfo: JSONValue) { lock.withLock { nextUserInfo = userInfo } }
    func failTokenEndpoint(with status: Int?) { lock.withLock { tokenFailure = status } }

    func start() async throws {
        let router = Router()
        router.get("/:provider/authorize") { [self] request, context in
            try consent(request, provider: try context.parameters.require("provider"))
        }
        router.post("/:provider/token") { [self] request, context in
            let body = try await request.body.collect(upTo: 1 << 16)
            return token(request, form: Self.parseForm(String(buffer: body)), provider: try context.parameters.require("provider"))
        }
        router.get("/:provider/userinfo") { [self] request, _ in
            let token = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
            guard let token, let info = lock.withLock({ accessTokens[token] }) else {
                return Self.json(["error": "invalid_token"], status: .unauthorized)
            }
            return Self.json(info, status: .ok)
        }
        task = try await LocalServer.start(router, port: port)
    }

    func stop() { task?.cancel() }

    /// The consent page: the user agrees at once and is sent back with a code, or with
    /// `error=access_denied` when the next user info is `null`.
    private func consent(_ request: Request, provider: String) throws -> Response {
        let query = request.uri.queryParameters
        guard query["response_type"] == "code", query["code_challenge_method"] == "S256", let challenge = query["code_challenge"],
            let redirect = query["redirect_uri"], let state = query["state"], let clientID = query["client_id"]
        else { return Self.json(["error": "invalid_request"], status: .badRequest) }
        let redirectURI = String(redirect).removingPercentEncoding ?? String(redirect)
        let info = lock.withLock { nextUserInfo }
        if info == .null {
            return Response(status: .found, headers: [.location: "\(redirectURI)?error=access_denied&state=\(state)"])
        }
        let code = "code-" + UUID().uuidString
        lock.withLock {
            grants[code] = Grant(
                provider: provider, challenge: String(challenge), redirectURI: redirectURI, clientID: String(clientID), userInfo: info)
        }
        return Response(status: .found, headers: [.location: "\(redirectURI)?code=\(code)&state=\(state)"])
    }

    /// RFC 6749 §4.1.3 with RFC 7636: one use per code, the verifier must hash to the
    /// challenge, the redirect URI and client must match. X authenticates the client with
    /// HTTP Basic, the others with `client_secret` in the body.
    private func token(_ request: Request, form: [String: String], provider: String) -> Response {
        let authorization = request.headers[.authorization]
        return lock.withLock {
            tokenRequests.append(form)
            tokenAuthorizations.append(authorization)
            if let status = tokenFailure {
                return Self.json(["error": "server_error"], status: .init(code: status))
            }
            let clientOK: Bool
            if provider == "twitter" {
                let expected = "Basic " + Data("twitter-client:\(Self.clientSecret)".utf8).base64EncodedString()
                clientOK = authorization == expected && form["client_secret"] == nil
            } else {
                clientOK = form["client_secret"] == Self.clientSecret
            }
            guard clientOK else { return Self.json(["error": "invalid_client"], status: .unauthorized) }
            guard form["grant_type"] == "authorization_code", let code = form["code"], let grant = grants.removeValue(forKey: code),
                grant.provider == provider, grant.redirectURI == form["redirect_uri"], grant.clientID == form["client_id"],
                let verifier = form["code_verifier"],
                Data(SHA256.hash(data: Data(verifier.utf8))).base64URLEncodedString() == grant.challenge
            else { return Self.json(["error": "invalid_grant"], status: .badRequest) }
            let accessToken = "at-" + UUID().uuidString
            accessTokens[accessToken] = grant.userInfo
            return Self.json(["access_token": .string(accessToken), "token_type": "Bearer", "expires_in": 3600], status: .ok)
        }
    }

    static func parseForm(_ body: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            result[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return result
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: value.encodedData())))
    }
}
