// swift-tools-version: 6.1
import PackageDescription

// Dependency direction (one way only, every edge declared):
//   ColBytes  <-  ColSketches  <-  ColFormat  <-  ColText  <-  ColIngest   <-  ColCLI  <-  colconv, colprof
//                                                        <-  ColProfile  <-  ColCLI
//                                                        <-  ColScan     <-  ColCLI, colsum
//                                      ColFormat  <-  ColParquet  <-  ColCLI
// (ColIngest also uses ColBytes, ColProfile ColBytes and ColSketches, each declared below.)
// CZstd and CLZ4 wrap the system libraries and are used by ColFormat only.
// docs/ARCHITECTURE.md walks through the modules file by file.
let package = Package(
    name: "col",
    products: [
        .library(name: "ColBytes", targets: ["ColBytes"]),
        .library(name: "ColSketches", targets: ["ColSketches"]),
        .library(name: "ColFormat", targets: ["ColFormat"]),
        .library(name: "ColIngest", targets: ["ColIngest"]),
        .library(name: "ColProfile", targets: ["ColProfile"]),
        .library(name: "ColScan", targets: ["ColScan"]),
        .library(name: "ColParquet", targets: ["ColParquet"]),
        .library(name: "ColPostgres", targets: ["ColPostgres"]),
        .executable(name: "colconv", targets: ["colconv"]),
        .executable(name: "colprof", targets: ["colprof"]),
        .executable(name: "colsum", targets: ["colsum"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CZstd", pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(
            name: "CLZ4", pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(
            name: "CBrotli", pkgConfig: "libbrotlidec",
            providers: [.apt(["libbrotli-dev"])]),
        .systemLibrary(
            name: "CLibPQ", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),
        .target(name: "ColBytes"),
        .target(name: "ColSketches", dependencies: ["ColBytes"]),
        .target(name: "ColFormat", dependencies: ["ColBytes", "ColSketches", "CZstd", "CLZ4"]),
        .target(name: "ColText", dependencies: ["ColFormat"]),
        .target(name: "ColIngest", dependencies: ["ColBytes", "ColFormat", "ColText"]),
        .target(name: "ColProfile", dependencies: ["ColBytes", "ColSketches", "ColFormat", "ColText"]),
        .target(name: "ColScan", dependencies: ["ColFormat", "ColText"]),
        .target(name: "ColParquet", dependencies: ["ColBytes", "ColFormat", "CZstd", "CZlib", "CBrotli"]),
        .target(name: "ColPostgres", dependencies: ["ColFormat", "CLibPQ"]),
        .target(
            name: "ColCLI",
            dependencies: [
                "ColBytes", "ColFormat", "ColText", "ColIngest", "ColProfile", "ColScan", "ColParquet", "ColPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "colconv", dependencies: ["ColCLI"]),
        .executableTarget(name: "colprof", dependencies: ["ColCLI"]),
        .executableTarget(name: "colsum", dependencies: ["ColBytes", "ColFormat", "ColScan", "ColText"]),
        .target(name: "TestSupport", dependencies: ["ColBytes", "ColFormat"], path: "Tests/TestSupport"),
        .testTarget(name: "ColSketchesTests", dependencies: ["ColBytes", "ColSketches", "TestSupport"]),
        .testTarget(name: "ColFormatTests", dependencies: ["ColBytes", "ColSketches", "ColFormat", "TestSupport"]),
        .testTarget(name: "ColIngestTests", dependencies: ["ColBytes", "ColFormat", "ColText", "ColIngest", "ColCLI", "TestSupport"]),
        .testTarget(name: "ColProfileTests", dependencies: ["ColFormat", "ColProfile", "ColIngest", "TestSupport"]),
        .testTarget(name: "ColScanTests", dependencies: ["ColFormat", "ColScan", "ColIngest", "TestSupport"]),
        .testTarget(name: "ColParquetTests", dependencies: ["ColFormat", "ColIngest", "ColParquet", "CZlib", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["ColBytes", "ColSketches", "ColFormat", "CZlib", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
