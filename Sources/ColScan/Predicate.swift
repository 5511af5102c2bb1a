import ColFormat

/// A comparison operator.
public enum Comparison: String, Sendable, CaseIterable {
    case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="

    func holds(_ order: Int) -> Bool {
        switch self {
        case .equal: order == 0
        case .notEqual: order != 0
        case .less: order < 0
        case .lessOrEqual: order <= 0
        case .greater: order > 0
        case .greaterOrEqual: order >= 0
        }
    }
}

/// A row filter over named columns, with SQL's three-valued logic: a
/// comparison with a null is unknown, and unknown rows are not selected.
/// NaN is a value, not a null, but every comparison with it is unknown.
public indirect enum RowFilter: Sendable, CustomStringConvertible {
    case compare(String, Comparison, Scalar)
    case isIn(String, [Scalar])
    case isNull(String)
    case isNotNull(String)
    case and(RowFilter, RowFilter)
    case or(RowFilter, RowFilter)
    case not(RowFilter)

    /// The columns the predicate reads.
    public var columns: [String] {
        switch self {
        case let .compare(c, _, _), let .isIn(c, _), let .isNull(c), let .isNotNull(c): [c]
        case let .and(a, b), let .or(a, b): a.columns + b.columns
        case let .not(a): a.columns
        }
    }

    /// The filter in the `--where` syntax.
    public var description: String {
        switch self {
        case let .compare(c, op, v): "\(c) \(op.rawValue) \(Self.literal(v))"
        case let .isIn(c, vs): "\(c) in (\(vs.map(Self.literal).joined(separator: ", ")))"
        case let .isNull(c): "\(c) is null"
        case let .isNotNull(c): "\(c) is not null"
        case let .and(a, b): "(\(a) and \(b))"
        case let .or(a, b): "(\(a) or \(b))"
        case let .not(a): "not \(a)"
        }
    }

    static func literal(_ v: Scalar) -> String {
        switch v {
        case .string, .date, .timestamp, .json: "\"\(v.description)\""
        default: v.description
        }
    }
}

/// Both filters.
public func && (a: RowFilter, b: RowFilter) -> RowFilter { .and(a, b) }
/// Either filter.
public func || (a: RowFilter, b: RowFilter) -> RowFilter { .or(a, b) }
/// The opposite filter (a null comparison stays unknown).
public prefix func ! (a: RowFilter) -> RowFilter { .not(a) }

/// What statistics prove about the rows of a chunk.
enum Proof {
    /// No row matches: the chunk can be skipped.
    case none
    /// Every row matches.
    case all
    /// Unknown: read and filter.
    case some
}

/// A predicate with its columns resolved to schema indices and its literals converted to the columns' types.
indirect enum BoundFilter: Sendable {
    case compare(Int, Comparison, Scalar)
    case isIn(Int, [Scalar])
    case isNull(Int)
    case isNotNull(Int)
    case and(BoundFilter, BoundFilter)
    case or(BoundFilter, BoundFilter)
    case not(BoundFilter)

    var columns: Set<Int> {
        switch self {
        case let .compare(c, _, _), let .isIn(c, _), let .isNull(c), let .isNotNull(c): [c]
        case let .and(a, b), let .or(a, b): a.columns.union(b.columns)
        case let .not(a): a.columns
        }
    }

    /// Resolves names against a schema and converts literals (an int for a float column,
    /// an ISO string for a date or timestamp column, anything for a string column as its text).
    static func bind(_ p: RowFilter, schema: Schema) throws(ScanError) -> BoundFilter {
        func column(_ name: String) throws(ScanError) -> Int {
            let key = Array(name.utf8)
            guard let i = schema.columns.firstIndex(where: { Array($0.name.utf8) == key }) else {
                throw .unknownColumn(name, available: schema.columns.map(\.name))
            }
            return i
        }
        func convert(_ v: Scalar, to j: Int) throws(ScanError) -> Scalar {
            let type = schema.columns[j].type
            if let u = v.upcast(to: type) { return u }
            if case let .string(b) = v {
                var text = b
                if type == .date, let d = parseISODate(&text) { return .date(d) }
                if type == .timestamp, let t = parseISOTimestamp(b) { return .timestamp(t) }
            }
            if type == .int64, case let .float64(d) = v, d == d.rounded(), abs(d) < 9.2e18 { return .int64(Int64(d)) }
            throw .typeMismatch(column: schema.columns[j].name, type: type, literal: RowFilter.literal(v))
        }
        switch p {
        case let .compare(c, op, v):
            let j = try column(c)
            return .compare(j, op, try convert(v, to: j))
        case let .isIn(c, vs):
            let j = try column(c)
            var out: [Scalar] = []
            for v in vs { out.append(try convert(v, to: j)) }
            return .isIn(j, out)
        case let .isNull(c): return .isNull(try column(c))
        case let .isNotNull(c): return .isNotNull(try column(c))
        case let .and(a, b): return .and(try bind(a, schema: schema), try bind(b, schema: schema))
        case let .or(a, b): return .or(try bind(a, schema: schema), try bind(b, schema: schema))
        case let .not(a): return .not(try bind(a, schema: schema))
        }
    }

    // MARK: - Pruning

    /// What a chunk's statistics prove. A missing statistic proves nothing.
    func proof(_ stats: [ColumnStatistics]) -> Proof {
        switch self {
        case let .and(a, b):
            let x = a.proof(stats), y = b.proof(stats)
            if case .none = x { return .none }
            if case .none = y { return .none }
            if case .all = x, case .all = y { return .all }
            return .some
        case let .or(a, b):
            let x = a.proof(stats), y = b.proof(stats)
            if case .all = x { return .all }
            if case .all = y { return .all }
            if case .none = x, case .none = y { return .none }
            return .some
        case let .not(a):
            // Rows where `a` is unknown match neither `a` nor `not a`, so only "all" flips safely.
            if case .all = a.proof(stats) { return .none }
            return .some
        case let .isNull(j):
            let s = stats[j]
            if s.nullCount == 0 { return .none }
            return s.nullCount == s.rowCount ? .all : .some
        case let .isNotNull(j):
            let s = stats[j]
            if s.nullCount == s.rowCount { return .none }
            return s.nullCount == 0 ? .all : .some
        case let .compare(j, op, v):
            return Self.proveCompare(stats[j], op, v)
        case let .isIn(j, vs):
            var anyMaybe = false
            for v in vs {
                switch Self.proveCompare(stats[j], .equal, v) {
                case .all: return .all
                case .some: anyMaybe = true
                case .none: break
                }
            }
            return anyMaybe ? .some : .none
        }
    }

    static func proveCompare(_ s: ColumnStatistics, _ op: Comparison, _ v: Scalar) -> Proof {
        let values = s.valueCount
        if values == 0 { return .none }
        // An exact set of the chunk's values answers every comparison.
        if let set = s.exactValueSet {
            var matched = 0
            for x in set {
                guard let c = Scalar.compare(x, v) else { return .some }
                if op.holds(c) { matched += 1 }
            }
            if matched == 0 { return .none }
            return matched == set.count && s.nullCount == 0 && s.nanCount == 0 ? .all : .some
        }
        // Min and max bound the values (an inexact bound is still a bound: a prefix below, an increment above).
        guard let lo = s.min, let hi = s.max, let cl = Scalar.compare(lo, v), let ch = Scalar.compare(hi, v) else { return .some }
        let clean = s.nullCount == 0 && s.nanCount == 0
        switch op {
        case .equal:
            if cl > 0 || ch < 0 { return .none }
            return cl == 0 && ch == 0 && s.minExact && s.maxExact && clean ? .all : .some
        case .notEqual:
            if cl == 0 && ch == 0 && s.minExact && s.maxExact { return .none }
            return (cl > 0 || ch < 0) && clean ? .all : .some
        case .less:
            if cl >= 0 && s.minExact { return .none }
            if cl > 0 { return .none }
            return ch < 0 && clean ? .all : .some
        case .lessOrEqual:
            if cl > 0 { return .none }
            return ch <= 0 && s.maxExact && clean ? .all : .some
        case .greater:
            if ch <= 0 && s.maxExact { return .none }
            if ch < 0 { return .none }
            return cl > 0 && clean ? .all : .some
        case .greaterOrEqual:
            if ch < 0 { return .none }
            return cl >= 0 && s.minExact && clean ? .all : .some
        }
    }

    // MARK: - Rows

    /// Per row: 0 false, 1 true, 2 unknown (Kleene logic). `columns[j]` is set for every column read.
    func evaluate(_ columns: [ColumnVector?], rows: Int) -> [UInt8] {
        switch self {
        case let .and(a, b):
            let x = a.evaluate(columns, rows: rows), y = b.evaluate(columns, rows: rows)
            return zip(x, y).map { p, q in p == 0 || q == 0 ? 0 : (p == 1 && q == 1 ? 1 : 2) }
        case let .or(a, b):
            let x = a.evaluate(columns, rows: rows), y = b.evaluate(columns, rows: rows)
            return zip(x, y).map { p, q in p == 1 || q == 1 ? 1 : (p == 0 && q == 0 ? 0 : 2) }
        case let .not(a):
            return a.evaluate(columns, rows: rows).map { $0 == 2 ? 2 : 1 - $0 }
        case let .isNull(j):
            guard let c = columns[j] else { return [UInt8](repeating: 2, count: rows) }
            return (0..<rows).map { c.isValid($0) ? 0 : 1 }
        case let .isNotNull(j):
            guard let c = columns[j] else { return [UInt8](repeating: 2, count: rows) }
            return (0..<rows).map { c.isValid($0) ? 1 : 0 }
        case let .compare(j, op, v):
            guard let c = columns[j] else { return [UInt8](repeating: 2, count: rows) }
            return Self.compareColumn(c, rows: rows, value: v) { x in op.holds(x) }
        case let .isIn(j, vs):
            guard let c = columns[j] else { return [UInt8](repeating: 2, count: rows) }
            var out = [UInt8](repeating: 0, count: rows)
            var unknown = [Bool](repeating: false, count: rows)
            for v in vs {
                let r = Self.compareColumn(c, rows: rows, value: v) { $0 == 0 }
                for i in 0..<rows {
                    if r[i] == 1 { out[i] = 1 } else if r[i] == 2 { unknown[i] = true }
                }
            }
            for i in 0..<rows where out[i] == 0 && unknown[i] { out[i] = 2 }
            return out
        }
    }

    /// Compares every row of `c` with `v`; fast paths for the fixed-width types.
    static func compareColumn(_ c: ColumnVector, rows: Int, value v: Scalar, _ holds: (Int) -> Bool) -> [UInt8] {
        var out = [UInt8](repeating: 2, count: rows)
        @inline(__always) func order<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (a == b ? 0 : 1) }
        switch (c.type, v) {
        case let (.int64, .int64(x)), let (.timestamp, .timestamp(x)):
            for i in 0..<rows where c.isValid(i) { out[i] = holds(order(c.int64s[i], x)) ? 1 : 0 }
        case let (.float64, .float64(x)):
            for i in 0..<rows where c.isValid(i) && !c.float64s[i].isNaN && !x.isNaN {
                out[i] = holds(order(c.float64s[i], x)) ? 1 : 0
            }
        case let (.date, .date(x)):
            for i in 0..<rows where c.isValid(i) { out[i] = holds(order(c.dates[i], x)) ? 1 : 0 }
        case let (.bool, .bool(x)):
            for i in 0..<rows where c.isValid(i) { out[i] = holds(order(c.bools[i] ? 1 : 0, x ? 1 : 0)) ? 1 : 0 }
        case let (.string, .string(x)), let (.json, .json(x)), let (.json, .string(x)):
            c.bytes.withUnsafeBytes { all in
                x.withUnsafeBytes { key in
                    for i in 0..<rows where c.isValid(i) {
                        let r = c.byteRange(i)
                        out[i] = holds(Scalar.compareBytes(UnsafeRawBufferPointer(rebasing: all[r]), key)) ? 1 : 0
                    }
                }
            }
        default:
            for i in 0..<rows {
                guard let s = c.scalar(at: i), let o = Scalar.compare(s, v) else { continue }
                out[i] = holds(o) ? 1 : 0
            }
        }
        return out
    }
}

/// `YYYY-MM-DD` as days since the epoch.
func parseISODate(_ b: inout [UInt8]) -> Int32? {
    guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return nil }
    func num(_ r: Range<Int>) -> Int? {
        var v = 0
        for k in r {
            let d = Int(b[k]) - 48
            guard d >= 0 && d <= 9 else { return nil }
            v = v * 10 + d
        }
        return v
    }
    guard let y = num(0..<4), let m = num(5..<7), let d = num(8..<10), (1...12).contains(m), (1...31).contains(d) else { return nil }
    return Int32(CanonicalText.days(year: Int64(y), month: m, day: d))
}

/// `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SS[.ffffff][Z]` (UTC), as microseconds since the epoch.
func parseISOTimestamp(_ b: [UInt8]) -> Int64? {
    var date = Array(b.prefix(10))
    guard let days = parseISODate(&date) else { return nil }
    var micros = Int64(days) * CanonicalText.microsPerDay
    if b.count == 10 { return micros }
    var rest = Array(b.dropFirst(10))
    if rest.last == UInt8(ascii: "Z") { rest.removeLast() }
    guard rest.count >= 9, rest[0] == UInt8(ascii: "T") || rest[0] == UInt8(ascii: " "), rest[3] == UInt8(ascii: ":"),
          rest[6] == UInt8(ascii: ":") else { return nil }
    func num(_ r: Range<Int>) -> Int64? {
        var v: Int64 = 0
        for k in r {
            let d = Int64(rest[k]) - 48
            guard d >= 0 && d <= 9 else { return nil }
            v = v * 10 + d
        }
        return v
    }
    guard let h = num(1..<3), let m = num(4..<6), let s = num(7..<9), h < 24, m < 60, s < 61 else { return nil }
    micros += ((h * 60 + m) * 60 + s) * 1_000_000
    if rest.count > 9 {
        guard rest[9] == UInt8(ascii: "."), rest.count > 10, rest.count <= 16, let f = num(10..<rest.count) else { return nil }
        var scaled = f
        for _ in 0..<(6 - (rest.count - 10)) { scaled *= 10 }
        micros += scaled
    }
    return micros
}
