import Foundation
import OpenAPIRuntime

/// The generated client, made the way an application makes it: it compiles only when the
/// generator produced `Client` (with its operations) from the document. Any transport
/// works (swift-openapi-async-http-client's, URLSession's, a test double).
public func makeAPIClient(serverURL: URL, transport: any ClientTransport) -> Client {
    Client(serverURL: serverURL, transport: transport)
}
