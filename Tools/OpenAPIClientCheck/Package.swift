// swift-tools-version:6.2
// Compiles a client generated from the API service's OpenAPI document (issue #14): the
// document is usable by apple/swift-openapi-generator. scripts/check-openapi-client.sh
// puts the document at Sources/APIClient/openapi.json and builds this package; the build
// plugin generates the types and the client from it. Not a part of the server's build.
import PackageDescription

let package = Package(
    name: "OpenAPIClientCheck",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-openapi-generator", from: "1.14.0"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.0"),
    ],
    targets: [
        .target(
            name: "APIClient",
            dependencies: [.product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        )
    ]
)
