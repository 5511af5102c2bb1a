// swift-tools-version: 6.1
import PackageDescription

// Micro-benchmarks of the inner loops (tokenizers, encoders, codecs, sketches),
// with ordo-one/benchmark. A package of its own so that the main package does
// not depend on the benchmark library. Run from this folder:
//
//   swift package benchmark                      # run and print
//   swift package benchmark thresholds check     # compare with Thresholds/ (exit 1 on a regression)
//   swift package benchmark thresholds update    # after an intended change, and commit the result
let package = Package(
    name: "col-micro",
    dependencies: [
        .package(name: "col", path: "../.."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "ColBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ColBytes", package: "col"),
                .product(name: "ColSketches", package: "col"),
                .product(name: "ColFormat", package: "col"),
                .product(name: "ColIngest", package: "col"),
            ],
            path: "Benchmarks/ColBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
