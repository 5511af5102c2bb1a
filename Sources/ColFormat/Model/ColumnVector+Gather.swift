extension ColumnVector {
    /// Appends row `i` of `other`, which has the same type.
    @inline(__always) mutating func appendRow(_ i: Int, of other: ColumnVector) {
        guard other.isValid(i) else { appendNull(); return }
        switch type {
        case .null: appendNull()
        case .bool: append(other.bools[i])
        case .int64, .timestamp: append(other.int64s[i])
        case .date: append(date: other.dates[i])
        case .float64: append(other.float64s[i])
        case .string, .json: append(utf8: other.bytes[other.byteRange(i)])
        }
    }

    /// A new column of the given rows of this one, in that order.
    public func gathering(_ rows: some Collection<Int>) -> ColumnVector {
        var out = ColumnVector(type: type, capacity: rows.count)
        for i in rows { out.appendRow(i, of: self) }
        return out
    }

    /// A new column of a contiguous range of rows.
    public func slice(_ rows: Range<Int>) -> ColumnVector {
        if rows.lowerBound == 0 && rows.upperBound == count { return self }
        return gathering(rows)
    }
}
