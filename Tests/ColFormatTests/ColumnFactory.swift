import ColFormat
import Foundation
import TestSupport



/// Builds a column of `rows` values of a type, with nulls every `nullEvery` rows (0: none) and edge values mixed in.
func makeColumn(_ type: LogicalType, rows: Int, nullEvery: Int = 0, seed: UInt64 = 1, lowCardinality: Bool = false) -> ColumnVector {
    var rng = SeededRandom(seed: seed)
    var v = ColumnVector(type: type)
    let strings = ["", "a", "héllo", "日本語", "emoji 🎉", "comma,quote\"", "line\nbreak", String(repeating: "x", count: 100)]
    for i in 0..<rows {
        if nullEvery > 0 && i % nullEvery == 0 { v.appendNull(); continue }
        switch type {
        case .null: v.appendNull()
        case .bool: v.append(lowCardinality ? (i / 500) % 3 == 0 : rng.next() & 1 == 1)
        case .int64:
            let edges: [Int64] = [.min, .max, 0, -1, 1]
            if i % 97 == 3 { v.append(edges[i % edges.count]) } else {
                v.append(lowCardinality ? Int64(i / 50) : Int64(bitPattern: rng.next()) >> 20)
            }
        case .float64:
            let edges: [Double] = [.nan, 0.0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
            if i % 89 == 5 { v.append(edges[(i / 89) % edges.count]) } else {
                v.append(lowCardinality ? Double(i % 10) * 0.5 : Double(Int64(bitPattern: rng.next()) >> 11) / 1e6)
            }
        case .date: v.append(date: lowCardinality ? Int32(19000 + i / 100) : Int32(truncatingIfNeeded: Int64(rng.next() % 200_000) - 100_000))
        case .timestamp: v.append(lowCardinality ? Int64(1_600_000_000_000_000 + i * 1_000_000) : Int64(bitPattern: rng.next()) >> 8)
        case .string, .json:
            if lowCardinality { v.append(string: strings[i % 3]) } else {
                v.append(string: strings[Int(rng.next() % UInt64(strings.count))] + String(rng.next() % 1000))
            }
        }
    }
    return v
}

/// Row-by-row equality of two columns, with NaN equal to NaN and -0 distinct from +0.
func sameValues(_ a: ColumnVector, _ b: ColumnVector) -> Bool {
    guard a.count == b.count, a.type == b.type, a.nullCount == b.nullCount else { return false }
    for i in 0..<a.count {
        let x = a.scalar(at: i), y = b.scalar(at: i)
        switch (x, y) {
        case (nil, nil): continue
        case let (.float64(p)?, .float64(q)?):
            if p.bitPattern != q.bitPattern && !(p.isNaN && q.isNaN) { return false }
        default: if x != y { return false }
        }
    }
    return true
}
