// Statistics records from files, merged as `colprof A B` and drift merge them:
// two records are read from the input and merged in every type they can
// widen to. Reading refuses bad counts; merging saturates, never traps.

import ColBytes
import ColFormat
import ColSketches
import FuzzSupport
#if canImport(Glibc)
import Glibc
#endif

@_cdecl("FuzzStatistics_main")
public func entry(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    if let dir = getenv("FUZZ_WRITE_SEEDS") {
        writeSeeds(to: String(cString: dir))
        return 0
    }
    return runFuzzer(argc: argc, argv: argv) { data, count in
        guard let data else { return 0 }
        return fuzz(data, count)
    }
}

func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    var r = ByteReader(Array(UnsafeBufferPointer(start: data, count: count)))
    guard let a = try? ColumnStatistics.deserialize(from: &r), let b = try? ColumnStatistics.deserialize(from: &r) else { return 0 }
    for logical in LogicalType.allCases where logical != .null {
        var m = a.upcast(to: a.type.widened(with: logical))
        m.merge(b, as: m.type.widened(with: b.type))
        m.merge(m, as: m.type)
        _ = m.valueCount
        _ = m.moments?.sampleStandardDeviation
        _ = m.quantiles?.quantile(0.05)
        _ = m.quantiles?.cdf(0)
        _ = m.hll?.estimate
        _ = m.frequent?.top(10)
        _ = m.compacted()
        var w = ByteWriter()
        m.serialize(into: &w)
        var back = ByteReader(w.bytes)
        _ = try? ColumnStatistics.deserialize(from: &back)
    }
    return 0
}

/// Seeds: pairs of real statistics records (every type, with nulls, NaN, widening
/// candidates), so mutations start from records the reader accepts.
func writeSeeds(to dir: String) {
    var vectors: [ColumnVector] = []
    var ints = ColumnVector(type: .int64), doubles = ColumnVector(type: .float64), texts = ColumnVector(type: .string)
    var dates = ColumnVector(type: .date), bools = ColumnVector(type: .bool), stamps = ColumnVector(type: .timestamp)
    for i in 0..<300 {
        if i % 17 == 0 { ints.appendNull() } else { ints.append(Int64(i * i - 5000)) }
        doubles.append(i % 29 == 0 ? Double.nan : Double(i) / 7)
        texts.append(string: "value \(i % 40)")
        dates.append(date: Int32(19000 + i % 60))
        bools.append(i % 3 == 0)
        _ = stamps.append(.timestamp(Int64(i) * 3_600_000_000))
    }
    vectors = [ints, doubles, texts, dates, bools, stamps]
    let records = vectors.map { v -> [UInt8] in
        var w = ByteWriter()
        ColumnStatistics.compute(v).serialize(into: &w)
        return w.bytes
    }
    var n = 0
    for a in records.indices {
        for b in records.indices {
            let bytes = records[a] + records[b]
            let fd = open("\(dir)/seed-\(n)", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            if fd >= 0 {
                _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                close(fd)
            }
            n += 1
        }
    }
}
