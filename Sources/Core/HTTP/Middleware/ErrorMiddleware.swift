import HTTPTypes
import Hummingbird
import Logging

/// Turns every error thrown below it into the service's contract shape. Unknown errors
/// become a 500 whose body says nothing internal; the detail goes to the log only.
public struct ErrorMiddleware: RouterMiddleware {
    let renderer: any ErrorRenderer

    public init(renderer: any ErrorRenderer) {
        self.renderer = renderer
    }

    public func handle(
        _ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        do {
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
