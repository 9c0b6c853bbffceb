// swift-tools-version:6.2
// The framework's ceiling for scripts/bench.sh (issue #15): a bare Hummingbird 2 server
// answering GET /users/me with a fixed JSON body the size of the auth service's answer,
// with no middleware, no token and no database. Not a part of the server's build.
import PackageDescription

let package = Package(
    name: "BenchReference",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        .executableTarget(
            name: "BenchReference",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        )
    ]
)
