import ColBytes

/// One typed value: a statistic bound, a top-k item, or a predicate literal.
///
/// Strings hold their UTF-8 bytes so that they compare as unsigned bytes, the
/// order the statistics use.
public enum Scalar: Sendable, Hashable, CustomStringConvertible {
    case bool(Bool)
    case int64(Int64)
    case float64(Double)
    case string([UInt8])
    /// Days since 1970-01-01.
    case date(Int32)
    /// Microseconds since the epoch, UTC.
    case timestamp(Int64)
    case json([UInt8])

    /// The value's logical type.
    public var type: LogicalType {
        switch self {
        case .bool: .bool
        case .int64: .int64
        case .float64: .float64
        case .string: .string
        case .date: .date
        case .timestamp: .timestamp
        case .json: .json
        }
    }

    /// The value's canonical text (docs/FORMAT.md, "Canonical text").
    public var description: String {
        var out: [UInt8] = []
        CanonicalText.append(self, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The value as a double, for numeric, date and timestamp values.
    public var numericValue: Double? {
        switch self {
        case let .int64(v): Double(v)
        case let .float64(v): v
        case let .date(v): Double(v)
        case let .timestamp(v): Double(v)
        case let .bool(b): b ? 1 : 0
        case .string, .json: nil
        }
    }

    /// The value converted to a wider logical type, as a reader upcasts it,
    /// or nil when the conversion is not a widening.
    public func upcast(to target: LogicalType) -> Scalar? {
        if target == type { return self }
        switch (self, target) {
        case let (.int64(v), .float64): return .float64(Double(v))
        case let (.date(d), .timestamp): return .timestamp(Int64(d) * CanonicalText.microsPerDay)
        case (_, .string):
            var out: [UInt8] = []
            CanonicalText.append(self, to: &out)
            return .string(out)
        case (_, .json):
            var out: [UInt8] = []
            CanonicalText.appendJSON(self, to: &out)
            return .json(out)
        default: return nil
        }
    }

    /// Compares two values of the same type in statistics order: numbers
    /// numerically (-0 equals +0), strings as unsigned bytes, false < true.
    /// Returns nil for values of different types or NaN.
    public static func compare(_ a: Scalar, _ b: Scalar) -> Int? {
        func cmp<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x == y ? 0 : 1) }
        switch (a, b) {
        case let (.bool(x), .bool(y)): return cmp(x ? 1 : 0, y ? 1 : 0)
        case let (.int64(x), .int64(y)): return cmp(x, y)
        case let (.float64(x), .float64(y)):
            if x.isNaN || y.isNaN { return nil }
            return cmp(x, y)
        case let (.int64(x), .float64(y)):
            if y.isNaN { return nil }
            return compareIntDouble(x, y)
        case let (.float64(x), .int64(y)):
            if x.isNaN { return nil }
            return compareIntDouble(y, x).map { -$0 }
        case let (.date(x), .date(y)): return cmp(x, y)
        case let (.timestamp(x), .timestamp(y)): return cmp(x, y)
        case let (.date(x), .timestamp(y)): return cmp(Int64(x) * CanonicalText.microsPerDay, y)
        case let (.timestamp(x), .date(y)): return cmp(x, Int64(y) * CanonicalText.microsPerDay)
        case let (.string(x), .string(y)), let (.json(x), .json(y)):
            return compareBytes(x, y)
        default: return nil
        }
    }

    /// Exact comparison of an integer with a double (no rounding of the integer).
    static func compareIntDouble(_ i: Int64, _ d: Double) -> Int? {
        if d.isNaN { return nil }
        if d >= 9_223_372_036_854_775_808.0 { return -1 }
        if d < -9_223_372_036_854_775_808.0 { return 1 }
        let t = d.rounded(.down)
        let ti = Int64(t)
        if i < ti { return -1 }
        if i > ti { return 1 }
        return d > t ? -1 : 0
    }

    /// Unsigned byte-wise comparison.
    public static func compareBytes<A: Collection, B: Collection>(_ x: A, _ y: B) -> Int
    where A.Element == UInt8, B.Element == UInt8 {
        var i = x.makeIterator(), j = y.makeIterator()
        while true {
            switch (i.next(), j.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case let (a?, b?): if a != b { return a < b ? -1 : 1 }
            }
        }
    }

    /// Serializes as the type code (u8) and the payload: bool u8, int64 and
    /// timestamp i64, float64 f64, date i32, string and json a varint length
    /// and the bytes.
    public func serialize(into w: inout ByteWriter) {
        w.write(type.rawValue)
        switch self {
        case let .bool(b): w.write(UInt8(b ? 1 : 0))
        case let .int64(v), let .timestamp(v): w.write(v)
        case let .float64(v): w.write(v)
        case let .date(v): w.write(v)
        case let .string(b), let .json(b): w.writeBytes(b)
        }
    }

    /// Reads a value written by `serialize(into:)`.
    public static func deserialize(from r: inout ByteReader) throws(BinaryDecodingError) -> Scalar {
        let at = r.offset
        let code = try r.readUInt8()
        switch LogicalType(rawValue: code) {
        case .bool?:
            let b = try r.readUInt8()
            guard b <= 1 else { throw .invalid("bool value \(b)", offset: at + 1) }
            return .bool(b == 1)
        case .int64?: return .int64(try r.read(Int64.self))
        case .timestamp?: return .timestamp(try r.read(Int64.self))
        case .float64?: return .float64(try r.readDouble())
        case .date?:
            let d = try r.read(Int32.self)
            guard abs(Int64(d)) <= Int64(Layout.maxDateDays) else { throw .invalid("date \(d) out of range", offset: at + 1) }
            return .date(d)
        // Bounded by the section that holds it (files from before the statistics text limit kept whole values).
        case .string?: return .string(Array(try r.readBytes(limit: Layout.maxSectionBytes)))
        case .json?: return .json(Array(try r.readBytes(limit: Layout.maxSectionBytes)))
        case .null?, nil: throw .invalid("scalar type code \(code)", offset: at)
        }
    }

    /// The hash that feeds the distinct-count and frequency sketches.
    ///
    /// Values that stay equal under widening hash equally: an int64 that a
    /// double represents exactly hashes as that double, and a date as its
    /// midnight timestamp. -0 hashes as +0.
    public var sketchHash: UInt64 {
        switch self {
        case let .bool(b): return ValueHash.bool(b)
        case let .int64(v): return ValueHash.int64(v)
        case let .float64(v): return ValueHash.float64(v)
        case let .date(d): return ValueHash.timestamp(Int64(d) * CanonicalText.microsPerDay)
        case let .timestamp(t): return ValueHash.timestamp(t)
        case let .string(b), let .json(b): return XXH64.hash(b)
        }
    }
}
