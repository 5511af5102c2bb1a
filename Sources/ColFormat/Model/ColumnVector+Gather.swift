extension ColumnVector {
    /// Appends row `i` of `other`, which has the same type.
    @inline(__always) package mutating func appendRow(_ i: Int, of other: ColumnVector) {
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

extension ColumnVector {
    /// Appends every row of `other`, which has the same type, in bulk: values and offsets
    /// array by array, validity a word at a time. Returns false, and appends nothing, when the
    /// text would pass the 4 GiB that 32-bit offsets reach.
    package mutating func append(contentsOf other: ColumnVector) -> Bool {
        guard other.count > 0 else { return true }
        if type == .string || type == .json {
            guard bytes.count + other.bytes.count <= Int(UInt32.max) else { return false }
        }
        appendValidity(of: other)
        switch type {
        case .null: break
        case .bool: bools.append(contentsOf: other.bools)
        case .int64, .timestamp: int64s.append(contentsOf: other.int64s)
        case .date: dates.append(contentsOf: other.dates)
        case .float64: float64s.append(contentsOf: other.float64s)
        case .string, .json:
            let shift = UInt32(bytes.count)
            offsets.reserveCapacity(offsets.count + other.count)
            other.offsets.withUnsafeBufferPointer { o in
                for i in 1..<o.count { offsets.append(o[i] &+ shift) }
            }
            bytes.append(contentsOf: other.bytes)
        }
        return true
    }
}
