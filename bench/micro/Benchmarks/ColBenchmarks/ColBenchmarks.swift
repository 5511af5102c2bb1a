// Micro-benchmarks of the inner loops: tokenizers, encoders, codecs and sketches.
//
// Every input is generated here from a fixed seed, so runs are comparable.
// Each benchmark processes one fixed batch per iteration (the batch size is in
// its name) and reports wall time and allocations. The thresholds
// in Thresholds/ hold each metric's p90 from a reference run on the project's
// 2-core CI machine. `swift package benchmark thresholds check` fails when a p90
// is worse than that by more than the tolerance below. Time is noisy on shared
// machines, so its tolerance is wide (2×). Allocation counts are exact, so theirs
// is tight: a new allocation per value shows up as a regression at once.

import Benchmark
@_spi(Benchmarks) import ColFormat
@_spi(Benchmarks) import ColIngest
import ColBytes
import ColSketches
#if canImport(Glibc)
import Glibc
#endif

/// SplitMix64: a fixed, fast source of test data.
struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// Rows in the style of bench/gen.py: ints, prices, doubles, categories, UUIDs, quoted text, timestamps.
enum Inputs {
    static let rows = 65_536

    static func csv(rows: Int) -> [UInt8] {
        var g = Generator(state: 42)
        var out = Array("seq,rand_int,price,ratio,city,uuid,comment,created_at\n".utf8)
        for i in 0..<rows {
            let cents = g.below(100_000)
            let text = i % 10 == 0 ? "\"said \"\"hi\"\", then\nleft\"" : "plain words here \(g.below(1000))"
            let line = "\(i),\(g.below(1_000_000)),\(cents / 100).\(cents % 100 < 10 ? "0" : "")\(cents % 100),"
                + "\(Double(g.next() >> 11) / Double(1 << 53)),city_\(g.below(20)),\(uuid(&g)),\(text),"
                + "2024-01-01T00:\(10 + g.below(50)):\(10 + g.below(50))\n"
            out += Array(line.utf8)
        }
        return out
    }

    static func ndjson(rows: Int) -> [UInt8] {
        var g = Generator(state: 43)
        var out: [UInt8] = []
        for i in 0..<rows {
            let cents = g.below(100_000)
            let line = "{\"seq\":\(i),\"price\":\(cents / 100).\(cents % 100),\"city\":\"city_\(g.below(20))\","
                + "\"uuid\":\"\(uuid(&g))\",\"geo\":{\"lat\":\(g.below(180) - 90).5,\"lon\":\(g.below(360) - 180).25},"
                + "\"tags\":[\"a\",\"b\"],\"ok\":\(g.below(2) == 0 ? "true" : "false"),\"note\":null}\n"
            out += Array(line.utf8)
        }
        return out
    }

    static func uuid(_ g: inout Generator) -> String {
        let hex = Array("0123456789abcdef")
        var s = ""
        for k in 0..<32 {
            if k == 8 || k == 12 || k == 16 || k == 20 { s.append("-") }
            s.append(hex[g.below(16)])
        }
        return s
    }

    static func fields(_ make: (inout Generator) -> String) -> [[UInt8]] {
        var g = Generator(state: 44)
        return (0..<rows).map { _ in Array(make(&g).utf8) }
    }

    static func column(_ type: LogicalType, _ make: (inout Generator, Int, inout ColumnVector) -> Void) -> ColumnVector {
        var g = Generator(state: 45)
        var v = ColumnVector(type: type)
        for i in 0..<rows { make(&g, i, &v) }
        return v
    }

    static let sequence = column(.int64) { _, i, v in v.append(Int64(1_000_000 + i)) }
    static let prices = column(.float64) { g, _, v in v.append(Double(g.below(100_000)) / 100) }
    static let doubles = column(.float64) { g, _, v in v.append(Double(g.next() >> 11) / Double(1 << 53)) }
    static let cities = column(.string) { g, _, v in v.append(string: "city_\(g.below(20))") }
    static let uuids = column(.string) { g, _, v in v.append(string: uuid(&g)) }
}

/// A benchmark's name with dashes for spaces: the thresholds check looks the
/// name up as a file name as it is, while the update writes it shell-safe.
func id(_ title: String) -> String { String(title.map { $0 == " " ? "-" : $0 }) }

/// Writes `bytes` to a file in /tmp and returns its path. The name is fixed, so
/// each run overwrites the last one's file instead of leaving another behind.
func temporaryFile(_ name: String, _ bytes: [UInt8]) -> String {
    let path = "/tmp/col-micro-\(name)"
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    bytes.withUnsafeBytes { p in
        var done = 0
        while done < p.count, let base = p.baseAddress {
            let n = write(fd, base + done, p.count - done)
            if n <= 0 { break }
            done += n
        }
    }
    close(fd)
    return path
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        timeUnits: .microseconds,
        warmupIterations: 2,
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: 200,
        thresholds: [
            // Twice the reference time fails; less is within this machine's noise,
            // which reached +55% on one benchmark between two back-to-back runs.
            .wallClock: .init(relative: [.p90: 100]),
            .mallocCountTotal: .init(relative: [.p90: 2], absolute: [.p90: 8]),
        ]
    )

    // MARK: tokenizers and value parsing

    let csvText = Inputs.csv(rows: Inputs.rows)
    let csvPath = temporaryFile("tokenize.csv", csvText)
    Benchmark(id("CSV tokenizer 64Ki rows")) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try IngestKernels.tokenizeCSV(path: csvPath)) }
    }
    Benchmark(id("CSV structural scan 64Ki rows")) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(IngestKernels.scanCSVStructure(csvText)) }
    }
    // The reading stage of a conversion alone (records into raw chunks), on one thread and on two.
    for threads in [1, 2] {
        Benchmark(id("CSV read into chunks 64Ki rows \(threads) thread\(threads == 1 ? "" : "s")")) { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try IngestKernels.readCSVChunks(path: csvPath, threads: threads)) }
        }
    }
    let ndjsonText = Inputs.ndjson(rows: Inputs.rows)
    Benchmark(id("NDJSON scanner 64Ki records")) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(IngestKernels.scanNDJSON(ndjsonText)) }
    }
    let priceFields = Inputs.fields { g in "\(g.below(100_000) / 100).\(10 + g.below(90))" }
    let doubleFields = Inputs.fields { g in "\(Double(g.next() >> 11) / Double(1 << 53))" }
    let mixedFields = Inputs.fields { g in
        ["12345", "972.96", "true", "2024-05-06", "2024-05-06T07:08:09", "city_07", ""][g.below(7)]
    }
    Benchmark(id("type inference 64Ki mixed fields")) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(IngestKernels.classify(mixedFields)) }
    }
    Benchmark(id("float parsing 64Ki prices")) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(IngestKernels.parseDoubles(priceFields)) }
    }
    Benchmark(id("float parsing 64Ki 17-digit doubles")) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(IngestKernels.parseDoubles(doubleFields)) }
    }

    // MARK: encoders and decoders (analyze + encode one chunk column, no compression)

    let columns: [(String, ColumnVector)] = [
        ("int64 sequence", Inputs.sequence), ("float64 prices", Inputs.prices), ("float64 random", Inputs.doubles),
        ("string 20 categories", Inputs.cities), ("string UUIDs", Inputs.uuids),
    ]
    for (name, column) in columns {
        let kernels = FormatKernels()
        let encoding = kernels.encode(column)  // delta, decimal, plain, dictionary, plain
        let page = kernels.page
        Benchmark(id("encode \(name) 64Ki values")) { benchmark in
            for _ in benchmark.scaledIterations { blackHole(kernels.encode(column)) }
        }
        Benchmark(id("decode \(name) 64Ki values")) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try FormatKernels.decode(page, type: column.type, rows: column.count, encoding: encoding))
            }
        }
        Benchmark(id("statistics of \(name) 64Ki values")) { benchmark in
            for _ in benchmark.scaledIterations { blackHole(ColumnStatistics.compute(column)) }
        }
    }

    // MARK: each decoder on its own: bit-unpacking at several widths (frame of reference), runs,
    // dictionary gathers of numbers, and nulls expanded in place

    var forced: [(String, ColumnVector, Encoding)] = []
    for width in [1, 7, 13, 32, 57] {
        let column = Inputs.column(.int64) { g, _, v in v.append(Int64(bitPattern: g.next() >> UInt64(64 - width))) }
        forced.append(("int64 bitpacked width \(width)", column, .bitPacked))
    }
    forced.append(("int64 runs of 16", Inputs.column(.int64) { _, i, v in v.append(Int64(i / 16)) }, .rle))
    forced.append(("int64 dictionary of 200", Inputs.column(.int64) { g, _, v in v.append(Int64(g.below(200)) * 1_000_003) }, .dictionary))
    forced.append(("int64 sequence with 30% nulls", Inputs.column(.int64) { g, i, v in
        if g.below(10) < 3 { v.appendNull() } else { v.append(Int64(1_000_000 + i)) }
    }, .delta))
    for (name, column, encoding) in forced {
        let kernels = FormatKernels()
        let used = kernels.encode(column, forcing: encoding)
        let page = kernels.page
        Benchmark(id("decode \(name) 64Ki values")) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try FormatKernels.decode(page, type: column.type, rows: column.count, encoding: used))
            }
        }
    }

    // MARK: codecs, on the page of the random doubles and of the categories

    for (name, column) in [("float64 random", Inputs.doubles), ("string 20 categories", Inputs.cities)] {
        let kernels = FormatKernels()
        _ = kernels.encode(column)
        let page = kernels.page
        for codec in [Codec.zstd, .lz4] {
            let compressor = BlockCompressor()
            let used = page.withUnsafeBytes { compressor.compress($0, codec: codec, level: 3) }
            let stored = compressor.output
            Benchmark(id("\(codec) compress \(name) page")) { benchmark in
                for _ in benchmark.scaledIterations {
                    blackHole(page.withUnsafeBytes { compressor.compress($0, codec: codec, level: 3) })
                }
            }
            var out: [UInt8] = []
            Benchmark(id("\(codec) decompress \(name) page")) { benchmark in
                for _ in benchmark.scaledIterations {
                    blackHole(stored.withUnsafeBytes { compressor.decompress($0, codec: used, rawLength: page.count, into: &out) })
                }
            }
        }
    }

    // MARK: sketches

    let hashes: [UInt64] = { var g = Generator(state: 46); return (0..<Inputs.rows).map { _ in g.next() } }()
    let values: [Double] = { var g = Generator(state: 47); return (0..<Inputs.rows).map { _ in Double(g.below(1_000_000)) / 7 } }()
    Benchmark(id("XXH64 of 64Ki UUID strings")) { benchmark in
        let v = Inputs.uuids
        for _ in benchmark.scaledIterations {
            var acc: UInt64 = 0
            v.bytes.withUnsafeBytes { all in
                for i in 0..<v.count { acc ^= XXH64.hash(UnsafeRawBufferPointer(rebasing: all[v.byteRange(i)])) }
            }
            blackHole(acc)
        }
    }
    Benchmark(id("HyperLogLog add 64Ki hashes")) { benchmark in
        for _ in benchmark.scaledIterations {
            var h = HyperLogLog()
            for x in hashes { h.add(hash: x) }
            blackHole(h)
        }
    }
    Benchmark(id("KLL add 64Ki doubles")) { benchmark in
        for _ in benchmark.scaledIterations {
            var k = KLLSketch()
            for x in values { k.add(x) }
            blackHole(k)
        }
    }
    Benchmark(id("frequent items add 64Ki hashes of 20 values")) { benchmark in
        for _ in benchmark.scaledIterations {
            var f = FrequentItems<UInt64>()
            for x in hashes { f.add(hash: x % 20) { x % 20 } }
            blackHole(f)
        }
    }
    Benchmark(id("frequent items add 64Ki distinct hashes")) { benchmark in
        for _ in benchmark.scaledIterations {
            var f = FrequentItems<UInt64>()
            for x in hashes { f.add(hash: x) { x } }
            blackHole(f)
        }
    }
}
