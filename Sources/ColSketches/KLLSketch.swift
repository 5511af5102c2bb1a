// KLL quantile sketch (Karnin, Lang, Liberty 2016) over doubles.
//
// Items live in levels; an item at level h stands for 2^h input values. Level
// h may hold about k·(2/3)^(H-1-h) items (at least 8), where H is the number
// of levels. When the sketch is full, the lowest level at or over its
// capacity is sorted and compacted: every other item (starting at a random
// offset 0 or 1) moves up a level and the rest are dropped. The coin comes
// from a seeded xorshift generator, so the same input in the same order always
// gives the same sketch. NaN is never added (callers count it apart).

import ColBytes

/// A mergeable quantile sketch with rank error about 1.7/k^0.95 (k = 256: ≈ 0.9% at 99% confidence).
public struct KLLSketch: Sendable, Equatable {
    /// The accuracy parameter.
    public let k: Int
    /// The number of values added.
    public private(set) var count: UInt64 = 0
    /// The smallest value added (exact).
    public private(set) var minimum: Double = .infinity
    /// The largest value added (exact).
    public private(set) var maximum: Double = -.infinity
    private(set) var levels: [[Double]] = [[]] {
        didSet { if levels.count != capacities.count { recomputeCapacities() } }
    }
    private var rng: UInt64 = 0x2545_F491_4F6C_DD1D
    /// Capacity of each level for the current number of levels.
    private var capacities: [Int] = []

    /// The default accuracy parameter.
    public static let defaultK = 256
    static let minCapacity = 8

    /// An empty sketch (`k` at least 8).
    public init(k: Int = KLLSketch.defaultK) {
        self.k = max(k, 8)
        levels[0].reserveCapacity(self.k)
        recomputeCapacities()
    }

    private mutating func recomputeCapacities() {
        capacities = (0..<levels.count).map { level in
            var c = Double(k)
            for _ in 0..<(levels.count - 1 - level) { c *= 2.0 / 3.0 }
            return Swift.max(Self.minCapacity, Int(c.rounded(.up)))
        }
        totalCapacity = capacities.reduce(0, +)
    }

    /// Equal when every retained value, level by level, and the sampling state match. The
    /// order inside a level is not compared: compaction sorts a level (stably) before using it,
    /// and a writer stores levels sorted, so two sketches equal in this sense answer and grow alike.
    public static func == (a: KLLSketch, b: KLLSketch) -> Bool {
        guard a.k == b.k, a.count == b.count, a.minimum == b.minimum, a.maximum == b.maximum, a.rng == b.rng,
              a.levels.count == b.levels.count else { return false }
        for (x, y) in zip(a.levels, b.levels) {
            var sx = x, sy = y
            sortItems(&sx)
            sortItems(&sy)
            guard sx == sy else { return false }
        }
        return true
    }

    /// Whether no value was added.
    public var isEmpty: Bool { count == 0 }

    /// The number of retained items.
    public var retained: Int { levels.reduce(0) { $0 + $1.count } }

    @inline(__always) private func capacity(_ level: Int) -> Int { capacities[level] }

    private var totalCapacity = 0

    /// Adds one value; NaN is ignored.
    public mutating func add(_ x: Double) {
        if x.isNaN { return }
        count += 1
        if x < minimum { minimum = x }
        if x > maximum { maximum = x }
        levels[0].append(x)
        if levels[0].count >= capacity(0) { compress() }
    }

    /// Adds every value of `values` in order, NaN ignored: the same sketch as adding them one
    /// at a time, with level 0 filled a run at a time between compactions.
    public mutating func add(contentsOf values: UnsafeBufferPointer<Double>) {
        var i = 0
        var lo = minimum, hi = maximum
        while i < values.count {
            let room = capacity(0) - levels[0].count
            var added = 0
            while added < room && i < values.count {
                let x = values[i]
                i += 1
                if x.isNaN { continue }
                if x < lo { lo = x }
                if x > hi { hi = x }
                levels[0].append(x)
                added += 1
            }
            count += UInt64(added)
            if levels[0].count >= capacity(0) { compress() }
        }
        minimum = lo
        maximum = hi
    }

    private mutating func nextBit() -> Int {
        rng ^= rng << 13
        rng ^= rng >> 7
        rng ^= rng << 17
        return Int(rng & 1)
    }

    /// Compacts full levels, in place: no level buffer is allocated once the levels exist.
    private mutating func compress() {
        while retained > totalCapacity || levels[0].count >= capacity(0) {
            guard let h = (0..<levels.count).first(where: { levels[$0].count >= capacity($0) }) else { return }
            if h + 1 == levels.count { levels.append([]) }
            // Both levels are moved out while they change, so neither is checked for uniqueness per item.
            var lower = levels[h], upper = levels[h + 1]
            levels[h] = []
            levels[h + 1] = []
            Self.sortItems(&lower)
            // With an odd count the largest item stays behind; every other one of the rest moves up.
            let odd = lower.count % 2 == 1 ? lower.popLast() : nil
            let n = lower.count
            let first = nextBit()
            lower.withUnsafeBufferPointer { items in
                var i = first
                while i < n {
                    upper.append(items[i])
                    i += 2
                }
            }
            lower.removeAll(keepingCapacity: true)
            if let odd { lower.append(odd) }
            levels[h] = lower
            levels[h + 1] = upper
        }
    }

    /// Whether `items` ascend (equal neighbours allowed).
    static func isSorted(_ items: [Double]) -> Bool {
        items.withUnsafeBufferPointer { p in
            var i = 1
            while i < p.count {
                if p[i] < p[i - 1] { return false }
                i += 1
            }
            return true
        }
    }

    /// Sorts a level ascending, exactly as the standard library's stable sort does but without
    /// its buffer allocation: an introsort (quicksort, insertion sort on short ranges, heapsort
    /// past a depth limit, so n log n even on hostile merged sketches). Items are never NaN, so
    /// the only items that compare equal yet differ are -0 and +0; when a level holds both,
    /// their run is rewritten in the order they came in, which is what a stable sort leaves.
    static func sortItems(_ items: inout [Double]) {
        var negativeZero = false, positiveZero = false
        for x in items where x == 0 {
            if x.sign == .minus { negativeZero = true } else { positiveZero = true }
        }
        let zeroSigns: [FloatingPointSign]? = negativeZero && positiveZero ? items.filter { $0 == 0 }.map(\.sign) : nil
        items.withUnsafeMutableBufferPointer { p in
            guard p.count > 1 else { return }
            introsort(p, 0, p.count, depth: 2 * (Int.bitWidth - p.count.leadingZeroBitCount))
            if let zeroSigns, var z = p.firstIndex(of: 0) {
                for sign in zeroSigns {
                    p[z] = sign == .minus ? -0.0 : 0.0
                    z += 1
                }
            }
        }
    }

    private static func introsort(_ p: UnsafeMutableBufferPointer<Double>, _ start: Int, _ end: Int, depth: Int) {
        var start = start, end = end, depth = depth
        while end - start > 16 {
            if depth == 0 {
                heapsort(p, start, end)
                return
            }
            depth -= 1
            // Median of three as the pivot value, then Hoare's partition.
            let mid = start + (end - start) / 2
            let a = p[start], b = p[mid], c = p[end - 1]
            let pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b))
            var i = start - 1, j = end
            while true {
                repeat { i += 1 } while p[i] < pivot
                repeat { j -= 1 } while pivot < p[j]
                if i >= j { break }
                p.swapAt(i, j)
            }
            // Recurse into the smaller side, loop on the larger: the stack stays logarithmic.
            if j + 1 - start < end - j - 1 {
                introsort(p, start, j + 1, depth: depth)
                start = j + 1
            } else {
                introsort(p, j + 1, end, depth: depth)
                end = j + 1
            }
        }
        // Insertion sort.
        var i = start + 1
        while i < end {
            let x = p[i]
            var j = i
            while j > start && x < p[j - 1] {
                p[j] = p[j - 1]
                j -= 1
            }
            p[j] = x
            i += 1
        }
    }

    private static func heapsort(_ p: UnsafeMutableBufferPointer<Double>, _ start: Int, _ end: Int) {
        let n = end - start
        func siftDown(_ root: Int, _ size: Int) {
            var r = root
            while true {
                var child = 2 * r + 1
                if child >= size { return }
                if child + 1 < size && p[start + child] < p[start + child + 1] { child += 1 }
                if !(p[start + r] < p[start + child]) { return }
                p.swapAt(start + r, start + child)
                r = child
            }
        }
        var i = n / 2
        while i > 0 {
            i -= 1
            siftDown(i, n)
        }
        var size = n
        while size > 1 {
            size -= 1
            p.swapAt(start, start + size)
            siftDown(0, size)
        }
    }

    /// Folds another sketch into this one.
    public mutating func merge(_ other: KLLSketch) {
        guard other.count > 0 else { return }
        count +|= other.count
        minimum = Swift.min(minimum, other.minimum)
        maximum = Swift.max(maximum, other.maximum)
        while levels.count < other.levels.count { levels.append([]) }
        for h in 0..<other.levels.count { levels[h].append(contentsOf: other.levels[h]) }
        compress()
        // A merge grows levels to about twice their capacity before compacting them; a sketch
        // that is merged into chunk after chunk (a file's) would keep that slack in every level.
        for h in 0..<levels.count where levels[h].capacity > 2 * levels[h].count + 16 {
            levels[h] = levels[h].withUnsafeBufferPointer { Array($0) }
        }
    }

    /// The sketch of every value multiplied by `factor` > 0 (a change of unit: ranks are unchanged).
    public func scaled(by factor: Double) -> KLLSketch {
        var s = self
        guard factor > 0, count > 0 else { return s }
        s.minimum = minimum * factor
        s.maximum = maximum * factor
        s.levels = levels.map { $0.map { $0 * factor } }
        return s
    }

    /// Returns a copy compacted to a smaller `k` (used for compact per-chunk statistics).
    public func reduced(to smallerK: Int) -> KLLSketch {
        var s = KLLSketch(k: smallerK)
        s.count = count
        s.minimum = minimum
        s.maximum = maximum
        s.levels = levels
        s.compress()
        return s
    }

    /// Weighted, sorted items: the sketch's approximation of the data.
    public func weightedItems() -> [(value: Double, weight: UInt64)] {
        var out: [(Double, UInt64)] = []
        out.reserveCapacity(retained)
        for (h, level) in levels.enumerated() {
            for v in level { out.append((v, UInt64(1) << UInt64(h))) }
        }
        out.sort { $0.0 < $1.0 }
        return out.map { (value: $0.0, weight: $0.1) }
    }

    /// The value at normalized rank `q` in [0, 1], or nil when empty.
    public func quantile(_ q: Double) -> Double? {
        quantiles([q])[0]
    }

    /// The values at normalized ranks `qs`, each in [0, 1] (nil when empty), from one
    /// merge of the sorted levels: asking for several costs about what one costs.
    public func quantiles(_ qs: [Double]) -> [Double?] {
        guard count > 0 else { return qs.map { _ in nil } }
        guard qs.contains(where: { $0 > 0 && $0 < 1 }) else { return qs.map { $0 <= 0 ? minimum : maximum } }
        // Each level sorted on its own (a writer stores them sorted; an older file's upper level
        // is a few sorted runs, which the standard library's merge sort takes in near-linear
        // time), then merged on the fly, lower levels first among equal values: the order
        // `weightedItems()` gives, without sorting every item together.
        var flat: [Double] = []
        flat.reserveCapacity(retained)
        var heads: [Int] = []
        var ends: [Int] = []
        heads.reserveCapacity(levels.count)
        ends.reserveCapacity(levels.count)
        var total: UInt64 = 0
        for (h, level) in levels.enumerated() {
            let start = flat.count
            flat.append(contentsOf: level)
            if !Self.isSorted(level) { flat[start...].sort() }
            heads.append(start)
            ends.append(flat.count)
            total +|= UInt64(level.count) << UInt64(h)
        }
        var out = qs.map { q -> Double? in q <= 0 ? minimum : maximum }
        let wanted = qs.indices.filter { qs[$0] > 0 && qs[$0] < 1 }.sorted { qs[$0] < qs[$1] }
        let levelCount = ends.count
        flat.withUnsafeBufferPointer { items in
            heads.withUnsafeMutableBufferPointer { heads in
                ends.withUnsafeBufferPointer { ends in
                    var next = 0
                    var cumulative: UInt64 = 0
                    while next < wanted.count {
                        var pick = -1
                        var value = Double.infinity
                        for h in 0..<levelCount where heads[h] < ends[h] {
                            let v = items[heads[h]]
                            if pick < 0 || v < value { pick = h; value = v }
                        }
                        guard pick >= 0 else { break }  // past the last item: the rest stay at the maximum
                        heads[pick] += 1
                        cumulative +|= UInt64(1) << UInt64(pick)
                        let reached = Double(cumulative)
                        while next < wanted.count && reached >= qs[wanted[next]] * Double(total) {
                            out[wanted[next]] = value
                            next += 1
                        }
                    }
                }
            }
        }
        return out
    }

    /// The estimated fraction of values ≤ `x`.
    public func cdf(_ x: Double) -> Double {
        guard count > 0 else { return 0 }
        var below: UInt64 = 0
        var total: UInt64 = 0
        for (h, level) in levels.enumerated() {
            let w = UInt64(1) << UInt64(h)
            for v in level {
                total +|= w
                if v <= x { below +|= w }
            }
        }
        return total == 0 ? 0 : Double(below) / Double(total)
    }

    /// Serializes as: k (varint), count (varint), min and max (f64), the
    /// coin generator's state (u64), level count (varint), then per level an
    /// item count (varint) and the items (f64).
    public func serialize(into w: inout ByteWriter) {
        w.writeVarint(k)
        w.writeVarint(count)
        w.write(minimum)
        w.write(maximum)
        w.write(rng)
        w.writeVarint(levels.count)
        // Each level sorted (stably, as compaction sorts it): a reader answering quantiles then merges
        // the levels without sorting them. The order inside a level changes no later result.
        for level in levels {
            w.writeVarint(level.count)
            if Self.isSorted(level) {
                for v in level { w.write(v) }
            } else {
                var sorted = level
                Self.sortItems(&sorted)
                for v in sorted { w.write(v) }
            }
        }
    }

    /// Reads a sketch written by `serialize(into:)`, refusing a bad `k`, level count, item or weight.
    public static func deserialize(from r: inout ByteReader) throws(BinaryDecodingError) -> KLLSketch {
        let at = r.offset
        let k = try r.readCount(limit: 1 << 16)
        guard k >= 8 else { throw .invalid("KLL k \(k)", offset: at) }
        var s = KLLSketch(k: k)
        s.count = try r.readVarint()
        s.minimum = try r.readDouble()
        s.maximum = try r.readDouble()
        s.rng = try r.read(UInt64.self)
        if s.rng == 0 { throw .invalid("KLL generator state 0", offset: r.offset - 8) }
        let levelCount = try r.readCount(limit: 64, minBytesEach: 1)
        guard levelCount >= 1 else { throw .invalid("KLL level count 0", offset: r.offset) }
        s.levels = []
        var weight: UInt64 = 0
        for h in 0..<levelCount {
            let n = try r.readCount(limit: 1 << 24, minBytesEach: 8)
            let itemsAt = r.offset
            let level = try r.readDoubles(n)
            if let i = level.firstIndex(where: \.isNaN) { throw .invalid("KLL item NaN", offset: itemsAt + 8 * i) }
            let (w, o) = UInt64(n).multipliedReportingOverflow(by: UInt64(1) << UInt64(h))
            if o { throw .invalid("KLL level weight", offset: r.offset) }
            let (sum, overflow) = weight.addingReportingOverflow(w)
            if overflow { throw .invalid("KLL level weight", offset: r.offset) }
            weight = sum
            s.levels.append(level)
        }
        if s.count > 0, !(s.minimum <= s.maximum) { throw .invalid("KLL minimum above maximum", offset: at) }
        // Compaction keeps the total weight exact, so the retained weight is the count.
        if s.count != weight { throw .invalid("KLL count \(s.count) vs retained weight \(weight)", offset: at) }
        return s
    }
}
