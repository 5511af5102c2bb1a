import ColBytes
import ColSketches
import Testing

/// Counts from files are checked when read, but merging many files could still add
/// them past 2^64: every merge saturates instead of trapping.
@Suite("Saturating merges")
struct SaturationTests {
    @Test("moments, frequent items and KLL merge counts near 2^64 without trapping")
    func nearMax() {
        var a = Moments(count: UInt64.max - 1, sum: 1, mean: 1, m2: 0)
        a.merge(Moments(count: UInt64.max - 1, sum: 2, mean: 2, m2: 0))
        #expect(a.count == UInt64.max)

        var f = FrequentItems<Int>(capacity: 2, exactLimit: 2)
        f.add(hash: 1, count: UInt64.max - 3) { 1 }
        var g = FrequentItems<Int>(capacity: 2, exactLimit: 2)
        g.add(hash: 1, count: UInt64.max - 3) { 1 }
        g.add(hash: 2, count: 9) { 2 }
        g.add(hash: 3, count: UInt64.max) { 3 }
        f.merge(g)
        #expect(f.total == UInt64.max)
        #expect(f.top(1).first?.count == UInt64.max)

        #expect(UInt64.max.saturatingAdding(1) == UInt64.max)
        #expect(UInt64(1 << 40).saturatingMultiplying(by: 1 << 40) == UInt64.max)
        var x: UInt32 = .max - 1
        x +|= 5
        #expect(x == .max)
    }

    @Test("a KLL sketch whose retained weight differs from its count is refused")
    func kllWeight() throws {
        var s = KLLSketch(k: 8)
        for i in 0..<100 { s.add(Double(i)) }
        var w = ByteWriter()
        s.serialize(into: &w)
        var r = ByteReader(w.bytes)
        #expect(try KLLSketch.deserialize(from: &r) == s)
        // The count is the varint after k (8 is one byte); 100 is one byte too.
        var forged = w.bytes
        forged[1] = 101
        var f = ByteReader(forged)
        #expect(throws: BinaryDecodingError.self) { try KLLSketch.deserialize(from: &f) }
    }
}
