import ColSketches

/// How the values of a column looked when they were ingested
/// (docs/FORMAT.md, "Ingestion statistics"). Filled in by the ingest layer.
public struct IngestionStatistics: Sendable, Equatable {
    /// Values that parsed as each candidate type, indexed by `LogicalType.rawValue`.
    public var parsedAs: [UInt64] = [UInt64](repeating: 0, count: LogicalType.allCases.count)
    /// Fields that matched a null token (the empty field included).
    public var nullTokens: UInt64 = 0
    /// Empty fields (zero bytes, quoted or not).
    public var emptyStrings: UInt64 = 0
    /// Values rejected by the error policy.
    public var rejected: UInt64 = 0
    /// JSON: values overwritten by a later repeat of their key in the same object (the last one wins).
    public var duplicateKeys: UInt64 = 0

    public init() {}

    public mutating func merge(_ o: IngestionStatistics) {
        for i in 0..<parsedAs.count { parsedAs[i] += o.parsedAs[i] }
        nullTokens += o.nullTokens
        emptyStrings += o.emptyStrings
        rejected += o.rejected
        duplicateKeys += o.duplicateKeys
    }

    func serialize(into w: inout ByteWriter) {
        w.writeVarint(parsedAs.count)
        for v in parsedAs { w.writeVarint(v) }
        w.writeVarint(nullTokens)
        w.writeVarint(emptyStrings)
        w.writeVarint(rejected)
        w.writeVarint(duplicateKeys)
    }

    static func deserialize(from r: inout ByteReader) throws(BinaryDecodingError) -> IngestionStatistics {
        var s = IngestionStatistics()
        let n = try r.readCount(limit: 64, minBytesEach: 1)
        for i in 0..<n {
            let v = try r.readVarint()
            if i < s.parsedAs.count { s.parsedAs[i] = v }
        }
        s.nullTokens = try r.readVarint()
        s.emptyStrings = try r.readVarint()
        s.rejected = try r.readVarint()
        s.duplicateKeys = try r.readVarint()
        return s
    }
}

/// Statistics of one column, for one chunk or merged over a file or dataset
/// (docs/FORMAT.md, "Statistics"). A nil field means unknown, never zero.
public struct ColumnStatistics: Sendable {
    /// The type the statistics are expressed in (a chunk's physical type, or the file's logical type).
    public var type: LogicalType
    public var rowCount: UInt64 = 0
    /// Always present.
    public var nullCount: UInt64 = 0
    /// NaN values (float64 only); they are not part of min, max, moments or quantiles.
    public var nanCount: UInt64 = 0
    /// The smallest non-null, non-NaN value; -0 and +0 are equal.
    public var min: Scalar?
    public var max: Scalar?
    /// False when a string bound was truncated (then `min` ≤ every value ≤ `max` still holds).
    public var minExact = true
    public var maxExact = true
    /// Distinct non-null values (NaN excluded; -0 and +0 count once).
    public var distinctCount: UInt64?
    /// True when `distinctCount` was counted exactly, false when estimated by HyperLogLog.
    public var distinctExact = false
    /// Sum, mean and variance of numeric values (dates as days, timestamps as microseconds, bools as 0/1).
    public var moments: Moments?
    /// Byte lengths of string and json values.
    public var lengthMin: UInt64?
    public var lengthMax: UInt64?
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

    /// Bound on stored string min/max, in bytes.
    public static let boundLimit = 64
    /// Top values kept in file-level statistics.
    public static let fileTopK = 64
    /// Top values kept in chunk-level statistics; when a chunk has at most this
    /// many distinct values the list is complete (a value set usable for pruning).
    public static let chunkTopK = 16
    /// KLL accuracy of chunk-level statistics.
    public static let chunkQuantileK = 64

    public init(type: LogicalType) { self.type = type }

    /// The exact set of distinct non-null values, when the stored top-k list is complete.
    public var exactValueSet: [Scalar]? {
        guard let f = frequent, f.isExact, let d = f.distinctCount, d <= ColumnStatistics.chunkTopK else { return nil }
        return f.top(d).map(\.item)
    }

    // MARK: computing

    /// Computes full statistics (with sketches) of one chunk column.
    public static func compute(_ v: ColumnVector) -> ColumnStatistics {
        var unused: [UInt64] = []
        return compute(v, stringHashes: &unused)
    }

    /// Computes full statistics, leaving in `stringHashes` the XXH64 of every
    /// non-null string or json value, in row order (the encoder reuses them).
    static func compute(_ v: ColumnVector, stringHashes: inout [UInt64]) -> ColumnStatistics {
        stringHashes.removeAll(keepingCapacity: true)
        var s = ColumnStatistics(type: v.type)
        s.rowCount = UInt64(v.count)
        s.nullCount = UInt64(v.nullCount)
        s.decodedBytes = UInt64(v.decodedBytes)
        var hll = HyperLogLog()
        var freq = FrequentItems<Scalar>(capacity: fileTopK)
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
            var kll = KLLSketch()
            var lo = Int64.max, hi = Int64.min
            var sum = 0.0, n = 0
            for i in 0..<v.count where all || v.isValid(i) {
                let x = v.type == .date ? Int64(v.dates[i]) : v.int64s[i]
                if x < lo { lo = x }
                if x > hi { hi = x }
                sum += Double(x)
                n += 1
                kll.add(Double(x))
                let h = v.type == .int64 ? ValueHash.int64(x)
                    : ValueHash.timestamp(v.type == .date ? x * CanonicalText.microsPerDay : x)
                hll.add(hash: h)
                let type = v.type
                freq.add(hash: h) { type == .int64 ? .int64(x) : (type == .date ? .date(Int32(x)) : .timestamp(x)) }
            }
            if n > 0 {
                let mean = sum / Double(n)
                var m2 = 0.0
                for i in 0..<v.count where all || v.isValid(i) {
                    let d = Double(v.type == .date ? Int64(v.dates[i]) : v.int64s[i]) - mean
                    m2 += d * d
                }
                s.moments = Moments(count: UInt64(n), sum: sum, mean: mean, m2: m2)
                switch v.type {
                case .int64: s.min = .int64(lo); s.max = .int64(hi)
                case .date: s.min = .date(Int32(lo)); s.max = .date(Int32(hi))
                default: s.min = .timestamp(lo); s.max = .timestamp(hi)
                }
                s.quantiles = kll
            }
        case .float64:
            var kll = KLLSketch()
            var lo = Double.infinity, hi = -Double.infinity
            var sum = 0.0, n = 0
            for i in 0..<v.count where all || v.isValid(i) {
                let x = v.float64s[i]
                if x.isNaN { s.nanCount += 1; continue }
                if x < lo { lo = x }
                if x > hi { hi = x }
                sum += x
                n += 1
                kll.add(x)
                let h = ValueHash.float64(x)
                hll.add(hash: h)
                freq.add(hash: h) { .float64(x == 0 ? 0 : x) }
            }
            if n > 0 {
                let mean = sum / Double(n)
                var m2 = 0.0
                for i in 0..<v.count where (all || v.isValid(i)) && !v.float64s[i].isNaN {
                    let d = v.float64s[i] - mean
                    m2 += d * d
                }
                s.moments = Moments(count: UInt64(n), sum: sum, mean: mean, m2: m2)
                s.min = .float64(lo == 0 ? 0 : lo)
                s.max = .float64(hi == 0 ? 0 : hi)
                s.quantiles = kll
            }
        case .string, .json:
            var minR: Range<Int>? = nil, maxR: Range<Int>? = nil
            var lmin = UInt64.max, lmax: UInt64 = 0, ltotal: UInt64 = 0
            v.bytes.withUnsafeBytes { b in
                func cmp(_ x: Range<Int>, _ y: Range<Int>) -> Int {
                    for k in 0..<Swift.min(x.count, y.count) {
                        let p = b[x.lowerBound + k], q = b[y.lowerBound + k]
                        if p != q { return p < q ? -1 : 1 }
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
                    hll.add(hash: h)
                    let type = v.type
                    freq.add(hash: h) {
                        let bytes = Array(b[r])
                        return type == .json ? .json(bytes) : .string(bytes)
                    }
                }
            }
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

    // MARK: merging

    /// Merges another column's statistics into these, expressing the result in
    /// `logical` (the wider of the two types).
    public mutating func merge(_ o: ColumnStatistics, as logical: LogicalType) {
        let wasEmpty = rowCount == 0
        let mine = self
        type = logical
        rowCount += o.rowCount
        nullCount += o.nullCount
        nanCount += o.nanCount
        decodedBytes += o.decodedBytes
        func up(_ s: Scalar?, from t: LogicalType) -> Scalar? {
            guard let s else { return nil }
            // A numeric or date bound says nothing about text order.
            if logical.isVariableLength && !t.isVariableLength { return nil }
            return s.upcast(to: logical)
        }
        let myMin = up(mine.min, from: mine.type), myMax = up(mine.max, from: mine.type)
        let oMin = up(o.min, from: o.type), oMax = up(o.max, from: o.type)
        let mineHasValues = mine.rowCount > mine.nullCount + mine.nanCount
        let otherHasValues = o.rowCount > o.nullCount + o.nanCount
        func pick(_ a: Scalar?, _ aExact: Bool, _ aHas: Bool, _ b: Scalar?, _ bExact: Bool, _ bHas: Bool, wantMin: Bool) -> (Scalar?, Bool) {
            if !aHas { return (b, bExact) }
            if !bHas { return (a, aExact) }
            guard let a, let b, let c = Scalar.compare(a, b) else { return (nil, false) }
            if c == 0 { return (a, aExact && bExact) }
            return (wantMin ? c < 0 : c > 0) ? (a, aExact) : (b, bExact)
        }
        (min, minExact) = pick(myMin, mine.minExact, mineHasValues, oMin, o.minExact, otherHasValues, wantMin: true)
        (max, maxExact) = pick(myMax, mine.maxExact, mineHasValues, oMax, o.maxExact, otherHasValues, wantMin: false)
        // Moments and quantiles merge across numeric widening; text makes them meaningless.
        if logical.isVariableLength || logical == .bool && (mine.type != .bool || o.type != .bool) {
            moments = nil
            quantiles = nil
        } else {
            if let om = o.moments { if moments == nil { moments = om } else { moments?.merge(om) } }
            if let oq = o.quantiles { if quantiles == nil { quantiles = oq } else { quantiles?.merge(oq) } }
        }
        if let ol = o.lengthMin { lengthMin = Swift.min(lengthMin ?? .max, ol) }
        if let ol = o.lengthMax { lengthMax = Swift.max(lengthMax ?? 0, ol) }
        if let ol = o.lengthTotal { lengthTotal = (lengthTotal ?? 0) + ol }
        if logical.isVariableLength && (!mine.type.isVariableLength && mineHasValues || !o.type.isVariableLength && otherHasValues) {
            lengthMin = nil; lengthMax = nil; lengthTotal = nil
        }
        if let of = o.frequent {
            if frequent == nil { frequent = of } else { frequent?.merge(of) }
        }
        if let oh = o.hll {
            if hll == nil { hll = oh } else { hll?.merge(oh) }
        } else if o.rowCount > o.nullCount {
            hll = nil
        }
        if let oi = o.ingestion {
            if ingestion == nil { ingestion = oi } else { ingestion?.merge(oi) }
        }
        if let f = frequent, let d = f.distinctCount, mine.type == o.type || wasEmpty {
            distinctCount = UInt64(d)
            distinctExact = true
        } else if let h = hll {
            distinctCount = UInt64(h.estimate.rounded())
            distinctExact = false
        } else {
            distinctCount = nil
            distinctExact = false
        }
    }

    /// These statistics in a wider type `logical`, as merging them into an empty column of that type gives.
    public func upcast(to logical: LogicalType) -> ColumnStatistics {
        if type == logical { return self }
        var u = ColumnStatistics(type: logical)
        u.merge(self, as: logical)
        return u
    }

    /// A smaller copy for per-chunk storage: no HyperLogLog, a KLL of
    /// `chunkQuantileK`, and the top `chunkTopK` values.
    public func compacted() -> ColumnStatistics {
        var c = self
        c.hll = nil
        c.quantiles = quantiles?.reduced(to: ColumnStatistics.chunkQuantileK)
        if let f = frequent {
            c.frequent = FrequentItems(capacity: ColumnStatistics.chunkTopK, exactLimit: ColumnStatistics.chunkTopK,
                                       total: f.total, isExact: f.isExact && (f.distinctCount ?? .max) <= ColumnStatistics.chunkTopK,
                                       entries: f.top(ColumnStatistics.chunkTopK))
        }
        return c
    }

    // MARK: serialization

    struct Presence: OptionSet {
        let rawValue: UInt16
        static let min = Presence(rawValue: 1 << 0)
        static let max = Presence(rawValue: 1 << 1)
        static let distinct = Presence(rawValue: 1 << 2)
        static let moments = Presence(rawValue: 1 << 3)
        static let lengths = Presence(rawValue: 1 << 4)
        static let quantiles = Presence(rawValue: 1 << 5)
        static let frequent = Presence(rawValue: 1 << 6)
        static let hll = Presence(rawValue: 1 << 7)
        static let ingestion = Presence(rawValue: 1 << 8)
        static let minExact = Presence(rawValue: 1 << 9)
        static let maxExact = Presence(rawValue: 1 << 10)
        static let distinctExact = Presence(rawValue: 1 << 11)
    }

    public func serialize(into w: inout ByteWriter) {
        var p: Presence = []
        if min != nil { p.insert(.min) }
        if max != nil { p.insert(.max) }
        if distinctCount != nil { p.insert(.distinct) }
        if moments != nil { p.insert(.moments) }
        if lengthMin != nil && lengthMax != nil && lengthTotal != nil { p.insert(.lengths) }
        if quantiles != nil { p.insert(.quantiles) }
        if frequent != nil { p.insert(.frequent) }
        if hll != nil { p.insert(.hll) }
        if ingestion != nil { p.insert(.ingestion) }
        if minExact { p.insert(.minExact) }
        if maxExact { p.insert(.maxExact) }
        if distinctExact { p.insert(.distinctExact) }
        w.write(type.rawValue)
        w.write(p.rawValue)
        w.writeVarint(rowCount)
        w.writeVarint(nullCount)
        w.writeVarint(nanCount)
        w.writeVarint(decodedBytes)
        min?.serialize(into: &w)
        max?.serialize(into: &w)
        if let distinctCount { w.writeVarint(distinctCount) }
        moments?.serialize(into: &w)
        if p.contains(.lengths), let lengthMin, let lengthMax, let lengthTotal {
            w.writeVarint(lengthMin)
            w.writeVarint(lengthMax)
            w.writeVarint(lengthTotal)
        }
        quantiles?.serialize(into: &w)
        if let f = frequent {
            // A complete list (exact, every distinct value present) is stored whole. Otherwise
            // values seen once carry no information and are left out, and the list is not exact.
            var top = f.top(f.capacity)
            let complete = f.isExact && top.count == f.distinctCount
            if !complete { top = top.filter { $0.count > 1 } }
            w.writeVarint(f.capacity)
            w.writeVarint(f.exactLimit)
            w.writeVarint(f.total)
            w.write(UInt8(complete ? 1 : 0))
            w.writeVarint(top.count)
            for e in top {
                e.item.serialize(into: &w)
                w.write(e.hash)
                w.writeVarint(e.count)
                w.writeVarint(e.error)
            }
        }
        hll?.serialize(into: &w)
        ingestion?.serialize(into: &w)
    }

    public static func deserialize(from r: inout ByteReader) throws(BinaryDecodingError) -> ColumnStatistics {
        let at = r.offset
        guard let type = LogicalType(rawValue: try r.readUInt8()) else { throw .invalid("statistics type", offset: at) }
        let p = Presence(rawValue: try r.read(UInt16.self))
        guard p.rawValue < 1 << 12 else { throw .invalid("statistics presence flags", offset: at + 1) }
        var s = ColumnStatistics(type: type)
        s.rowCount = try r.readVarint()
        s.nullCount = try r.readVarint()
        s.nanCount = try r.readVarint()
        guard s.nullCount <= s.rowCount, s.nanCount <= s.rowCount - s.nullCount else {
            throw .invalid("null/NaN counts exceed row count", offset: at)
        }
        s.decodedBytes = try r.readVarint()
        if p.contains(.min) { s.min = try Scalar.deserialize(from: &r) }
        if p.contains(.max) { s.max = try Scalar.deserialize(from: &r) }
        if p.contains(.distinct) { s.distinctCount = try r.readVarint() }
        if p.contains(.moments) { s.moments = try Moments.deserialize(from: &r) }
        if p.contains(.lengths) {
            s.lengthMin = try r.readVarint()
            s.lengthMax = try r.readVarint()
            s.lengthTotal = try r.readVarint()
        }
        if p.contains(.quantiles) { s.quantiles = try KLLSketch.deserialize(from: &r) }
        if p.contains(.frequent) {
            let capacity = try r.readCount(limit: 1 << 16)
            let exactLimit = try r.readCount(limit: 1 << 24)
            let total = try r.readVarint()
            let exact = try r.readUInt8() == 1
            let n = try r.readCount(limit: Swift.max(capacity, 1), minBytesEach: 11)
            var entries: [FrequentItems<Scalar>.Entry] = []
            for _ in 0..<n {
                let item = try Scalar.deserialize(from: &r)
                let hash = try r.read(UInt64.self)
                entries.append(.init(item: item, hash: hash, count: try r.readVarint(), error: try r.readVarint()))
            }
            s.frequent = FrequentItems(capacity: Swift.max(capacity, 1), exactLimit: exactLimit, total: total, isExact: exact, entries: entries)
        }
        if p.contains(.hll) { s.hll = try HyperLogLog.deserialize(from: &r) }
        if p.contains(.ingestion) { s.ingestion = try IngestionStatistics.deserialize(from: &r) }
        s.minExact = p.contains(.minExact)
        s.maxExact = p.contains(.maxExact)
        s.distinctExact = p.contains(.distinctExact)
        return s
    }
}

