import ColBytes

/// How nulls are stored at the start of a page (docs/FORMAT.md §3.2): a u8
/// code, then for a bitmap one bit per row, for runs a varint run count and
/// alternating valid/null run lengths starting with valid.
enum Validity: UInt8 {
    case allValid = 0
    case bitmap = 1
    case runs = 2
    case allNull = 3

    /// Appends the validity of `v`: runs when they take under a third of the bitmap.
    static func write(_ v: ColumnVector, into page: inout ByteWriter) {
        if v.nullCount == 0 { page.write(Validity.allValid.rawValue); return }
        if v.nullCount == v.count { page.write(Validity.allNull.rawValue); return }
        var runs = 1
        for i in 1..<v.count where v.isValid(i) != v.isValid(i - 1) { runs += 1 }
        let bitmapBytes = (v.count + 7) / 8
        if runs * 3 < bitmapBytes {
            page.write(Validity.runs.rawValue)
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
            page.write(Validity.bitmap.rawValue)
            for i in 0..<bitmapBytes {
                page.write(UInt8(truncatingIfNeeded: v.validityWords[i >> 3] >> UInt64((i & 7) * 8)))
            }
        }
    }

    /// Reads the validity of `rows` rows: the validity words and the null count.
    static func read(_ r: inout ByteReader, rows: Int) throws(BinaryDecodingError) -> (words: [UInt64], nulls: Int) {
        let words = (rows + 63) / 64
        var validity = [UInt64](repeating: 0, count: words)
        var nulls = 0
        let at = r.offset
        switch Validity(rawValue: try r.readUInt8()) {
        case .allValid?:
            for i in 0..<words { validity[i] = ~0 }
            if rows & 63 != 0 { validity[words - 1] = (1 << UInt64(rows & 63)) - 1 }
        case .allNull?:
            nulls = rows
        case .bitmap?:
            let n = (rows + 7) / 8
            let raw = try r.readRaw(n)
            for (i, b) in raw.enumerated() { validity[i >> 3] |= UInt64(b) << UInt64((i & 7) * 8) }
            if rows & 7 != 0, let last = raw.last, last >> UInt8(rows & 7) != 0 {
                throw .invalid("validity bitmap padding", offset: r.offset - 1)
            }
            var valid = 0
            for w in validity { valid += w.nonzeroBitCount }
            nulls = rows - valid
        case .runs?:
            let runCount = try r.readCount(limit: rows + 1, minBytesEach: 1)
            var row = 0
            for n in 0..<runCount {
                let runAt = r.offset
                let len = try r.readCount(limit: rows - row)
                if n % 2 == 0 {
                    for i in row..<(row + len) { validity[i >> 6] |= 1 << UInt64(i & 63) }
                } else {
                    nulls += len
                }
                row += len
                if len == 0 && n > 0 { throw .invalid("empty validity run", offset: runAt) }
            }
            guard row == rows else { throw .invalid("validity runs cover \(row) of \(rows) rows", offset: at) }
        case nil:
            throw .invalid("validity encoding", offset: at)
        }
        return (validity, nulls)
    }
}
