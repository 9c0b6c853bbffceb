import Core
import Hummingbird

/// Registers a feature's routes and describes each one for `/openapi.json` from the same
/// call: the request type it decodes, the payload type it answers with, its success
/// status and the errors it can answer. The document cannot drift from the router.
struct APIRoutes {
    typealias Handler<Out: Codable & Sendable> = @Sendable (Request, AppRequestContext) async throws -> Envelope<Out>
    typealias BodyHandler<In: RequestContent, Out: Codable & Sendable> = @Sendable (In, Request, AppRequestContext) async throws -> Envelope<Out>

    /// nil when only the operations are wanted.
    let group: RouterGroup<AppRequestContext>?
    let requiresAuth: Bool
    let tag: String
    /// Statuses every route here may answer besides its own (403 for admin routes).
    let commonErrors: [Int]
    /// Who may call the routes: authentication, then `authorize`, before any body is read.
    let admission: Admission
    private(set) var operations: [OpenAPIOperation] = []

    /// Runs first in every route: the caller's authentication (when the routes need a
    /// user), then `authorize`, before the body is read: a caller who may not use the
    /// route learns that (401, 403), not what is wrong with a body it may not send.
    struct Admission: Sendable {
        var authentication: APIAuthentication?
        var authorize: @Sendable (AppRequestContext) throws -> Void

        func admit(_ request: Request, _ context: AppRequestContext) async throws -> AppRequestContext {
            var context = context
            if let authentication { try await authentication.authenticate(request, context: &context) }
            try authorize(context)
            return context
        }
    }

    init(
        group: RouterGroup<AppRequestContext>?, requiresAuth: Bool, tag: String, commonErrors: [Int] = [],
        authentication: APIAuthentication? = nil, authorize: @escaping @Sendable (AppRequestContext) throws -> Void = { _ in }
    ) {
        self.group = group
        self.requiresAuth = requiresAuth
        self.tag = tag
        self.commonErrors = commonErrors
        self.admission = Admission(authentication: authentication, authorize: authorize)
    }

    mutating func get<Out: Codable & Sendable>(
        _ path: String, _ summary: String, query: [JSONValue] = [], errors: [Int] = [], _ handler: @escaping Handler<Out>
    ) {
        addPlain(.get, path, summary, response: Out.self, status: .ok, query: query, errors: errors, handler)
    }

    mutating func delete<Out: Codable & Sendable>(
        _ path: String, _ summary: String, query: [JSONValue] = [], errors: [Int] = [], _ handler: @escaping Handler<Out>
    ) {
        addPlain(.delete, path, summary, response: Out.self, status: .ok, query: query, errors: errors, handler)
    }

    /// A POST without a body.
    mutating func post<Out: Codable & Sendable>(
        _ path: String, _ summary: String, status: HTTPResponse.Status = .ok, query: [JSONValue] = [], errors: [Int] = [],
        _ handler: @escaping Handler<Out>
    ) {
        addPlain(.post, path, summary, response: Out.self, status: status, query: query, errors: errors, handler)
    }

    mutating func post<In: RequestContent, Out: Codable & Sendable>(
        _ path: String, _ summary: String, body: In.Type, status: HTTPResponse.Status = .ok, query: [JSONValue] = [], errors: [Int] = [],
        _ handler: @escaping BodyHandler<In, Out>
    ) {
        add(.post, path, summary, body: body, status: status, query: query, errors: errors, handler)
    }

    mutating func put<In: RequestContent, Out: Codable & Sendable>(
        _ path: String, _ summary: String, body: In.Type, query: [JSONValue] = [], errors: [Int] = [], _ handler: @escaping BodyHandler<In, Out>
    ) {
        add(.put, path, summary, body: body, status: .ok, query: query, errors: errors, handler)
    }

    /// A PATCH without a body (e.g. marking something read).
    mutating func patch<Out: Codable & Sendable>(
        _ path: String, _ summary: String, query: [JSONValue] = [], errors: [Int] = [], _ handler: @escaping Handler<Out>
    ) {
        addPlain(.patch, path, summary, response: Out.self, status: .ok, query: query, errors: errors, handler)
    }

    mutating func patch<In: RequestContent, Out: Codable & Sendable>(
        _ path: String, _ summary: String, body: In.Type, query: [JSONValue] = [], errors: [Int] = [], _ handler: @escaping BodyHandler<In, Out>
    ) {
        add(.patch, path, summary, body: body, status: .ok, query: query, errors: errors, handler)
    }

    /// A route whose answer is not an envelope (a file, a stream, a redirect, a bare
    /// list): it describes itself.
    mutating func custom(
        _ method: HTTPRequest.Method, _ path: String, _ operation: OpenAPIOperation,
        _ handler: @escaping @Sendable (Request, AppRequestContext) async throws -> Response
    ) {
        var operation = operation
        operation.requiresAuth = requiresAuth
        operation.tag = tag
        for status in errorStatuses(path: path, hasBody: operation.requestBody != nil, hasQuery: !operation.parameters.isEmpty, errors: [])
        where operation.responses[status] == nil {
            operation.responses[status] = OpenAPIDocument.errorDescriptions[status] ?? "Error"
        }
        operations.append(operation)
        let admission = self.admission
        group?.on(RouterPath(path), method: method) { request, context in
            try await handler(request, try await admission.admit(request, context))
        }
    }

    private mutating func add<In: RequestContent, Out: Codable & Sendable>(
        _ method: HTTPRequest.Method, _ path: String, _ summary: String, body: In.Type, status: HTTPResponse.Status,
        query: [JSONValue], errors: [Int], _ handler: @escaping BodyHandler<In, Out>
    ) {
        var components = WireSchema.Components()
        let request = WireSchema.schema(for: In.self, components: &components)
        describe(method, path, summary, request: request, response: Out.self, status: status, query: query, errors: errors, components: components)
        let admission = self.admission
        group?.on(RouterPath(path), method: method) { request, context -> Envelope<Out> in
            let context = try await admission.admit(request, context)
            let input = try await request.decode(In.self, context: context)
            var envelope = try await handler(input, request, context)
            envelope.status = envelope.status ?? status
            return envelope
        }
    }

    private mutating func addPlain<Out: Codable & Sendable>(
        _ method: HTTPRequest.Method, _ path: String, _ summary: String, response: Out.Type, status: HTTPResponse.Status,
        query: [JSONValue], errors: [Int], _ handler: @escaping Handler<Out>
    ) {
        describe(method, path, summary, request: nil, response: Out.self, status: status, query: query, errors: errors, components: [:])
        let admission = self.admission
        group?.on(RouterPath(path), method: method) { request, context -> Envelope<Out> in
            var envelope = try await handler(request, try await admission.admit(request, context))
            envelope.status = envelope.status ?? status
            return envelope
        }
    }

    private mutating func describe<Out: Codable & Sendable>(
        _ method: HTTPRequest.Method, _ path: String, _ summary: String, request: JSONValue?, response: Out.Type, status: HTTPResponse.Status,
        query: [JSONValue], errors: [Int], components: WireSchema.Components
    ) {
        var components = components
        let data = WireSchema.schema(for: Out.self, components: &components)
        var responses = [Int(status.code): "Successful Response"]
        for error in errorStatuses(path: path, hasBody: request != nil, hasQuery: !query.isEmpty, errors: errors) {
            responses[error] = OpenAPIDocument.errorDescriptions[error] ?? "Error"
        }
        operations.append(
            OpenAPIOperation(
                method.rawValue, path, summary: summary, tag: tag, requiresAuth: requiresAuth, requestBody: request, responses: responses,
                parameters: query, responseBody: EnvelopeSchema.schema(data: data), components: components))
    }

    /// What any route can answer besides its own errors: 400/413/415 for a body, 400 for
    /// query parameters, 404 for a path parameter, 401 behind authentication, 429 from
    /// the rate limiter.
    private func errorStatuses(path: String, hasBody: Bool, hasQuery: Bool, errors: [Int]) -> [Int] {
        var statuses = Set(errors + commonErrors + [429])
        if hasBody { statuses.formUnion([400, 413, 415]) }
        if hasQuery { statuses.insert(400) }
        if path.contains(":") { statuses.insert(404) }
        if requiresAuth { statuses.insert(401) }
        return statuses.sorted()
    }
}

extension Request {
    /// The body as `T`: 415 for a non-JSON type, 413 beyond the limit, 400 for malformed
    /// JSON, and one 400 naming every field that breaks `T`'s rules.
    func decode<T: RequestContent>(_ type: T.Type, context: AppRequestContext) async throws -> T {
        try RequestDecoder.decode(T.self, from: try await decodeJSON(JSONValue.self, context: context))
    }
}

/// A feature whose routes are declared through `APIRoutes`.
protocol TypedRouteCollection: APIRouteCollection {
    /// The document's tag for these routes.
    var tag: String { get }
    /// Statuses every route here may answer besides its own.
    var commonErrors: [Int] { get }
    /// Checked before any route here reads its body (e.g. `requireAdmin`).
    func authorize(_ context: AppRequestContext) throws
    func routes(_ routes: inout APIRoutes)
}

extension TypedRouteCollection {
    var commonErrors: [Int] { [] }
    func authorize(_ context: AppRequestContext) throws {}

    var operations: [OpenAPIOperation] {
        var routes = APIRoutes(group: nil, requiresAuth: requiresAuth, tag: tag, commonErrors: commonErrors)
        self.routes(&routes)
        return routes.operations
    }

    func register(on group: RouterGroup<AppRequestContext>, authentication: APIAuthentication?) {
        var routes = APIRoutes(
            group: group, requiresAuth: requiresAuth, tag: tag, commonErrors: commonErrors, authentication: authentication,
            authorize: { [self] context in try self.authorize(context) })
        self.routes(&routes)
    }
}
