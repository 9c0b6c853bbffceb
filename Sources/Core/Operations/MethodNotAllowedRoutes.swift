import Hummingbird

/// A known path asked with a method it does not serve answers 405 with `Allow` (as
/// Starlette does), not 404. The documented operations say which methods each path has.
enum MethodNotAllowedRoutes {
    /// Every method a client may try, TRACE and the draft QUERY included: a known path
    /// never answers 404 to a method it lacks.
    static let methods: [HTTPRequest.Method] =
        [.get, .post, .put, .patch, .delete, .options, .trace] + (HTTPRequest.Method("QUERY").map { [$0] } ?? [])

    static func register(on router: Router<AppRequestContext>, operations: [OpenAPIOperation]) {
        var allowedByPath: [String: Set<String>] = [:]
        for operation in operations where !operation.path.contains("{") {
            allowedByPath[operation.path, default: []].insert(operation.method.uppercased())
        }
        for (path, allowed) in allowedByPath {
            var header = allowed
            if allowed.contains("GET") { header.insert("HEAD") }
            let allowList = header.sorted()
            for method in methods where !allowed.contains(method.rawValue) {
                router.on(RouterPath(path), method: method) { _, _ -> Response in
                    throw CoreError.methodNotAllowed(allowed: allowList)
                }
            }
        }
    }
}
