import ColBytes
import ColSketches
import Foundation
import TestSupport
import Testing


@Suite("Sketch accuracy at default settings")
struct SketchAccuracyTests {
    @Test("XXH64 matches the reference values")
    func xxh64Vectors() {
        #expect(XXH64.hash([UInt8]()) == 0xEF46_DB37_51D8_E999)
        #expect(XXH64.hash(Array("a".utf8)) == 0xD24E_C4F1_A98C_6E5B)
        #expect(XXH64.hash(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
        // Streaming in uneven pieces gives the one-shot hash.
        let long = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var h = XXH64()
        var i = 0
        for step in [1, 7, 31, 32, 33, 100, 796] {
            long[i..<(i + step)].withUnsafeBytes { h.update($0) }
            i += step
        }
        #expect(h.finalize() == XXH64.hash(long))
        // Over 32 bytes: the example of the python-xxhash documentation.
        #expect(XXH64.hash(Array("Nobody inspects the spammish repetition".utf8)) == 0xFBCE_A83C_8A37_8BF1)
        // The one-shot hash (straight from memory) and the streaming one, a byte at a time, at every length.
        for n in 0...100 {
            var s = XXH64(seed: 7)
            for k in 0..<n { long[k..<(k + 1)].withUnsafeBytes { s.update($0) } }
            #expect(s.finalize() == long[0..<n].withUnsafeBytes { XXH64.hash($0, seed: 7) }, "length \(n)")
        }
    }

    @Test("HyperLogLog distinct count is within 2% of exact", arguments: [100, 5_000, 100_000, 1_000_000])
    func hllAccuracy(n: Int) {
        var h = HyperLogLog()
        var rng = SeededRandom(seed: UInt64(n) | 1)
        for _ in 0..<n { h.add(hash: mix64(rng.next())) }
        let error = abs(h.estimate - Double(n)) / Double(n)
        #expect(error < 0.02, "n=\(n) estimate=\(h.estimate)")
    }

    @Test("HyperLogLog merge equals the sketch of the union, and survives serialization")
    func hllMerge() throws {
        var a = HyperLogLog(), b = HyperLogLog(), u = HyperLogLog()
        for i in 0..<50_000 {
            let h = mix64(UInt64(i))
            if i % 2 == 0 { a.add(hash: h) } else { b.add(hash: h) }
            u.add(hash: h)
        }
        a.merge(b)
        #expect(a == u)
        var w = ByteWriter()
        a.serialize(into: &w)
        var r = ByteReader(w.bytes)
        #expect(try HyperLogLog.deserialize(from: &r) == a)
    }

    @Test("a small HyperLogLog serializes in the sparse form and reads back equal", arguments: [0, 1, 100, 3000])
    func hllSparse(n: Int) throws {
        var h = HyperLogLog()
        for i in 0..<n { h.add(hash: mix64(UInt64(i) &* 977)) }
        var w = ByteWriter()
        h.serialize(into: &w)
        #expect(w.bytes[1] == 1, "sparse form")
        #expect(w.count < 3 * n + 8)
        var r = ByteReader(w.bytes)
        #expect(try HyperLogLog.deserialize(from: &r) == h)
        #expect(r.isAtEnd)
    }

    @Test("a batch of hashes gives the sketch one hash at a time gives: the same registers, form and bytes",
          arguments: [0, 1, 63, 64, 65, 500, 1_000, 1_024, 1_025, 1_100, 3_000, 70_000])
    func hllBatch(n: Int) throws {
        var rng = SeededRandom(seed: UInt64(n) &+ 11)
        for before in [0, 10, 900, 1_024, 5_000] {
            var one = HyperLogLog(), batch = HyperLogLog()
            for _ in 0..<before {
                let h = mix64(rng.next() % 4_000)
                one.add(hash: h)
                batch.add(hash: h)
            }
            // Repeats among the hashes, so registers are raised more than once.
            let hashes = (0..<n).map { _ in mix64(rng.next() % UInt64(max(n / 2, 1))) }
            for h in hashes { one.add(hash: h) }
            hashes.withUnsafeBufferPointer { batch.add(hashes: $0) }
            #expect(batch.isSparse == one.isSparse, "n \(n), \(before) before")
            var a = ByteWriter(), b = ByteWriter()
            one.serialize(into: &a)
            batch.serialize(into: &b)
            #expect(a.bytes == b.bytes, "n \(n), \(before) before")
        }
    }

    static let distributions = ["uniform", "normal", "exponential", "sorted", "reversed"]

    @Test("KLL quantile rank error is within 1%", arguments: distributions)
    func kllAccuracy(distribution: String) {
        var rng = SeededRandom(seed: 42)
        let n = 200_000
        var values: [Double] = []
        values.reserveCapacity(n)
        for i in 0..<n {
            let u = Double(rng.next() >> 11) / Double(1 << 53)
            switch distribution {
            case "normal":
                let u2 = Double(rng.next() >> 11) / Double(1 << 53)
                values.append((-2 * log(max(u, 1e-300))).squareRoot() * cos(2 * .pi * u2))
            case "exponential": values.append(-log(max(u, 1e-300)))
            case "sorted": values.append(Double(i))
            case "reversed": values.append(Double(n - i))
            default: values.append(u)
            }
        }
        var sketch = KLLSketch()
        for v in values { sketch.add(v) }
        let sorted = values.sorted()
        for q in stride(from: 0.01, through: 0.99, by: 0.01) {
            guard let x = sketch.quantile(q) else { Issue.record("empty"); return }
            // The true rank of the returned value.
            var lo = 0, hi = sorted.count
            while lo < hi { let mid = (lo + hi) / 2; if sorted[mid] <= x { lo = mid + 1 } else { hi = mid } }
            let rank = Double(lo) / Double(n)
            #expect(abs(rank - q) <= 0.01, "\(distribution) q=\(q) rank=\(rank)")
        }
        #expect(sketch.minimum == sorted.first && sketch.maximum == sorted.last)
    }

    @Test("KLL merged from parts keeps its accuracy and serializes")
    func kllMerge() throws {
        var parts: [KLLSketch] = []
        var all: [Double] = []
        var rng = SeededRandom(seed: 7)
        for p in 0..<16 {
            var s = KLLSketch()
            for _ in 0..<20_000 {
                let v = Double(rng.next() % 1_000_000) + Double(p) * 50_000
                s.add(v)
                all.append(v)
            }
            parts.append(s)
        }
        var merged = KLLSketch()
        for p in parts { merged.merge(p) }
        #expect(merged.count == UInt64(all.count))
        all.sort()
        for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
            let x = merged.quantile(q) ?? .nan
            let rank = Double(all.firstIndex { $0 > x } ?? all.count) / Double(all.count)
            #expect(abs(rank - q) <= 0.01, "q=\(q) rank=\(rank)")
        }
        var w = ByteWriter()
        merged.serialize(into: &w)
        var r = ByteReader(w.bytes)
        #expect(try KLLSketch.deserialize(from: &r) == merged)
    }

    @Test("frequent items are exact while small, and SpaceSaving finds the heavy hitters after")
    func frequentItems() {
        var f = FrequentItems<Int>(capacity: 16, exactLimit: 64)
        for i in 0..<1000 { f.add(hash: mix64(UInt64(i % 10))) { i % 10 } }
        #expect(f.isExact && f.distinctCount == 10)
        #expect(f.top(3).map(\.count) == [100, 100, 100])
        var g = FrequentItems<Int>(capacity: 16, exactLimit: 64)
        var rng = SeededRandom(seed: 3)
        for i in 0..<100_000 {
            let v = i % 4 == 0 ? 7 : Int(rng.next() % 10_000) + 100
            g.add(hash: mix64(UInt64(v))) { v }
        }
        #expect(!g.isExact)
        #expect(g.top(1).first?.item == 7)
        #expect((g.top(1).first?.count ?? 0) >= 25_000)
    }

    @Test("Welford moments merged by Chan's method equal the two-pass result")
    func moments() {
        var a = Moments(), b = Moments(), all = Moments()
        var xs: [Double] = []
        for i in 0..<10_000 {
            let x = Double(i % 97) * 1.5 - 20
            xs.append(x)
            if i < 3_333 { a.add(x) } else { b.add(x) }
            all.add(x)
        }
        a.merge(b)
        let mean = xs.reduce(0, +) / Double(xs.count)
        let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count)
        #expect(abs(a.mean - mean) < 1e-9)
        #expect(abs((a.variance ?? 0) - variance) < 1e-6)
        #expect(a.count == 10_000)
    }
}
