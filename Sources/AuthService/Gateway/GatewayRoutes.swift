import Core
import Hummingbird

/// `/api` and everything below it, for every method.
///
/// Deliberately absent from this service's `/openapi.json`: OpenAPI has no catch-all path
/// (a `{path}` parameter is one segment, and a client percent-encodes the `/` of a longer
/// value), so the gateway can only be described wrongly here. The API service's own
/// document describes every operation under `/api/`, and this gateway forwards them as they
/// are (an unreachable upstream answers 502 in the API envelope).
struct GatewayRoutes: Sendable {
    let gateway: APIGateway

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
