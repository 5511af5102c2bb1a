/// A column of one chunk in memory: typed values with a validity bitmap.
///
/// Layout follows Arrow: a slot per row, null slots hold zero (or an empty
/// string), strings are `offsets` (count + 1 entries) into `bytes`. Only the
/// storage array that matches `type` is used; the others stay empty. Clearing
/// with `removeAll()` keeps capacity, so builders reuse their buffers across
/// chunks and appending allocates nothing per value.
public struct ColumnVector: Sendable {
    /// The physical type of the values.
    public internal(set) var type: LogicalType
    /// The number of rows.
    public private(set) var count: Int = 0
    /// The number of null rows.
    public private(set) var nullCount: Int = 0
    /// Bit i (LSB-first in 64-bit words) is set when row i is valid.
    public private(set) var validityWords: [UInt64] = []
    /// Values of a bool column.
    public internal(set) var bools: [Bool] = []
    /// Values of an int64 or timestamp column.
    public internal(set) var int64s: [Int64] = []
    /// Values of a date column (days since the epoch).
    public internal(set) var dates: [Int32] = []
    /// Values of a float64 column.
    public internal(set) var float64s: [Double] = []
    /// Offsets into `bytes` for a string or json column: `count + 1` entries.
    public internal(set) var offsets: [UInt32] = [0]
    /// The concatenated UTF-8 bytes of a string or json column.
    public internal(set) var bytes: [UInt8] = []

    /// Creates an empty column of a physical type.
    public init(type: LogicalType, capacity: Int = 0) {
        self.type = type
        if capacity > 0 { reserveCapacity(capacity) }
    }

    /// Creates a column of `count` nulls.
    public static func nulls(type: LogicalType, count: Int) -> ColumnVector {
        var v = ColumnVector(type: type)
        for _ in 0..<count { v.appendNull() }
        return v
    }

    /// Reserves room for `n` rows in the storage of this column's type.
    public mutating func reserveCapacity(_ n: Int) {
        validityWords.reserveCapacity((n + 63) / 64)
        switch type {
        case .bool: bools.reserveCapacity(n)
        case .int64, .timestamp: int64s.reserveCapacity(n)
        case .date: dates.reserveCapacity(n)
        case .float64: float64s.reserveCapacity(n)
        case .string, .json: offsets.reserveCapacity(n + 1)
        case .null: break
        }
    }

    /// Empties the column, keeping its storage, and sets a (new) type.
    public mutating func removeAll(type newType: LogicalType? = nil) {
        if let t = newType { type = t }
        count = 0
        nullCount = 0
        validityWords.removeAll(keepingCapacity: true)
        bools.removeAll(keepingCapacity: true)
        int64s.removeAll(keepingCapacity: true)
        dates.removeAll(keepingCapacity: true)
        float64s.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        offsets.append(0)
        bytes.removeAll(keepingCapacity: true)
    }

    @inline(__always) mutating func pushValidity(_ valid: Bool) {
        if count & 63 == 0 { validityWords.append(0) }
        if valid {
            validityWords[count >> 6] |= 1 << UInt64(count & 63)
        } else {
            nullCount += 1
        }
        count += 1
    }

    /// True when row `i` holds a value.
    @inlinable public func isValid(_ i: Int) -> Bool {
        validityWords[i >> 6] & (1 << UInt64(i & 63)) != 0
    }

    /// Appends `other`'s validity bits after this column's `count` rows, a word at a time, and counts its rows and nulls (`append(contentsOf:)` appends the values).
    mutating func appendValidity(of other: ColumnVector) {
        let words = (other.count + 63) / 64
        let shift = count & 63
        let total = count + other.count
        other.validityWords.withUnsafeBufferPointer { w in
            for k in 0..<words {
                var word = k < w.count ? w[k] : 0
                // Bits past the other column's last row are not rows: clear them.
                if k == words - 1 && other.count & 63 != 0 { word &= (1 << UInt64(other.count & 63)) - 1 }
                if shift == 0 {
                    validityWords.append(word)
                } else {
                    validityWords[validityWords.count - 1] |= word << UInt64(shift)
                    validityWords.append(word >> UInt64(64 - shift))
                }
            }
        }
        validityWords.removeLast(validityWords.count - (total + 63) / 64)
        count = total
        nullCount += other.nullCount
    }

    /// Appends a null row.
    public mutating func appendNull() {
        switch type {
        case .bool: bools.append(false)
        case .int64, .timestamp: int64s.append(0)
        case .date: dates.append(0)
        case .float64: float64s.append(0)
        case .string, .json: offsets.append(UInt32(truncatingIfNeeded: bytes.count))
        case .null: break
        }
        pushValidity(false)
    }

    /// Appends a bool to a bool column.
    public mutating func append(_ v: Bool) {
        bools.append(v)
        pushValidity(true)
    }

    /// Appends an int64 (or, for a timestamp column, microseconds).
    public mutating func append(_ v: Int64) {
        int64s.append(v)
        pushValidity(true)
    }

    /// Appends a double to a float64 column.
    public mutating func append(_ v: Double) {
        float64s.append(v)
        pushValidity(true)
    }

    /// Appends days since the epoch to a date column.
    public mutating func append(date days: Int32) {
        dates.append(days)
        pushValidity(true)
    }

    /// Appends the UTF-8 bytes of one string or json value.
    public mutating func append(bytes raw: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: raw)
        offsets.append(UInt32(truncatingIfNeeded: bytes.count))
        pushValidity(true)
    }

    /// Appends the UTF-8 bytes of one string or json value.
    public mutating func append<C: Collection>(utf8 raw: C) where C.Element == UInt8 {
        bytes.append(contentsOf: raw)
        offsets.append(UInt32(truncatingIfNeeded: bytes.count))
        pushValidity(true)
    }

    /// Appends a string to a string or json column.
    public mutating func append(string s: String) {
        var s = s
        s.withUTF8 { append(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Appends a scalar, converting it to this column's type; nil appends a null.
    /// Returns false when the value cannot be represented (the caller widens first).
    @discardableResult
    public mutating func append(_ value: Scalar?) -> Bool {
        guard let value else { appendNull(); return true }
        guard let v = value.upcast(to: type) else { return false }
        switch v {
        case let .bool(b): append(b)
        case let .int64(i): append(i)
        case let .float64(d): append(d)
        case let .date(d): append(date: d)
        case let .timestamp(t): append(t)
        case let .string(b), let .json(b): append(utf8: b)
        }
        return true
    }

    /// The bytes of row `i` of a string or json column.
    @inlinable public func byteRange(_ i: Int) -> Range<Int> { Int(offsets[i])..<Int(offsets[i + 1]) }

    /// The string at row `i` (allocates a `String`), or nil when null.
    public func string(at i: Int) -> String? {
        guard isValid(i), type.isVariableLength else { return nil }
        return String(decoding: bytes[byteRange(i)], as: UTF8.self)
    }

    /// The value at row `i` as a scalar, or nil when null.
    public func scalar(at i: Int) -> Scalar? {
        guard i < count, type != .null, isValid(i) else { return nil }
        switch type {
        case .bool: return .bool(bools[i])
        case .int64: return .int64(int64s[i])
        case .timestamp: return .timestamp(int64s[i])
        case .date: return .date(dates[i])
        case .float64: return .float64(float64s[i])
        case .string: return .string(Array(bytes[byteRange(i)]))
        case .json: return .json(Array(bytes[byteRange(i)]))
        case .null: return nil
        }
    }

    /// Appends the canonical text of row `i` (nothing for a null).
    public func appendCanonicalText(row i: Int, to out: inout [UInt8]) {
        guard type != .null, isValid(i) else { return }
        switch type {
        case .bool: CanonicalText.appendBool(bools[i], to: &out)
        case .int64: CanonicalText.appendInt(int64s[i], to: &out)
        case .timestamp: CanonicalText.appendTimestamp(int64s[i], to: &out)
        case .date: CanonicalText.appendDate(dates[i], to: &out)
        case .float64: CanonicalText.appendDouble(float64s[i], to: &out)
        case .string, .json: out.append(contentsOf: bytes[byteRange(i)])
        case .null: break
        }
    }

    /// Returns this column converted to a wider type (see `LogicalType.widened(with:)`).
    public func upcast(to target: LogicalType) -> ColumnVector {
        if target == type { return self }
        var out = ColumnVector(type: target, capacity: count)
        switch (type, target) {
        case (.int64, .float64):
            out.float64s = int64s.map { Double($0) }
        case (.date, .timestamp):
            out.int64s = dates.map { Int64($0) * CanonicalText.microsPerDay }
        case (.null, _):
            return ColumnVector.nulls(type: target, count: count)
        case (_, .string), (_, .json):
            var scratch: [UInt8] = []
            for i in 0..<count {
                if let s = scalar(at: i) {
                    scratch.removeAll(keepingCapacity: true)
                    if target == .json { CanonicalText.appendJSON(s, to: &scratch) } else { CanonicalText.append(s, to: &scratch) }
                    out.append(utf8: scratch)
                } else {
                    out.appendNull()
                }
            }
            return out
        default:
            return self
        }
        out.count = count
        out.nullCount = nullCount
        out.validityWords = validityWords
        return out
    }

    /// A string or json column from its parts, as the CSV reader's field buffers hold them:
    /// `count + 1` offsets into `bytes`, null rows empty, and `(count + 63) / 64` validity words.
    package init(type: LogicalType, count: Int, nullCount: Int, validityWords: [UInt64], offsets: [UInt32], bytes: [UInt8]) {
        self.type = type
        self.count = count
        self.nullCount = nullCount
        self.validityWords = validityWords
        self.offsets = offsets
        self.bytes = bytes
    }

    /// Builds a column from parts decoded from a file.
    init(type: LogicalType, count: Int, nullCount: Int, validityWords: [UInt64]) {
        self.type = type
        self.count = count
        self.nullCount = nullCount
        self.validityWords = validityWords
    }

    /// The decoded size in the Arrow layout with 32-bit offsets: values (bools
    /// as bits), offsets and string bytes, plus a validity bitmap when any row
    /// is null. Buffers are counted unpadded.
    public var decodedBytes: Int {
        DecodedSize.arrowBytes(type: type, rows: count, nulls: nullCount, stringBytes: bytes.count)
    }
}
