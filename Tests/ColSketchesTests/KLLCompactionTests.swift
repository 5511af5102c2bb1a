@testable import ColSketches
import Testing

/// The compaction's own sort and the batch add must leave exactly the sketch the
/// standard library's stable sort and one-at-a-time adds leave: files written before
/// and after the change have the same statistics, byte for byte.
@Suite("KLL compaction")
struct KLLCompactionTests {
    /// A small deterministic generator (xorshift), so a failure names its seed.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
    }

    static func bits(_ xs: [Double]) -> [UInt64] { xs.map(\.bitPattern) }

    @Test("sortItems leaves the stable sort's order, signed zeros included", arguments: 1...40)
    func sortMatchesStableSort(seed: UInt64) {
        var g = Generator(state: seed &* 0x9E37_79B9_7F4A_7C15 | 1)
        let n = Int(g.next() % 3000)
        var items: [Double] = []
        for _ in 0..<n {
            switch g.next() % 6 {
            case 0: items.append(0.0)
            case 1: items.append(-0.0)
            case 2: items.append(Double(g.next() % 5))          // many duplicates
            case 3: items.append(-Double(g.next() % 1000) / 7)
            case 4: items.append(Double(bitPattern: g.next() >> 2))  // wide range, no NaN
            default: items.append(.infinity * (g.next() % 2 == 0 ? 1 : -1))
            }
        }
        // Sorted runs appended one after another, as an upper level holds them.
        if seed % 4 == 0 { items = (0..<8).flatMap { r in items.dropFirst(r * n / 8).prefix(n / 8).sorted() } }
        if seed % 5 == 0 { items.sort(by: >) }
        var ours = items
        KLLSketch.sortItems(&ours)
        #expect(Self.bits(ours) == Self.bits(items.sorted()))
    }

    @Test("adding a buffer gives the sketch of adding its values one at a time", arguments: [0, 1, 7, 255, 256, 257, 10_000, 200_003])
    func batchAddMatchesSingleAdds(n: Int) {
        var g = Generator(state: UInt64(n) &+ 0x1234_5678)
        var values: [Double] = []
        for i in 0..<n {
            let r = g.next()
            values.append(r % 97 == 0 ? .nan : (r % 3 == 0 ? Double(i) : Double(r % 1_000_000) / 13))
        }
        var one = KLLSketch()
        for v in values { one.add(v) }
        var batch = KLLSketch()
        // In uneven pieces, so runs start part-way through level 0.
        var start = 0
        var piece = 1
        while start < values.count {
            let end = min(values.count, start + piece)
            values[start..<end].withUnsafeBufferPointer { batch.add(contentsOf: $0) }
            start = end
            piece = piece * 3 + 1
        }
        #expect(batch == one)
        #expect(batch.count == UInt64(values.filter { !$0.isNaN }.count))
    }

    @Test("quantiles in one pass give what a walk over every item sorted together gives", arguments: [1, 2, 9, 256, 257, 5_000, 77_777])
    func batchQuantilesMatchTheSortedWalk(n: Int) {
        var g = Generator(state: UInt64(n) &* 0x9E37_79B9 | 1)
        var sketch = KLLSketch(k: n % 2 == 0 ? 64 : 256)
        for _ in 0..<n {
            let r = g.next()
            sketch.add(r % 5 == 0 ? (r % 2 == 0 ? 0.0 : -0.0) : Double(r % 1_000) / 7)
        }
        // The reference: every retained item in one stable sort, walked with its weight.
        let items = sketch.weightedItems()
        let total = items.reduce(UInt64(0)) { $0 + $1.weight }
        func reference(_ q: Double) -> Double? {
            if q <= 0 { return sketch.minimum }
            if q >= 1 { return sketch.maximum }
            var cumulative: UInt64 = 0
            for item in items {
                cumulative += item.weight
                if Double(cumulative) >= q * Double(total) { return item.value }
            }
            return sketch.maximum
        }
        let qs = [0.95, 0, 0.5, 0.05, 1, 0.25, 0.999, 0.001, 0.5, 0.75, -1, 2] + (1..<10).map { Double($0) / 10 }
        let batch = sketch.quantiles(qs)
        for (q, value) in zip(qs, batch) {
            #expect(value?.bitPattern == reference(q)?.bitPattern, "q \(q)")
            #expect(sketch.quantile(q)?.bitPattern == value?.bitPattern)
        }
        #expect(KLLSketch().quantiles([0.5, 0]) == [nil, nil])
    }
}
