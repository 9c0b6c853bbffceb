import AsyncHTTPClient
import Core
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat

/// What the service needs to know about the person at the provider.
struct OAuthProfile: Sendable, Equatable {
    /// The provider's stable id for the account (never the e-mail, which can change).
    var accountID: String
    var email: String?
    /// Only a verified e-mail may be used to find or create a local account.
    var emailVerified: Bool
    var name: String?
    var avatarURL: String?
}

/// The two back-channel calls of the authorization-code flow: code → access token →
/// profile. Speaks each provider's real wire format.
struct OAuthProviderClient: Sendable {
    let http: HTTPClient
    let logger: Logger
    static let timeout: TimeAmount = .seconds(10)
    static let maxResponseBytes = 1 << 20

    /// Redirects are not followed: a token endpoint that redirects would otherwise get
    /// the code and client secret re-sent wherever it points.
    static let clientConfiguration: HTTPClient.Configuration = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(10))
        return configuration
    }()

    func exchange(code: String, codeVerifier: String, provider: OAuthProviderConfig) async throws(OAuthFailure) -> String {
        var form = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", provider.redirectURI),
            ("code_verifier", codeVerifier), ("client_id", provider.clientID),
        ]
        var request = HTTPClientRequest(url: provider.tokenURL.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        switch provider.clientAuthentication {
        case .body:
            form.append(("client_secret", provider.clientSecret))
        case .basic:
            let credentials = Data("\(FormEncoding.encode(provider.clientID)):\(FormEncoding.encode(provider.clientSecret))".utf8)
            request.headers.add(name: "Authorization", value: "Basic " + credentials.base64EncodedString())
        }
        request.body = .bytes(ByteBuffer(string: FormEncoding.encode(form)))
        let (status, body) = try await send(request, provider: provider, step: "token")
        // RFC 6749 §5.2: a bad, expired or already used code is 400 (`invalid_grant`);
        // some providers answer 401 for the same.
        if status == 400 || status == 401 { throw .invalidCode }
        guard status == 200, case .object(let object)? = try? JSONValue.decode(body), case .string(let token)? = object["access_token"],
            !token.isEmpty
        else {
            logger.warning("oauth token endpoint answered unexpectedly", metadata: ["provider": "\(provider.id.rawValue)", "status": "\(status)"])
            throw .oauthFailed
        }
        return token
    }

    func profile(accessToken: String, provider: OAuthProviderConfig) async throws(OAuthFailure) -> OAuthProfile {
        var request = HTTPClientRequest(url: provider.userInfoURL.absoluteString)
        request.headers.add(name: "Authorization", value: "Bearer " + accessToken)
        request.headers.add(name: "Accept", value: "application/json")
        let (status, body) = try await send(request, provider: provider, step: "userinfo")
        guard status == 200, let json = try? JSONValue.decode(body), let profile = Self.parseProfile(json, provider: provider.id) else {
            logger.warning(
                "oauth user-info endpoint answered unexpectedly", metadata: ["provider": "\(provider.id.rawValue)", "status": "\(status)"])
            throw .oauthFailed
        }
        return profile
    }

    /// Each provider's user-info shape: Google's OpenID Connect claims, Discord's user
    /// object, X's `{data: user}`.
    static func parseProfile(_ json: JSONValue, provider: OAuthProviderID) -> OAuthProfile? {
        switch provider {
        case .google:
            guard let sub = json["sub"]?.stringValue, !sub.isEmpty else { return nil }
            return OAuthProfile(
                accountID: sub, email: json["email"]?.stringValue, emailVerified: json["email_verified"]?.looseBool ?? false,
                name: json["name"]?.stringValue, avatarURL: json["picture"]?.stringValue)
        case .discord:
            guard let id = json["id"]?.stringValue, !id.isEmpty else { return nil }
            let avatar = json["avatar"]?.stringValue.map { "https://cdn.discordapp.com/avatars/\(id)/\($0).png" }
            return OAuthProfile(
                accountID: id, email: json["email"]?.stringValue, emailVerified: json["verified"]?.looseBool ?? false,
                name: json["global_name"]?.stringValue ?? json["username"]?.stringValue, avatarURL: avatar)
        case .twitter:
            guard let user = json["data"], let id = user["id"]?.stringValue, !id.isEmpty else { return nil }
            // X only returns `confirmed_email` for an address it has confirmed.
            let email = user["confirmed_email"]?.stringValue
            return OAuthProfile(
                accountID: id, email: email, emailVerified: email != nil, name: user["name"]?.stringValue ?? user["username"]?.stringValue,
                avatarURL: user["profile_image_url"]?.stringValue)
        }
    }

    private func send(_ request: HTTPClientRequest, provider: OAuthProviderConfig, step: String) async throws(OAuthFailure) -> (Int, ByteBuffer) {
        do {
            let response = try await http.execute(request, timeout: Self.timeout, logger: logger)
            let body = try await response.body.collect(upTo: Self.maxResponseBytes)
            return (Int(response.status.code), body)
        } catch {
            logger.warning(
                "oauth provider unreachable",
                metadata: ["provider": "\(provider.id.rawValue)", "step": "\(step)", "error": "\(String(describing: type(of: error)))"])
            throw .oauthFailed
        }
    }
}

extension JSONValue {
    static func decode(_ buffer: ByteBuffer) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: buffer)
    }

    /// A boolean, also when a provider sends it as the string "true" (older Google
    /// endpoints do).
    var looseBool: Bool? {
        switch self {
        case .bool(let value): return value
        case .string(let value): return value == "true" ? true : value == "false" ? false : nil
        default: return nil
        }
    }
}
