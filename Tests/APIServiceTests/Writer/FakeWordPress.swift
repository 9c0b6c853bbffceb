import Core
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TestSupport

/// A WordPress site on a loopback port: POST /wp-json/wp/v2/posts checks HTTP Basic
/// against one application password and answers `{id, link}`; `failWith` makes it answer
/// an error instead.
final class FakeWordPress: @unchecked Sendable {
    static let username = "editor"
    static let password = "abcd efgh ijkl mnop"

    private let lock = NSLock()
    private var posts: [JSONValue] = []
    private var failure: Int?
    private var redirect: String?
    private var requests = 0
    private var nextID = 100
    let port: Int
    /// A loopback port nobody listens on, for "unreachable".
    let closedPort: Int
    private var task: Task<Void, any Error>?

    init() throws {
        port = try freePort()
        closedPort = try freePort()
    }
    var base: String { "http://127.0.0.1:\(port)" }

    /// What the API service needs to call this loopback site (and the closed port):
    /// users' URLs may not reach private addresses otherwise.
    var environment: [String: String] { ["OUTBOUND_ALLOWED_HOSTS": "127.0.0.1:\(port),127.0.0.1:\(closedPort)"] }

    func fail(with status: Int?) { lock.withLock { failure = status } }
    /// Answer every post with a 307 to `location`.
    func redirect(to location: String?) { lock.withLock { redirect = location } }
    var received: [JSONValue] { lock.withLock { posts } }
    /// Requests of any kind that reached this site.
    var requestCount: Int { lock.withLock { requests } }

    func start() async throws {
        let router = Router()
        router.middlewares.add(CountingMiddleware { [self] in lock.withLock { requests += 1 } })
        router.post("/wp-json/wp/v2/posts") { [self] request, _ in try await post(request) }
        task = try await LocalServer.start(router, port: port)
    }

    func stop() { task?.cancel() }

    private func post(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 22)
        let expected = "Basic " + Data("\(Self.username):\(Self.password)".utf8).base64EncodedString()
        let authorized = request.headers[.authorization] == expected
        let json = (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: body))) ?? .null
        if let location = lock.withLock({ redirect }) {
            return Response(status: .temporaryRedirect, headers: [.location: location])
        }
        let (status, answer): (Int, JSONValue) = lock.withLock {
            if let failure { return (failure, ["code": "internal_error", "message": "boom"]) }
            guard authorized else {
                return (401, ["code": "rest_cannot_create", "message": "Sorry, you are not allowed to create posts as this user."])
            }
            posts.append(json)
            nextID += 1
            let slug = json["slug"]?.stringValue ?? "post"
            return (201, ["id": .int(nextID), "link": .string("\(base)/\(slug)/"), "status": "publish"])
        }
        return Response(
            status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(data: answer.encodedData())))
    }
}

struct CountingMiddleware<Context: RequestContext>: RouterMiddleware {
    let count: @Sendable () -> Void

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        count()
        return try await next(request, context)
    }
}
