#if canImport(Glibc)
import Glibc
#endif
import ColBytes
import ColSketches

/// Statistics of one column, for one chunk or merged over a file or dataset
/// (docs/FORMAT.md §5). A nil field means unknown, never zero.
public struct ColumnStatistics: Sendable {
    /// The type the statistics are expressed in (a chunk's physical type, or the file's logical type).
    public var type: LogicalType
    /// Rows, nulls included.
    public var rowCount: UInt64 = 0
    /// Always present.
    public var nullCount: UInt64 = 0
    /// NaN values (float64 only); they are not part of min, max, moments or quantiles.
    public var nanCount: UInt64 = 0
    /// Rows that hold a value: neither null nor NaN (never negative, even for saturated merged counts).
    public var valueCount: UInt64 {
        let missing = nullCount.addingReportingOverflow(nanCount)
        return missing.overflow || missing.partialValue > rowCount ? 0 : rowCount - missing.partialValue
    }
    /// The smallest non-null, non-NaN value; -0 and +0 are equal.
    public var min: Scalar?
    /// The largest non-null, non-NaN value.
    public var max: Scalar?
    /// False when a string bound was truncated (then `min` ≤ every value ≤ `max` still holds).
    public var minExact = true
    /// False when a string `max` was truncated (it is then a strict upper bound).
    public var maxExact = true
    /// Distinct non-null values (NaN excluded; -0 and +0 count once).
    public var distinctCount: UInt64?
    /// True when `distinctCount` was counted exactly, false when estimated by HyperLogLog.
    public var distinctExact = false
    /// Sum, mean and variance of numeric values (dates as days, timestamps as microseconds, bools as 0/1).
    public var moments: Moments?
    /// Byte lengths of string and json values.
    public var lengthMin: UInt64?
    /// The longest value, in bytes.
    public var lengthMax: UInt64?
    /// All values' bytes together.
    public var lengthTotal: UInt64?
    /// Decoded bytes in the Arrow layout (see `DecodedSize`).
    public var decodedBytes: UInt64 = 0
    /// Quantiles of numeric values.
    public var quantiles: KLLSketch?
    /// The most frequent values.
    public var frequent: FrequentItems<Scalar>?
    /// The distinct-count sketch (file-level statistics only).
    public var hll: HyperLogLog?
    /// How values were typed at ingestion (file-level statistics only).
    public var ingestion: IngestionStatistics?
    /// How values move from row to row inside the chunks (int64, float64, date, timestamp).
    /// It is not part of the statistics record: a chunk's is stored in the chunk-order section
    /// (docs/FORMAT.md §2.7), and a file's sum in the roles section (§2.8).
    public var order: ValueOrder?

    /// Bound on stored string min/max, in bytes.
    public static let boundLimit = 64
    /// Top values kept in file-level statistics.
    public static let fileTopK = 64
    /// Top values kept in chunk-level statistics; when a chunk has at most this
    /// many distinct values the list is complete (a value set usable for pruning).
    public static let chunkTopK = 16
    /// KLL accuracy of chunk-level statistics.
    public static let chunkQuantileK = 64
    /// Distinct values a column's frequent-items sketch counts exactly, at most.
    public static let exactDistinctLimit = 2048
    /// Exactly counted distinct values over all the columns of a file: the writer holds a
    /// file-level and a chunk-level sketch per column, so without a shared budget a file of
    /// 1,000 columns would keep 2 × 2,048 entries (about 200 KB) per column.
    public static let exactDistinctBudget = 1 << 17

    /// The exact limit of each column's frequent-items sketch in a file of `columns` columns:
    /// 2,048 up to 64 columns, then the budget shared out, but never below `fileTopK`.
    public static func exactDistinctLimit(columns: Int) -> Int {
        Swift.max(fileTopK, Swift.min(exactDistinctLimit, exactDistinctBudget / Swift.max(columns, 1)))
    }

    /// Empty statistics of a type: no rows, every statistic unknown.
    public init(type: LogicalType) { self.type = type }

    /// The exact set of distinct non-null values, when the stored top-k list is complete.
    public var exactValueSet: [Scalar]? {
        guard let f = frequent, f.isExact, let d = f.distinctCount, d <= ColumnStatistics.chunkTopK else { return nil }
        return f.top(d).map(\.item)
    }

    // MARK: computing

    /// Computes full statistics (with sketches) of one chunk column, counting up to
    /// `exactLimit` distinct values exactly.
    public static func compute(_ v: ColumnVector, exactLimit: Int = exactDistinctLimit) -> ColumnStatistics {
        var unused: [UInt64] = []
        return compute(v, stringHashes: &unused, exactLimit: exactLimit)
    }

    /// Computes full statistics, leaving in `stringHashes` the XXH64 of every
    /// non-null string or json value, in row order (the encoder reuses them).
    static func compute(_ v: ColumnVector, stringHashes: inout [UInt64], exactLimit: Int = exactDistinctLimit) -> ColumnStatistics {
        stringHashes.removeAll(keepingCapacity: true)
        var s = ColumnStatistics(type: v.type)
        s.rowCount = UInt64(v.count)
        s.nullCount = UInt64(v.nullCount)
        s.decodedBytes = UInt64(v.decodedBytes)
        var hll = HyperLogLog()
        var freq = FrequentItems<Scalar>(capacity: fileTopK, exactLimit: exactLimit)
        let all = v.nullCount == 0
        switch v.type {
        case .null:
            s.distinctCount = 0
            s.distinctExact = true
            return s
        case .bool:
            var trues: UInt64 = 0, falses: UInt64 = 0
            for i in 0..<v.count where all || v.isValid(i) {
                if v.bools[i] { trues += 1 } else { falses += 1 }
            }
            if falses > 0 { freq.add(hash: ValueHash.bool(false), count: falses) { .bool(false) }; hll.add(hash: ValueHash.bool(false)) }
            if trues > 0 { freq.add(hash: ValueHash.bool(true), count: trues) { .bool(true) }; hll.add(hash: ValueHash.bool(true)) }
            if trues + falses > 0 {
                s.min = .bool(falses == 0)
                s.max = .bool(trues > 0)
                let n = Double(trues + falses)
                let mean = Double(trues) / n
                s.moments = Moments(count: trues + falses, sum: Double(trues),
                                    mean: mean, m2: Double(trues) * (1 - mean) * (1 - mean) + Double(falses) * mean * mean)
            }
        case .int64, .timestamp, .date:
            // Values and hashes are gathered first, so the KLL and HyperLogLog sketches take
            // them in one batch each (the same sketches as value by value, in row order).
            var values: [Double] = []
            var hashes: [UInt64] = []
            values.reserveCapacity(v.count - v.nullCount)
            hashes.reserveCapacity(v.count - v.nullCount)
            var lo = Int64.max, hi = Int64.min
            let type = v.type
            for i in 0..<v.count where all || v.isValid(i) {
                let x = type == .date ? Int64(v.dates[i]) : v.int64s[i]
                if x < lo { lo = x }
                if x > hi { hi = x }
                values.append(Double(x))
                let h = type == .int64 ? ValueHash.int64(x) : ValueHash.timestamp(type == .date ? x * CanonicalText.microsPerDay : x)
                hashes.append(h)
                freq.add(hash: h) { type == .int64 ? .int64(x) : (type == .date ? .date(Int32(x)) : .timestamp(x)) }
            }
            if !values.isEmpty {
                s.moments = Moments(of: values)
                switch type {
                case .int64: s.min = .int64(lo); s.max = .int64(hi)
                case .date: s.min = .date(Int32(lo)); s.max = .date(Int32(hi))
                default: s.min = .timestamp(lo); s.max = .timestamp(hi)
                }
                var kll = KLLSketch()
                values.withUnsafeBufferPointer { kll.add(contentsOf: $0) }
                s.quantiles = kll
            }
            s.order = values.withUnsafeBufferPointer { ValueOrder(of: $0) }
            hashes.withUnsafeBufferPointer { hll.add(hashes: $0) }
        case .float64:
            var values: [Double] = []
            var hashes: [UInt64] = []
            values.reserveCapacity(v.count - v.nullCount)
            hashes.reserveCapacity(v.count - v.nullCount)
            var lo = Double.infinity, hi = -Double.infinity
            for i in 0..<v.count where all || v.isValid(i) {
                let x = v.float64s[i]
                if x.isNaN { s.nanCount += 1; continue }
                if x < lo { lo = x }
                if x > hi { hi = x }
                values.append(x)
                let h = ValueHash.float64(x)
                hashes.append(h)
                freq.add(hash: h) { .float64(x == 0 ? 0 : x) }
            }
            if !values.isEmpty {
                s.moments = Moments(of: values)
                s.min = .float64(lo == 0 ? 0 : lo)
                s.max = .float64(hi == 0 ? 0 : hi)
                var kll = KLLSketch()
                values.withUnsafeBufferPointer { kll.add(contentsOf: $0) }
                s.quantiles = kll
            }
            s.order = values.withUnsafeBufferPointer { ValueOrder(of: $0) }
            hashes.withUnsafeBufferPointer { hll.add(hashes: $0) }
        case .string, .json:
            var minR: Range<Int>? = nil, maxR: Range<Int>? = nil
            var lmin = UInt64.max, lmax: UInt64 = 0, ltotal: UInt64 = 0
            v.bytes.withUnsafeBytes { b in
                func cmp(_ x: Range<Int>, _ y: Range<Int>) -> Int {
                    let common = Swift.min(x.count, y.count)
                    if common > 0, let base = b.baseAddress {
                        let c = memcmp(base + x.lowerBound, base + y.lowerBound, common)
                        if c != 0 { return c < 0 ? -1 : 1 }
                    }
                    return x.count < y.count ? -1 : (x.count == y.count ? 0 : 1)
                }
                for i in 0..<v.count where all || v.isValid(i) {
                    let r = v.byteRange(i)
                    let len = UInt64(r.count)
                    if len < lmin { lmin = len }
                    if len > lmax { lmax = len }
                    ltotal += len
                    if let m = minR { if cmp(r, m) < 0 { minR = r } } else { minR = r }
                    if let m = maxR { if cmp(r, m) > 0 { maxR = r } } else { maxR = r }
                    let h = XXH64.hash(UnsafeRawBufferPointer(rebasing: b[r]))
                    stringHashes.append(h)
                    let type = v.type
                    freq.add(hash: h) {
                        let bytes = Array(b[r])
                        return type == .json ? .json(bytes) : .string(bytes)
                    }
                }
            }
            stringHashes.withUnsafeBufferPointer { hll.add(hashes: $0) }
            if let minR, let maxR {
                s.lengthMin = lmin
                s.lengthMax = lmax
                s.lengthTotal = ltotal
                let (lo, loExact) = truncatedLowerBound(Array(v.bytes[minR]))
                let hiBound = truncatedUpperBound(Array(v.bytes[maxR]))
                s.min = v.type == .json ? .json(lo) : .string(lo)
                s.minExact = loExact
                if let (hi, hiExact) = hiBound {
                    s.max = v.type == .json ? .json(hi) : .string(hi)
                    s.maxExact = hiExact
                }
            }
        }
        s.hll = hll
        s.frequent = freq
        if let d = freq.distinctCount {
            s.distinctCount = UInt64(d)
            s.distinctExact = true
        } else {
            s.distinctCount = UInt64(hll.estimate.rounded())
            s.distinctExact = false
        }
        return s
    }

    /// A prefix of at most `boundLimit` bytes, cut at a UTF-8 boundary: still a lower bound.
    static func truncatedLowerBound(_ b: [UInt8]) -> ([UInt8], Bool) {
        guard b.count > boundLimit else { return (b, true) }
        var n = boundLimit
        while n > 0 && b[n] & 0xC0 == 0x80 { n -= 1 }
        return (Array(b[0..<n]), false)
    }

    /// A prefix with its last byte incremented: an upper bound of at most
    /// `boundLimit` bytes, or nil when no shorter upper bound exists.
    static func truncatedUpperBound(_ b: [UInt8]) -> ([UInt8], Bool)? {
        guard b.count > boundLimit else { return (b, true) }
        var p = Array(b[0..<boundLimit])
        while let last = p.last {
            if last < 0xFF {
                p[p.count - 1] = last + 1
                return (p, false)
            }
            p.removeLast()
        }
        return nil
    }
}
