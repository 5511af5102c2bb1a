import ColBytes
import ColSketches
import TestSupport
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

/// The sparse in-memory form of HyperLogLog writes exactly what the dense form writes.
@Suite("HyperLogLog forms")
struct HyperLogLogFormTests {
    /// FORMAT.md's two register encodings, written from `registers` alone; the smaller wins.
    static func reference(_ h: HyperLogLog) -> [UInt8] {
        let registers = h.registers
        var runs = ByteWriter(), sparse = ByteWriter()
        var i = 0
        while i < registers.count {
            var j = i + 1
            while j < registers.count && registers[j] == registers[i] { j += 1 }
            runs.writeVarint(j - i)
            runs.write(registers[i])
            i = j
        }
        sparse.writeVarint(registers.filter { $0 != 0 }.count)
        var previous = -1
        for (index, r) in registers.enumerated() where r != 0 {
            sparse.writeVarint(index - previous)
            sparse.write(r)
            previous = index
        }
        var w = ByteWriter()
        w.write(UInt8(h.precision))
        if sparse.count < runs.count { w.write(UInt8(1)); w.writeRaw(sparse.bytes) } else { w.write(UInt8(0)); w.writeRaw(runs.bytes) }
        return w.bytes
    }

    @Test("serialization matches the reference, sparse or dense, and survives a round trip", arguments: [0, 1, 7, 300, 1023, 1100, 5000, 200_000])
    func forms(distinct: Int) throws {
        var rng = SeededRandom(seed: UInt64(distinct) + 1)
        var h = HyperLogLog()
        for _ in 0..<distinct { h.add(hash: rng.next()) }
        #expect(h.isSparse == (h.registers.filter { $0 != 0 }.count <= h.registerCount / 16))
        var w = ByteWriter()
        h.serialize(into: &w)
        #expect(w.bytes == Self.reference(h))
        var r = ByteReader(w.bytes)
        let back = try HyperLogLog.deserialize(from: &r)
        #expect(back == h)
        #expect(back.estimate == h.estimate)
        // Merging sparse into dense and dense into sparse agree.
        var dense = HyperLogLog()
        for _ in 0..<5000 { dense.add(hash: rng.next()) }
        var a = dense, b = h
        a.merge(h)
        b.merge(dense)
        #expect(a == b)
        #expect(a.registers == b.registers)
    }

    @Test("two sparse sketches merge into the registers, and the form, that adding one's hashes to the other gives",
          arguments: [(0, 0), (1, 1), (300, 300), (600, 500), (1000, 30), (1024, 1), (1500, 2000)])
    func sparseMerge(sizes: (Int, Int)) {
        var rng = SeededRandom(seed: UInt64(sizes.0 * 7919 + sizes.1))
        var a = HyperLogLog(), b = HyperLogLog(), added = HyperLogLog()
        for _ in 0..<sizes.0 { let x = rng.next(); a.add(hash: x); added.add(hash: x) }
        // Some hashes in both, so shared registers must keep the higher rank.
        var shared = a
        for _ in 0..<sizes.1 {
            let x = rng.chance(0.3) ? rng.next() & ~0xFFFF : rng.next()
            b.add(hash: x); added.add(hash: x); shared.add(hash: x)
        }
        a.merge(b)
        #expect(a.registers == added.registers)
        #expect(a.isSparse == shared.isSparse)
        #expect(a.estimate == added.estimate)
    }
}
