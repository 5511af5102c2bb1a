import ColFormat
import Testing

/// File statistics are chunk statistics merged in order, starting from empty
/// statistics of type null (as the writer does).
@Suite("Statistics merging")
struct StatisticsMergeTests {
    static func bools(_ values: [Bool?]) -> ColumnVector {
        var v = ColumnVector(type: .bool)
        for x in values { if let x { v.append(x) } else { v.appendNull() } }
        return v
    }

    static func merged(_ chunks: [ColumnVector]) -> ColumnStatistics {
        var file = ColumnStatistics(type: .null)
        for c in chunks { file.merge(ColumnStatistics.compute(c), as: file.type.widened(with: c.type)) }
        return file
    }

    @Test("a bool column's moments count every chunk, the first included")
    func boolMomentsCountEveryChunk() throws {
        // 3 trues of 4, then 1 of 4, then 0 of 2: 4 of 10.
        let file = Self.merged([Self.bools([true, true, true, false]), Self.bools([true, false, false, false]),
                                Self.bools([false, false])])
        let m = try #require(file.moments)
        #expect(m.count == 10)
        #expect(m.sum == 4)
        #expect(abs(m.mean - 0.4) < 1e-12)
        // Population variance of 4 ones and 6 zeros: 0.24.
        #expect(abs((m.variance ?? 0) - 0.24) < 1e-12)
    }

    @Test("an all-null chunk, typed null, neither drops a bool column's moments nor is counted in them")
    func allNullChunksMixNothing() throws {
        var nulls = ColumnVector(type: .null)
        for _ in 0..<5 { nulls.appendNull() }
        for order in [[nulls, Self.bools([true, false])], [Self.bools([true, false]), nulls, Self.bools([true, nil])]] {
            let file = Self.merged(order)
            let m = try #require(file.moments, "\(order.map(\.type))")
            #expect(m.count == UInt64(order.reduce(0) { $0 + $1.count - $1.nullCount }))
            #expect(file.type == .bool)
        }
    }

    @Test("bool mixed with numbers becomes text, which has no moments")
    func boolWithNumbersHasNoMoments() {
        var ints = ColumnVector(type: .int64)
        ints.append(Int64(5))
        let file = Self.merged([Self.bools([true]), ints])
        #expect(file.type == .string)
        #expect(file.moments == nil)
        #expect(file.quantiles == nil)
    }
}
