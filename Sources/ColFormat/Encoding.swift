import ColSketches

/// How a chunk column's non-null values are laid out before compression
/// (docs/FORMAT.md, "Encodings"). Each encoding has the same phases: analyze
/// (estimate the encoded size from one pass over the values), encode, and
/// decode.
public enum Encoding: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Values one after another (bools as bits, strings as lengths then bytes).
    case plain = 0
    /// A dictionary of distinct values, then bit-packed indices.
    case dictionary = 1
    /// Runs: run lengths, then one value per run.
    case rle = 2
    /// Frame of reference: the minimum, then bit-packed offsets from it (integers, dates, timestamps).
    case bitPacked = 3
    /// The first value, then bit-packed differences from the smallest delta (integers, dates, timestamps).
    case delta = 4
    /// Doubles that are exact decimals: an exponent e, then each value times 10^e
    /// as a frame-of-reference integer (float64 only; prices, scores, measurements).
    case decimal = 5

    public var description: String {
        switch self {
        case .plain: "plain"
        case .dictionary: "dictionary"
        case .rle: "rle"
        case .bitPacked: "bitpacked"
        case .delta: "delta"
        case .decimal: "decimal"
        }
    }

    /// The encodings that apply to a physical type.
    public static func candidates(for type: LogicalType) -> [Encoding] {
        switch type {
        case .null: [.plain]
        case .bool: [.plain, .rle]
        case .float64: [.plain, .dictionary, .rle, .decimal]
        case .string, .json: [.plain, .dictionary, .rle]
        case .int64, .date, .timestamp: [.plain, .dictionary, .rle, .bitPacked, .delta]
        }
    }
}

/// How nulls are stored at the start of an encoded page.
enum ValidityEncoding: UInt8 {
    case allValid = 0
    case bitmap = 1
    case runs = 2
    case allNull = 3
}

/// Encodes chunk columns into pages, reusing its buffers. One per thread.
final class PageEncoder {
    var page = ByteWriter(capacity: 1 << 16)
    private var ints: [Int64] = []
    private var keys: [UInt64] = []
    private var ids: [UInt32] = []
    private var table: [Int32] = []
    private var uniques: [Int] = []
    /// XXH64 of each non-null string value, in row order: filled by the statistics
    /// pass before `encode`, or by the encoder itself when it does not match the column.
    var stringHashes: [UInt64] = []

    /// The largest dictionary considered, in distinct values.
    static let dictionaryLimit = 1 << 16

    /// Encodes a column; returns the encoding used (the forced one when it
    /// applies, else the smallest by analysis). The page is left in `page`.
    func encode(_ v: ColumnVector, forcing forced: Encoding? = nil) -> Encoding {
        page.reset()
        writeValidity(v)
        let k = v.count - v.nullCount
        if v.type == .null || k == 0 { return .plain }
        let candidates = Encoding.candidates(for: v.type)
        switch v.type {
        case .bool:
            return encodeBools(v, forced: forced.flatMap { candidates.contains($0) ? $0 : nil })
        case .int64, .timestamp, .date, .float64:
            return encodeFixed(v, forced: forced.flatMap { candidates.contains($0) ? $0 : nil })
        case .string, .json:
            return encodeBytes(v, forced: forced.flatMap { candidates.contains($0) ? $0 : nil })
        case .null:
            return .plain
        }
    }

    // MARK: validity

    private func writeValidity(_ v: ColumnVector) {
        if v.nullCount == 0 { page.write(ValidityEncoding.allValid.rawValue); return }
        if v.nullCount == v.count { page.write(ValidityEncoding.allNull.rawValue); return }
        // Count runs to choose between a bitmap and run lengths.
        var runs = 1
        for i in 1..<v.count where v.isValid(i) != v.isValid(i - 1) { runs += 1 }
        let bitmapBytes = (v.count + 7) / 8
        if runs * 3 < bitmapBytes {
            page.write(ValidityEncoding.runs.rawValue)
            page.writeVarint(runs + (v.isValid(0) ? 0 : 1))
            if !v.isValid(0) { page.writeVarint(0) }
            var length = 1
            for i in 1..<v.count {
                if v.isValid(i) == v.isValid(i - 1) { length += 1 } else {
                    page.writeVarint(length)
                    length = 1
                }
            }
            page.writeVarint(length)
        } else {
            page.write(ValidityEncoding.bitmap.rawValue)
            for i in 0..<bitmapBytes {
                page.write(UInt8(truncatingIfNeeded: v.validityWords[i >> 3] >> UInt64((i & 7) * 8)))
            }
        }
    }

    // MARK: bool

    private func encodeBools(_ v: ColumnVector, forced: Encoding?) -> Encoding {
        var values: [Bool] = []
        values.reserveCapacity(v.count - v.nullCount)
        for i in 0..<v.count where v.isValid(i) { values.append(v.bools[i]) }
        var runs = 1
        for i in 1..<values.count where values[i] != values[i - 1] { runs += 1 }
        let encoding = forced ?? (runs * 2 + 2 < (values.count + 7) / 8 ? .rle : .plain)
        if encoding == .rle {
            page.writeVarint(runs)
            var start = 0
            for i in 1...values.count where i == values.count || values[i] != values[i - 1] {
                page.writeVarint(i - start)
                start = i
            }
            var i = 0
            while i < values.count {
                page.write(UInt8(values[i] ? 1 : 0))
                var j = i + 1
                while j < values.count && values[j] == values[i] { j += 1 }
                i = j
            }
            return .rle
        }
        BitPacking.pack(count: values.count, width: 1, into: &page) { values[$0] ? 1 : 0 }
        return .plain
    }

    // MARK: fixed-width (int64, timestamp, date, float64)

    /// Gathers the non-null values as 64-bit keys: integers as themselves,
    /// doubles as their bit patterns (so -0, +0 and NaN payloads survive).
    private func gatherFixed(_ v: ColumnVector) {
        keys.removeAll(keepingCapacity: true)
        keys.reserveCapacity(v.count - v.nullCount)
        let all = v.nullCount == 0
        switch v.type {
        case .int64, .timestamp:
            if all { for x in v.int64s { keys.append(UInt64(bitPattern: x)) } } else {
                for i in 0..<v.count where v.isValid(i) { keys.append(UInt64(bitPattern: v.int64s[i])) }
            }
        case .date:
            for i in 0..<v.count where all || v.isValid(i) { keys.append(UInt64(bitPattern: Int64(v.dates[i]))) }
        case .float64:
            if all { for x in v.float64s { keys.append(x.bitPattern) } } else {
                for i in 0..<v.count where v.isValid(i) { keys.append(v.float64s[i].bitPattern) }
            }
        default: break
        }
    }

    private func writeFixed(_ key: UInt64, type: LogicalType) {
        if type == .date { page.write(Int32(truncatingIfNeeded: Int64(bitPattern: key))) } else { page.write(key) }
    }

    /// Builds `uniques` (index of first occurrence) and `ids` for `keys`;
    /// returns false when the distinct count exceeds `limit`.
    private func buildDictionary(count k: Int, limit: Int, hash: (Int) -> UInt64, equal: (Int, Int) -> Bool) -> Bool {
        uniques.removeAll(keepingCapacity: true)
        ids.removeAll(keepingCapacity: true)
        ids.reserveCapacity(k)
        var size = 64
        while size < min(k, limit) * 2 { size <<= 1 }
        if table.count != size { table = [Int32](repeating: -1, count: size) } else {
            for i in 0..<size { table[i] = -1 }
        }
        let mask = size - 1
        for i in 0..<k {
            var slot = Int(truncatingIfNeeded: hash(i)) & mask
            while true {
                let u = table[slot]
                if u < 0 {
                    if uniques.count >= limit { return false }
                    table[slot] = Int32(uniques.count)
                    ids.append(UInt32(uniques.count))
                    uniques.append(i)
                    break
                }
                if equal(uniques[Int(u)], i) {
                    ids.append(UInt32(u))
                    break
                }
                slot = (slot + 1) & mask
            }
        }
        return true
    }

    private func encodeFixed(_ v: ColumnVector, forced: Encoding?) -> Encoding {
        gatherFixed(v)
        let k = keys.count
        let width = v.type.fixedWidth
        let isInt = v.type.isInteger
        // Analyze.
        var runs = 1
        var minV = Int64.max, maxV = Int64.min
        var minD = Int64.max, maxD = Int64.min
        for i in 0..<k {
            let x = Int64(bitPattern: keys[i])
            if i > 0 {
                if keys[i] != keys[i - 1] { runs += 1 }
                let d = x &- Int64(bitPattern: keys[i - 1])
                minD = min(minD, d)
                maxD = max(maxD, d)
            }
            minV = min(minV, x)
            maxV = max(maxV, x)
        }
        let plainSize = k * width
        let rleSize = runs * (width + 2) + 4
        var forSize = Int.max, deltaSize = Int.max
        if isInt {
            forSize = 9 + BitPacking.byteCount(count: k, width: BitPacking.width(UInt64(bitPattern: maxV &- minV)))
            if k > 1 {
                deltaSize = 17 + BitPacking.byteCount(count: k - 1, width: BitPacking.width(UInt64(bitPattern: maxD &- minD)))
            }
        }
        // The decimal analysis leaves each value's scaled integer in `ints` for packing.
        var decimal: (exponent: Int, min: Int64, width: Int)?
        if v.type == .float64, forced == nil || forced == .decimal {
            decimal = DecimalScaling.analyze(count: k, into: &ints) { Double(bitPattern: self.keys[$0]) }
        }
        var encoding = forced ?? .plain
        if forced == nil {
            var best = plainSize
            if rleSize < best { best = rleSize; encoding = .rle }
            if forSize < best { best = forSize; encoding = .bitPacked }
            if deltaSize < best { best = deltaSize; encoding = .delta }
            if let decimal {
                let decimalSize = 10 + BitPacking.byteCount(count: k, width: decimal.width)
                if decimalSize < best { best = decimalSize; encoding = .decimal }
            }
            // Dictionary only when it can beat the best so far.
            let limit = min(Self.dictionaryLimit, best / max(width, 1))
            if limit >= 2, runs > 1,
               buildDictionary(count: k, limit: limit, hash: { mix64(self.keys[$0]) }, equal: { self.keys[$0] == self.keys[$1] }) {
                let d = uniques.count
                let dictSize = 4 + d * width + 1 + BitPacking.byteCount(count: k, width: BitPacking.width(UInt64(d - 1)))
                if dictSize < best { best = dictSize; encoding = .dictionary }
            }
        }
        switch encoding {
        case .plain:
            for x in keys { writeFixed(x, type: v.type) }
        case .rle:
            page.writeVarint(runs)
            var start = 0
            for i in 1...k where i == k || keys[i] != keys[i - 1] {
                page.writeVarint(i - start)
                start = i
            }
            for i in 0..<k where i == 0 || keys[i] != keys[i - 1] { writeFixed(keys[i], type: v.type) }
        case .bitPacked:
            let w = BitPacking.width(UInt64(bitPattern: maxV &- minV))
            page.write(minV)
            page.write(UInt8(w))
            BitPacking.pack(count: k, width: w, into: &page) { UInt64(bitPattern: Int64(bitPattern: self.keys[$0]) &- minV) }
        case .delta:
            let first = Int64(bitPattern: keys[0])
            if k == 1 { minD = 0; maxD = 0 }
            let w = BitPacking.width(UInt64(bitPattern: maxD &- minD))
            page.write(first)
            page.write(minD)
            page.write(UInt8(w))
            BitPacking.pack(count: k - 1, width: w, into: &page) {
                let d = Int64(bitPattern: self.keys[$0 + 1]) &- Int64(bitPattern: self.keys[$0])
                return UInt64(bitPattern: d &- minD)
            }
        case .decimal:
            // Forced on values that are not all exact decimals, the page is plain.
            guard let decimal else {
                for x in keys { writeFixed(x, type: v.type) }
                return .plain
            }
            page.write(UInt8(decimal.exponent))
            page.write(decimal.min)
            page.write(UInt8(decimal.width))
            BitPacking.pack(count: k, width: decimal.width, into: &page) { UInt64(bitPattern: self.ints[$0] &- decimal.min) }
        case .dictionary:
            if forced != nil {
                _ = buildDictionary(count: k, limit: Int.max, hash: { mix64(self.keys[$0]) }, equal: { self.keys[$0] == self.keys[$1] })
            }
            page.writeVarint(uniques.count)
            for u in uniques { writeFixed(keys[u], type: v.type) }
            let w = BitPacking.width(UInt64(max(uniques.count - 1, 0)))
            page.write(UInt8(w))
            BitPacking.pack(count: k, width: w, into: &page) { UInt64(self.ids[$0]) }
        }
        return encoding
    }

    // MARK: string, json

    /// Makes `stringHashes` hold the hash of each of the `k` values, unless it already does.
    private func hashStrings(_ v: ColumnVector, count k: Int, range: (Int) -> Range<Int>) {
        guard stringHashes.count != k else { return }
        stringHashes.removeAll(keepingCapacity: true)
        v.bytes.withUnsafeBytes { b in
            for j in 0..<k { stringHashes.append(XXH64.hash(UnsafeRawBufferPointer(rebasing: b[range(j)]))) }
        }
    }

    private func encodeBytes(_ v: ColumnVector, forced: Encoding?) -> Encoding {
        // Indices of valid rows.
        ints.removeAll(keepingCapacity: true)
        for i in 0..<v.count where v.isValid(i) { ints.append(Int64(i)) }
        let k = ints.count
        let rows = ints
        func range(_ j: Int) -> Range<Int> { v.byteRange(Int(rows[j])) }
        func same(_ a: Int, _ b: Int) -> Bool {
            let ra = range(a), rb = range(b)
            return ra.count == rb.count && v.bytes[ra] == v.bytes[rb]
        }
        var runs = 1
        var total = 0
        for j in 0..<k {
            total += range(j).count
            if j > 0 && !same(j, j - 1) { runs += 1 }
        }
        let plainSize = 4 * k + total
        var encoding = forced ?? .plain
        var best = plainSize
        if forced == nil {
            let rleSize = runs * 6 + total * runs / max(k, 1)
            if rleSize < best { best = rleSize; encoding = .rle }
            hashStrings(v, count: k, range: range)
            let limit = min(Self.dictionaryLimit, k / 2 + 1)
            if runs > 1, buildDictionary(count: k, limit: limit, hash: { self.stringHashes[$0] }, equal: same) {
                var dictBytes = 0
                for u in uniques { dictBytes += range(u).count }
                let size = 4 + uniques.count * 4 + dictBytes + 1
                    + BitPacking.byteCount(count: k, width: BitPacking.width(UInt64(uniques.count - 1)))
                if size < best { best = size; encoding = .dictionary }
            }
        }
        func writeValues(_ js: [Int]) {
            for j in js { page.write(UInt32(range(j).count)) }
            for j in js { page.writeRaw(v.bytes[range(j)]) }
        }
        switch encoding {
        case .plain:
            writeValues(Array(0..<k))
        case .rle:
            var starts: [Int] = []
            for j in 0..<k where j == 0 || !same(j, j - 1) { starts.append(j) }
            page.writeVarint(starts.count)
            for (n, s) in starts.enumerated() { page.writeVarint((n + 1 < starts.count ? starts[n + 1] : k) - s) }
            writeValues(starts)
        case .dictionary:
            if forced != nil {
                hashStrings(v, count: k, range: range)
                _ = buildDictionary(count: k, limit: Int.max, hash: { self.stringHashes[$0] }, equal: same)
            }
            page.writeVarint(uniques.count)
            writeValues(uniques)
            let w = BitPacking.width(UInt64(max(uniques.count - 1, 0)))
            page.write(UInt8(w))
            BitPacking.pack(count: k, width: w, into: &page) { UInt64(self.ids[$0]) }
        default:
            writeValues(Array(0..<k))
            return .plain
        }
        return encoding
    }
}
