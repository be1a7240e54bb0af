// swift-tools-version:6.1
import PackageDescription

/// Settings shared by every target: Swift 6 language mode plus the upcoming features the
/// style guide asks for, so every module is written the same way.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "switchyard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchyard", targets: ["switchyard"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .target(
            name: "SwitchyardCore",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchyardStore",
            dependencies: [
                "SwitchyardCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchyardCodeRunner",
            dependencies: [
                "SwitchyardCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchyardConnectors",
            dependencies: [
                "SwitchyardCore",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchyardBlobs",
            dependencies: ["SwitchyardCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchyardEngine",
            dependencies: [
                "SwitchyardCore",
                "SwitchyardCodeRunner",
                "SwitchyardStore",
                "SwitchyardBlobs",
                "SwitchyardConnectors",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchyardHTTP",
            dependencies: [
                "SwitchyardCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchyardJobs",
            dependencies: [
                "SwitchyardCore",
                "SwitchyardStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchyardAPI",
            dependencies: [
                "SwitchyardCore",
                "SwitchyardEngine",
                "SwitchyardConnectors",
                "SwitchyardBlobs",
                "SwitchyardStore",
                "SwitchyardHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchyardConsole",
            dependencies: [
                "SwitchyardCore",
                "SwitchyardStore",
                "SwitchyardHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Templates")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchyardUI",
            dependencies: [
                "SwitchyardCore",
                "SwitchyardHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Assets")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchyardServer",
            dependencies: [
                "SwitchyardCore",
                "SwitchyardEngine",
                "SwitchyardAPI",
                "SwitchyardJobs",
                "SwitchyardBlobs",
                "SwitchyardCodeRunner",
                "SwitchyardStore",
                "SwitchyardHTTP",
                "SwitchyardConsole",
                "SwitchyardUI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "switchyard-bench",
            dependencies: [
                "SwitchyardCodeRunner",
                "SwitchyardJobs",
                "SwitchyardStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                "SwitchyardCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "benchmarks/Sources/switchyard-bench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "switchyard",
            dependencies: ["SwitchyardServer"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchyardTestSupport",
            dependencies: ["SwitchyardCore", "SwitchyardStore", .product(name: "Logging", package: "swift-log")],
            path: "Tests/SwitchyardTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchyardCoreTests",
            dependencies: ["SwitchyardCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchyardStoreTests",
            dependencies: ["SwitchyardStore", "SwitchyardTestSupport", .product(name: "PostgresNIO", package: "postgres-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchyardCodeRunnerTests",
            dependencies: [
                "SwitchyardCodeRunner",
                "SwitchyardCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchyardJobsTests",
            dependencies: ["SwitchyardJobs", "SwitchyardStore", "SwitchyardCore", .product(name: "Prometheus", package: "swift-prometheus")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchyardAPITests",
            dependencies: [
                "SwitchyardAPI", "SwitchyardStore", "SwitchyardHTTP", "SwitchyardCore", "SwitchyardBlobs", "SwitchyardConnectors", "SwitchyardEngine",
                "SwitchyardCodeRunner", "SwitchyardTestSupport",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchyardConnectorsTests",
            dependencies: ["SwitchyardConnectors", "SwitchyardCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchyardBlobsTests",
            dependencies: ["SwitchyardBlobs", "SwitchyardCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchyardEngineTests",
            dependencies: [
                "SwitchyardEngine",
                "SwitchyardCore",
                "SwitchyardTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchyardHTTPTests",
            dependencies: [
                "SwitchyardHTTP",
                "SwitchyardCore",
                "SwitchyardTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchyardConsoleTests",
            dependencies: [
                "SwitchyardConsole",
                "SwitchyardConnectors",
                "SwitchyardServer",
                "SwitchyardEngine",
                "SwitchyardStore",
                "SwitchyardHTTP",
                "SwitchyardCore",
                "SwitchyardTestSupport",
                "SwitchyardAPI",
                "SwitchyardBlobs",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchyardServerTests",
            dependencies: [
                "SwitchyardAPI",
                "SwitchyardConnectors",
                "SwitchyardServer",
                "SwitchyardStore",
                "SwitchyardJobs",
                "SwitchyardTestSupport",
                "SwitchyardCore",
                "SwitchyardCodeRunner",
                "SwitchyardBlobs",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
