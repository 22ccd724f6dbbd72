// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "Switchboard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchboardd", targets: ["switchboardd"]),
        .executable(name: "switchboard", targets: ["switchboard"]),
        .executable(name: "switchboard-bench", targets: ["switchboard-bench"]),
        .library(name: "SwitchboardClient", targets: ["SwitchboardClient"]),
        .library(name: "SwitchboardSchema", targets: ["SwitchboardSchema"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"]), .brew(["zeromq"])]
        ),
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"]),
        .target(name: "CSQLiteTuning", dependencies: [.product(name: "GRDBSQLite", package: "GRDB.swift")]),
        .target(name: "SwitchboardSchema"),
        .target(
            name: "SwitchboardCore",
            dependencies: [
                "SwitchboardSchema",
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .target(
            name: "SwitchboardStore",
            dependencies: [
                "SwitchboardCore", "SwitchboardSchema", "CSQLiteTuning",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "SwitchboardPostgres",
            dependencies: [
                "SwitchboardCore", "SwitchboardSchema", "SwitchboardStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SwitchboardBroker",
            dependencies: [
                "ZeroMQ", "SwitchboardSchema", "SwitchboardCore", "SwitchboardStore", "SwitchboardPostgres",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "SwitchboardOps",
            dependencies: [
                "SwitchboardBroker", "SwitchboardSchema", "SwitchboardStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "SwitchboardClient",
            dependencies: [
                "ZeroMQ", "SwitchboardSchema",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "switchboardd",
            dependencies: [
                "SwitchboardBroker", "SwitchboardOps", "SwitchboardStore", "SwitchboardPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "switchboard",
            dependencies: [
                "SwitchboardClient", "SwitchboardSchema", "SwitchboardStore", "SwitchboardPostgres", "ZeroMQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "switchboard-bench",
            dependencies: [
                "ZeroMQ", "SwitchboardSchema", "SwitchboardCore", "SwitchboardStore", "SwitchboardPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"]),
        .testTarget(name: "SwitchboardSchemaTests", dependencies: ["SwitchboardSchema"]),
        .testTarget(name: "SwitchboardCoreTests", dependencies: ["SwitchboardCore"]),
        .testTarget(
            name: "SwitchboardStoreTests",
            dependencies: ["SwitchboardStore", "SwitchboardPostgres", .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "SwitchboardPostgresTests",
            dependencies: [
                "SwitchboardPostgres", "SwitchboardCore", "SwitchboardSchema", "SwitchboardStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]),
        .testTarget(
            name: "SwitchboardBrokerTests",
            dependencies: ["SwitchboardBroker", "ZeroMQ", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "SwitchboardOpsTests", dependencies: ["SwitchboardOps", "SwitchboardBroker", "SwitchboardSchema"]),
        .testTarget(name: "SwitchboardClientTests", dependencies: ["SwitchboardClient", "SwitchboardBroker"]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "ZeroMQ", "SwitchboardSchema", "SwitchboardClient", "SwitchboardStore", "SwitchboardPostgres",
                .product(name: "Logging", package: "swift-log"),
            ]),
    ]
)
