import HTTPTypes
import Hummingbird
import Logging

/// The shared stack of both services as one middleware, so that a request crosses one
/// async frame and one copy of the context where seven layers cost seven of each (about
/// a fifth of the framework's throughput on `/users/me`; issue #15). Outermost first:
/// request id and trace, client address, metrics and the access log, security headers,
/// CORS, error rendering, body limit. Each step is a small type of its own beside this file.
public struct ServiceMiddleware: RouterMiddleware {
    let trustedProxies: TrustedProxies
    let metrics: RequestMetrics
    let cors: CORSPolicy
    let renderer: any ErrorRenderer
    let bodyLimits: BodyLimits

    public init(
        trustedProxies: TrustedProxies, metrics: RequestMetrics, cors: CORSPolicy, renderer: any ErrorRenderer, bodyLimits: BodyLimits
    ) {
        self.trustedProxies = trustedProxies
        self.metrics = metrics
        self.cors = cors
        self.renderer = renderer
        self.bodyLimits = bodyLimits
    }

    public func handle(
        _ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        let id = RequestIdentity.id(accepting: request.headers.value(.requestID))
        var trace = TraceContext.continuing(request.headers.value(.traceparent))
        trace.requestID = id
        context.requestID = id
        context.clientAddress = (trustedProxies, request.headers.value(.forwardedFor))
        // Set on this copy, checked inside the error rendering: one copy of the context
        // per request here, not two.
        let bodyLimit = bodyLimits.limit(for: request)
        if let bodyLimit { context.bodyLimit = bodyLimit }

        let start = ContinuousClock.now
        let origin = request.headers.value(.origin)
        var response: Response
        if let origin, let preflight = cors.preflight(request, origin: origin) {
            response = preflight
        } else {
            // The trace is task-local: for the calls the handler makes (gateway, providers),
            // and for the request's log lines (`Logger.MetadataProvider.request`).
            response = await TraceContext.$current.withValue(trace) { await rendering(request, context: context, bodyLimit: bodyLimit, next: next) }
            if let origin { cors.decorate(&response, origin: origin) }
        }
        metrics.record(request, context: context, trace: trace, response: response, elapsed: ContinuousClock.now - start)
        // The fields below in one growth of the header array, not two.
        response.headers.reserveCapacity(response.headers.count + SecurityHeaders.fields.count + 1)
        SecurityHeaders.apply(to: &response.headers)
        if response.headers.value(.requestID) == nil {
            response.headers.append(HTTPField(name: .requestID, value: id))
        } else {
            response.headers[.requestID] = id
        }
        return response
    }

    /// The body limit's check, then the handler; every error thrown below becomes the service's
    /// contract shape. Unknown errors become a 500 whose body says nothing internal; the
    /// detail goes to the log only.
    func rendering(
        _ request: Request, context: AppRequestContext, bodyLimit: Int?, next: (Request, AppRequestContext) async throws -> Response
    ) async -> Response {
        do {
            if let bodyLimit { try bodyLimits.check(request, limit: bodyLimit) }
            return try await next(request, context)
        } catch {
            if let rendered = renderer.render(error) {
                return rendered.response()
            }
            // The type only: an arbitrary error's fields may hold credentials or user data.
            context.logger.error(
                "unhandled error", metadata: ["error_type": "\(String(reflecting: type(of: error)))", "path": "\(request.uri.path)"])
            return renderer.internalError.response()
        }
    }
}
