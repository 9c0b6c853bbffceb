import Core
import Hummingbird

/// `/api` and everything below it, for every method.
struct GatewayRoutes: Sendable {
    let gateway: APIGateway

    static let operations: [OpenAPIOperation] = [
        OpenAPIOperation("GET", "/api/{path}", summary: "Forwarded to the API service (every method)", tag: "gateway",
            responses: [200: "The API service's answer", 502: "API service unreachable"])
    ]

    func register(on router: Router<AppRequestContext>) {
        let methods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete, .head, .options]
        for path in ["/api", "/api/**"] {
            for method in methods {
                router.on(RouterPath(path), method: method) { request, context in
                    try await gateway.forward(request, context: context)
                }
            }
        }
    }
}
