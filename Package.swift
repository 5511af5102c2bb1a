// swift-tools-version: 6.1
import PackageDescription

// Dependency direction (one way only):
//   ColSketches  <-  ColFormat  <-  ColIngest   <-  colconv
//                              <-  ColProfile  <-  colprof
//                              <-  ColScan     <-  colprof
// CZstd and CLZ4 wrap the system libraries and are used by ColFormat only.
let package = Package(
    name: "col",
    products: [
        .library(name: "ColSketches", targets: ["ColSketches"]),
        .library(name: "ColFormat", targets: ["ColFormat"]),
        .library(name: "ColIngest", targets: ["ColIngest"]),
        .library(name: "ColProfile", targets: ["ColProfile"]),
        .library(name: "ColScan", targets: ["ColScan"]),
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
        .target(name: "ColSketches"),
        .target(name: "ColFormat", dependencies: ["ColSketches", "CZstd", "CLZ4"]),
        .target(name: "ColIngest", dependencies: ["ColFormat"]),
        .target(name: "ColProfile", dependencies: ["ColFormat"]),
        .target(name: "ColScan", dependencies: ["ColFormat"]),
        .executableTarget(
            name: "colconv",
            dependencies: [
                "ColIngest",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "colprof",
            dependencies: [
                "ColProfile",
                "ColScan",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "colsum", dependencies: ["ColScan"]),
        .testTarget(name: "ColSketchesTests", dependencies: ["ColSketches"]),
        .testTarget(name: "ColFormatTests", dependencies: ["ColFormat"]),
        .testTarget(name: "ColIngestTests", dependencies: ["ColIngest"]),
        .testTarget(name: "ColProfileTests", dependencies: ["ColProfile", "ColIngest"]),
        .testTarget(name: "ColScanTests", dependencies: ["ColScan", "ColIngest"]),
        .testTarget(name: "CLITests", dependencies: ["ColFormat"]),
    ],
    swiftLanguageModes: [.v6]
)
