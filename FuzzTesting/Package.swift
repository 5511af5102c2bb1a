// swift-tools-version:6.1
// libFuzzer targets for the parsers and readers that take untrusted bytes
// (docs/RELIABILITY.md, "Fuzzing"). Built apart from the root package:
//
//   swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library \
//       --scratch-path .build-fuzz
//
// `run.sh` builds them, replays FailCases/ and runs each target for a while.
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder, which differs between checkouts.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let fuzzTarget: (String, [Target.Dependency]) -> Target = { name, dependencies in
    .executableTarget(name: name, dependencies: ["FuzzSupport"] + dependencies, path: "Sources/\(name)")
}

let package = Package(
    name: "FuzzTesting",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [.product(name: "ColFormat", package: root)], path: "Sources/FuzzSupport"),
        fuzzTarget("FuzzCSV", [.product(name: "ColIngest", package: root), .product(name: "ColFormat", package: root)]),
        fuzzTarget("FuzzJSON", [.product(name: "ColIngest", package: root), .product(name: "ColFormat", package: root)]),
        fuzzTarget("FuzzCSVTokenizer", [.product(name: "ColIngest", package: root)]),
        fuzzTarget("FuzzJSONScanner", [.product(name: "ColIngest", package: root)]),
        fuzzTarget("FuzzColReader", [.product(name: "ColFormat", package: root), .product(name: "ColProfile", package: root)]),
        fuzzTarget("FuzzConfig", [.product(name: "ColProfile", package: root)]),
        fuzzTarget("FuzzParquetFooter", [.product(name: "ColParquet", package: root)]),
        fuzzTarget("FuzzStatistics", [.product(name: "ColBytes", package: root), .product(name: "ColFormat", package: root),
                                      .product(name: "ColSketches", package: root)]),
    ],
    swiftLanguageModes: [.v6]
)
