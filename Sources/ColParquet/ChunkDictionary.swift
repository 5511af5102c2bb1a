// A dictionary for one column of a chunk (RLE_DICTIONARY pages, Encodings.md): the distinct
// values in first-seen order, PLAIN-encoded for the dictionary page, and each non-null row's index.

import ColBytes
import ColFormat

struct ChunkDictionary {
    /// The dictionary page's values: PLAIN byte arrays.
    var plain: [UInt8] = []
    /// Distinct values.
    var count = 0
    /// Each non-null row's index into the dictionary, in row order.
    var indices: [UInt32] = []

    /// The bits an index needs (at least 1).
    var bitWidth: Int { max(1, UInt32.bitWidth - UInt32(max(count - 1, 0)).leadingZeroBitCount) }

    /// The dictionary of a chunk column, or nil when it would not pay: more than `limit`
    /// distinct values, more than a quarter of the values distinct, or a dictionary over `maxBytes`.
    /// Numbers, dates and timestamps are keyed by their bits; text by its XXH64, and a hash
    /// collision between two different values also gives nil (the page is then written PLAIN).
    static func build(_ v: ColumnVector, limit: Int = 1 << 16, maxBytes: Int = 1 << 20) -> ChunkDictionary? {
        let values = v.count - v.nullCount
        guard values > 0 else { return nil }
        let cap = min(limit, values / 4)
        switch v.type {
        case .string, .json: return text(v, cap: cap, maxBytes: maxBytes)
        case .int64, .timestamp: return fixed(v, cap: cap, width: 8) { UInt64(bitPattern: v.int64s[$0]) }
        case .float64: return fixed(v, cap: cap, width: 8) { v.float64s[$0].bitPattern }
        case .date: return fixed(v, cap: cap, width: 4) { UInt64(UInt32(bitPattern: v.dates[$0])) }
        case .bool, .null: return nil
        }
    }

    /// Fixed-width values, keyed by their bits (so -0.0 and 0.0, and each NaN, stay apart).
    static func fixed(_ v: ColumnVector, cap: Int, width: Int, _ bits: (Int) -> UInt64) -> ChunkDictionary? {
        var d = ChunkDictionary()
        d.indices.reserveCapacity(v.count - v.nullCount)
        var seen: [UInt64: UInt32] = [:]
        let all = v.nullCount == 0
        for i in 0..<v.count where all || v.isValid(i) {
            let x = bits(i)
            if let e = seen[x] {
                d.indices.append(e)
                continue
            }
            guard d.count < cap else { return nil }
            seen[x] = UInt32(d.count)
            d.indices.append(UInt32(d.count))
            d.count += 1
            ParquetPlain.appendLittleEndian(x, width, to: &d.plain)
        }
        return d
    }

    static func text(_ v: ColumnVector, cap: Int, maxBytes: Int) -> ChunkDictionary? {
        var d = ChunkDictionary()
        d.indices.reserveCapacity(v.count - v.nullCount)
        var seen: [UInt64: (index: UInt32, range: Range<Int>)] = [:]
        let all = v.nullCount == 0
        let ok = v.bytes.withUnsafeBytes { b -> Bool in
            for i in 0..<v.count where all || v.isValid(i) {
                let r = v.byteRange(i)
                let h = XXH64.hash(UnsafeRawBufferPointer(rebasing: b[r]))
                if let e = seen[h] {
                    guard e.range.count == r.count, b[e.range].elementsEqual(b[r]) else { return false }
                    d.indices.append(e.index)
                    continue
                }
                guard d.count < cap, d.plain.count + 4 + r.count <= maxBytes else { return false }
                seen[h] = (UInt32(d.count), r)
                d.indices.append(UInt32(d.count))
                d.count += 1
                ParquetPlain.appendLittleEndian(UInt64(r.count), 4, to: &d.plain)
                d.plain += b[r]
            }
            return true
        }
        return ok ? d : nil
    }
}
