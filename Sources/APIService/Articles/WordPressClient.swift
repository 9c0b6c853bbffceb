import AsyncHTTPClient
import Core
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat

/// The WordPress REST API (`/wp-json/wp/v2/posts`), authenticated with an application
/// password over HTTP Basic. The password is used for this one request and never logged
/// nor stored. The site is the user's choice, so it is called through `GuardedHTTPClient`:
/// never a local, private or metadata address, never through a redirect.
struct WordPressClient: Sendable {
    let outbound: GuardedHTTPClient
    let logger: Logger
    var timeout: TimeAmount = .seconds(20)

    struct Site: Sendable {
        /// `http(s)://host[:port][/path]`, without a trailing slash.
        var baseURL: String
        var username: String
        var applicationPassword: String
        /// Where `baseURL`'s host was checked to be (`GuardedHTTPClient.target(for:)`).
        var target: GuardedHTTPClient.Target
    }

    struct Post: Sendable, Equatable {
        var title: String
        var content: String
        var slug: String
        var excerpt: String
    }

    struct Published: Sendable, Equatable {
        var url: String
        var remoteID: String
    }

    /// A site URL the client may call: http or https, with a host, no credentials, query
    /// or fragment. Nil for anything else.
    static func baseURL(_ text: String) -> String? {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = components.host, !host.isEmpty, components.user == nil, components.password == nil, components.query == nil,
            components.fragment == nil
        else { return nil }
        var base = text
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }

    /// Creates and publishes the post; 502 BAD_GATEWAY when WordPress refuses or is
    /// unreachable (with WordPress's status, never its body, in the message).
    func publish(_ post: Post, to site: Site) async throws -> Published {
        var request = HTTPClientRequest(url: site.baseURL + "/wp-json/wp/v2/posts")
        request.method = .POST
        let credentials = Data("\(site.username):\(site.applicationPassword)".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic " + credentials)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        let body: JSONValue = [
            "title": .string(post.title), "content": .string(post.content), "status": "publish", "slug": .string(post.slug),
            "excerpt": .string(post.excerpt),
        ]
        request.body = .bytes(ByteBuffer(data: body.encodedData()))
        let status: UInt
        let answer: ByteBuffer
        do {
            let reply = try await outbound.send(request, to: site.target, timeout: timeout, maxResponseBytes: 4 << 20, logger: logger)
            (status, answer) = (reply.status, reply.body)
        } catch {
            logger.warning("wordpress unreachable", metadata: ["error": "\(String(describing: type(of: error)))"])
            throw CoreError.badGateway("WordPress is unreachable")
        }
        let json = try? JSONDecoder().decode(JSONValue.self, from: answer)
        guard (200..<300).contains(status) else {
            logger.warning("wordpress refused the post", metadata: ["status": "\(status)", "code": "\(json?["code"]?.stringValue ?? "")"])
            if status == 401 || status == 403 {
                throw CoreError.badGateway("WordPress refused the credentials (\(status)); check the username and application password")
            }
            throw CoreError.badGateway("WordPress answered \(status)")
        }
        guard let json, let link = json["link"]?.stringValue, let id = json["id"] else {
            throw CoreError.badGateway("WordPress answered without a post id and link")
        }
        let remoteID: String
        switch id {
        case .int(let number): remoteID = String(number)
        case .string(let text): remoteID = text
        default: throw CoreError.badGateway("WordPress answered without a post id and link")
        }
        return Published(url: link, remoteID: remoteID)
    }
}
