// swift-tools-version:6.0
import PackageDescription

// The modules with the per-row loops (reading raw lines, Parquet, queries) skip the run-time
// exclusivity checks in release builds: each access to a class's stored property in those
// loops cost a call into the runtime, about 2% of a promotion's CPU. Debug builds, which the
// tests run, keep every check.
let hotLoops: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

// Targets follow the data: storage (LakeCore) → catalog → ingest; simulators stand apart
// and only the `lake` executable (demo, simulate) and the tests reach them.
let package = Package(
    name: "lake",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "lake", targets: ["lake"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // Already built for AsyncHTTPClient's TLS stack; lake uses its SHA-256 and HMAC.
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        // Already built for AsyncHTTPClient; the Kafka client speaks its binary protocol over them.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.30.0"),
        // PostgreSQL change data capture (and the team lake's catalog): on the swift-nio above.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // One inline function (a cache prefetch), header only: nothing to link or build.
        .systemLibrary(name: "CPrefetch", path: "Sources/CPrefetch"),
        // glibc's mallopt, header only: queries keep freed buffers instead of unmapping them.
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        // Atomics on plain memory, header only: the scan workers number strings into one table.
        .systemLibrary(name: "CAtomic", path: "Sources/CAtomic"),
        .target(
            name: "LakeCore",
            dependencies: [
                "CZlib", "CMalloc",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: hotLoops
        ),
        .target(
            name: "LakeCatalog",
            dependencies: [
                "LakeCore", .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API (GRDB's own module of it): a commit's thousands of rows bound directly.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                // A team lake's files in S3, which the commit path writes.
                "LakeAWS",
                // The catalog copied to (and, later, kept in) PostgreSQL.
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(name: "LakeEventLog", dependencies: ["LakeCore", "CZlib"]),
        .target(name: "LakeParquet", dependencies: ["LakeCore"], swiftSettings: hotLoops),
        .target(
            name: "LakeTransform",
            dependencies: ["LakeCore", "LakeCatalog", "LakeParquet", "LakeQuery", "CPrefetch", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: hotLoops
        ),
        .target(name: "LakeQuery", dependencies: ["LakeCore", "LakeCatalog", "LakeParquet", "CAtomic", "CPrefetch"], swiftSettings: hotLoops),
        .target(name: "LakeGovernance", dependencies: ["LakeCore", "LakeCatalog", "LakeParquet"]),
        // AWS's request signing, credentials chain, JSON protocols (Kinesis, SQS) and S3's REST API.
        .target(
            name: "LakeAWS",
            dependencies: [
                "LakeCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "LakeIngest",
            dependencies: [
                "LakeCore", "LakeCatalog", "LakeEventLog", "LakeAWS",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                // SCRAM's HMAC and hashes.
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "LakeSimulators",
            dependencies: [
                "LakeCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                // PKCE's S256 challenge in the accounts simulator.
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "lake",
            dependencies: [
                "LakeCore", "LakeCatalog", "LakeEventLog", "LakeIngest", "LakeParquet", "LakeTransform", "LakeGovernance",
                "LakeQuery", "LakeSimulators", "LakeAWS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // lake migrate connects to the catalog's PostgreSQL.
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "LakeTestSupport", dependencies: ["LakeCore", "LakeCatalog"], path: "Tests/LakeTestSupport"),
        .testTarget(name: "LakeCoreTests", dependencies: ["LakeCore", "LakeTestSupport"]),
        .testTarget(name: "LakeEventLogTests", dependencies: ["LakeEventLog", "LakeTestSupport"]),
        .testTarget(name: "LakeParquetTests", dependencies: ["LakeParquet", "LakeCore", "LakeTestSupport"]),
        .testTarget(name: "LakeTransformTests", dependencies: ["LakeTransform", "LakeTestSupport"]),
        .testTarget(name: "LakeQueryTests", dependencies: ["LakeQuery"], exclude: ["fixtures", "cases"]),
        .testTarget(
            name: "LakeCatalogTests",
            dependencies: ["LakeCatalog", "LakeTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "LakeIngestTests",
            dependencies: [
                "LakeIngest", "LakeAWS", "LakeCatalog", "LakeParquet", "LakeSimulators", "LakeTestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ],
    swiftLanguageModes: [.v5]
)
