// colsum: the runnable example of the lazy-scan API (docs/API.md), and the
// benchmark of repeated scans with and without the chunk cache.
//
//   colsum FILE COLUMN [--where FILTER] [--repeat N] [--cache BYTES] [--whole]
//
// Prints the sum and count of the non-null, non-NaN values of a numeric
// column. With --repeat it scans N times and prints each pass's time, so
// `--cache 0` and `--cache 512MiB` compare uncached and cached repeats.
// With --whole it reads the column whole (`Scan.readAll`: every chunk decoded
// on every core into one contiguous array) instead of batch by batch.
import ColBytes
import ColFormat
import ColText
import ColScan
import ColText
#if canImport(Glibc)
import Glibc
#endif

func fail(_ message: String) -> Never {
    var line = "colsum: " + message + "\n"
    line.withUTF8 { p in _ = write(2, p.baseAddress, p.count) }
    exit(2)
}

var args = Array(CommandLine.arguments.dropFirst())
@MainActor func option(_ name: String) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    let v = args[i + 1]
    args.removeSubrange(i...(i + 1))
    return v
}
let filterText = option("--where")
let repeats = Int(option("--repeat") ?? "1") ?? 1
let cacheBytes = Int(clamping: parseSize(option("--cache") ?? "0") ?? 0)
reuseFreedMemoryForDecoding()
let whole = args.contains("--whole")
args.removeAll { $0 == "--whole" }
guard args.count == 2 else { fail("usage: colsum FILE COLUMN [--where FILTER] [--repeat N] [--cache BYTES] [--whole]") }

/// Adds the non-null, non-NaN values of the first `rows` rows of a numeric column.
func add(_ column: ColumnVector, rows: Int, to sum: inout Double, count: inout Int, name: String) {
    switch column.type {
    case .float64:
        column.float64s.withUnsafeBufferPointer { values in
            for i in 0..<rows where column.isValid(i) && !values[i].isNaN {
                sum += values[i]
                count += 1
            }
        }
    case .int64:
        for i in 0..<rows where column.isValid(i) {
            sum += Double(column.int64s[i])
            count += 1
        }
    default:
        fail("column '\(name)' is \(column.type.name), not a number")
    }
}

do {
    let reader = try ColFileReader(path: args[0])                  // the tail and the footer, nothing else
    let filter = try filterText.map { t throws(ScanError) in try RowFilter.parse(t) }
    let cache = cacheBytes > 0 ? ChunkCache(capacityBytes: cacheBytes) : nil
    for pass in 0..<max(1, repeats) {
        let started = ContinuousClock.now
        let scan = try reader.scan(columns: [args[1]], where: filter, cache: cache)
        var sum = 0.0
        var count = 0
        if whole {
            let column = try scan.readAll()[0]
            add(column, rows: column.count, to: &sum, count: &count, name: args[1])
        } else {
            var batches = scan.makeIterator()
            while let batch = try batches.next() { add(batch.columns[0], rows: batch.count, to: &sum, count: &count, name: args[1]) }
        }
        if repeats > 1 {
            let elapsed = ContinuousClock.now - started
            let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            print("pass \(pass + 1): \(fixed(ms, 3)) ms, \(scan.metrics.chunksRead) chunks read, \(scan.metrics.cacheHits) from the cache")
        }
        if pass == max(1, repeats) - 1 { print("sum \(sum) over \(count) values") }
    }
} catch {
    fail("\(error)")
}
