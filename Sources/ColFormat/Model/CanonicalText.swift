/// The canonical text of values: what back-conversion writes, what a string
/// column stores for an upcast chunk, and what fingerprints and tests compare.
///
/// - bool: `true` / `false`
/// - int64: decimal, `-` for negatives
/// - float64: the shortest decimal that reads back to the same double
///   (Swift's `description`, e.g. `1.0`, `0.1`, `1e-05`, `1e+16`), and
///   `NaN`, `Infinity`, `-Infinity`
/// - date: `YYYY-MM-DD` (proleptic Gregorian; years beyond 0...9999 with a sign)
/// - timestamp: `YYYY-MM-DDTHH:MM:SSZ`, with `.ffffff` before the `Z` when the
///   microseconds are not zero
/// - string and json: the bytes themselves
public enum CanonicalText {
    /// Microseconds in a day.
    public static let microsPerDay: Int64 = 86_400_000_000
    /// Microseconds in a second.
    public static let microsPerSecond: Int64 = 1_000_000

    /// Appends a value's canonical text.
    public static func append(_ value: Scalar, to out: inout [UInt8]) {
        switch value {
        case let .bool(b): appendBool(b, to: &out)
        case let .int64(v): appendInt(v, to: &out)
        case let .float64(v): appendDouble(v, to: &out)
        case let .date(d): appendDate(d, to: &out)
        case let .timestamp(t): appendTimestamp(t, to: &out)
        case let .string(b), let .json(b): out.append(contentsOf: b)
        }
    }

    /// Appends the value as JSON: numbers and bools bare, non-finite doubles
    /// and dates, timestamps and strings as JSON strings, json as is.
    public static func appendJSON(_ value: Scalar, to out: inout [UInt8]) {
        switch value {
        case .bool, .int64: append(value, to: &out)
        case let .float64(v):
            if v.isFinite { appendDouble(v, to: &out) } else {
                out.append(0x22)
                appendDouble(v, to: &out)
                out.append(0x22)
            }
        case .date, .timestamp:
            out.append(0x22)
            append(value, to: &out)
            out.append(0x22)
        case let .string(b): appendJSONString(b, to: &out)
        case let .json(b): out.append(contentsOf: b)
        }
    }

    /// Appends `true` or `false`.
    @inlinable public static func appendBool(_ b: Bool, to out: inout [UInt8]) {
        if b { out.append(contentsOf: [0x74, 0x72, 0x75, 0x65]) } else { out.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65]) }
    }

    /// Appends an integer in decimal, with `-` for negatives.
    public static func appendInt(_ v: Int64, to out: inout [UInt8]) {
        if v == 0 { out.append(0x30); return }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var n = v.magnitude
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buf in
            while n > 0 {
                buf[count] = UInt8(n % 10) + 0x30
                n /= 10
                count += 1
            }
            if v < 0 { out.append(0x2D) }
            for i in stride(from: count - 1, through: 0, by: -1) { out.append(buf[i]) }
        }
    }

    /// Appends the shortest decimal that reads back to the same double, or `NaN`, `Infinity`, `-Infinity`.
    public static func appendDouble(_ v: Double, to out: inout [UInt8]) {
        if v.isNaN { out.append(contentsOf: Array("NaN".utf8)); return }
        if v.isInfinite { out.append(contentsOf: Array((v < 0 ? "-Infinity" : "Infinity").utf8)); return }
        ShortestDouble.append(v, to: &out)
    }

    @inline(__always) static func append2(_ v: Int, to out: inout [UInt8]) {
        out.append(UInt8(v / 10) + 0x30)
        out.append(UInt8(v % 10) + 0x30)
    }

    /// Appends days since the epoch as `YYYY-MM-DD`.
    public static func appendDate(_ days: Int32, to out: inout [UInt8]) {
        let (y, m, d) = civil(fromDays: Int64(days))
        appendYear(y, to: &out)
        out.append(0x2D)
        append2(m, to: &out)
        out.append(0x2D)
        append2(d, to: &out)
    }

    static func appendYear(_ y: Int64, to out: inout [UInt8]) {
        if y >= 0 && y <= 9999 {
            out.append(UInt8(y / 1000) + 0x30)
            out.append(UInt8(y / 100 % 10) + 0x30)
            out.append(UInt8(y / 10 % 10) + 0x30)
            out.append(UInt8(y % 10) + 0x30)
        } else {
            if y > 0 { out.append(0x2B) }
            appendInt(y, to: &out)
        }
    }

    /// Appends microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`.
    public static func appendTimestamp(_ micros: Int64, to out: inout [UInt8]) {
        let (days, rem) = floorDivide(micros, microsPerDay)
        let (y, m, d) = civil(fromDays: days)
        appendYear(y, to: &out)
        out.append(0x2D)
        append2(m, to: &out)
        out.append(0x2D)
        append2(d, to: &out)
        out.append(0x54)
        let seconds = Int(rem / microsPerSecond)
        let fraction = Int(rem % microsPerSecond)
        append2(seconds / 3600, to: &out)
        out.append(0x3A)
        append2(seconds / 60 % 60, to: &out)
        out.append(0x3A)
        append2(seconds % 60, to: &out)
        if fraction != 0 {
            out.append(0x2E)
            var div = 100_000
            while div > 0 {
                out.append(UInt8(fraction / div % 10) + 0x30)
                div /= 10
            }
        }
        out.append(0x5A)
    }

    /// Appends bytes as a JSON string with the escapes RFC 8259 requires.
    public static func appendJSONString<C: Collection>(_ bytes: C, to out: inout [UInt8]) where C.Element == UInt8 {
        out.append(0x22)
        let contiguous: Void? = bytes.withContiguousStorageIfAvailable { field in
            // Runs of bytes that need no escape are copied at once.
            var run = 0
            for k in 0..<field.count {
                let b = field[k]
                guard b < 0x20 || b == 0x22 || b == 0x5C else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: field[run..<k]))
                appendJSONEscape(b, to: &out)
                run = k + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: field[run...]))
        }
        if contiguous == nil {
            for b in bytes {
                if b < 0x20 || b == 0x22 || b == 0x5C { appendJSONEscape(b, to: &out) } else { out.append(b) }
            }
        }
        out.append(0x22)
    }

    /// The escape of a quote, a backslash or a control byte.
    private static func appendJSONEscape(_ b: UInt8, to out: inout [UInt8]) {
        out.append(0x5C)
        switch b {
        case 0x22: out.append(0x22)
        case 0x5C: out.append(0x5C)
        case 0x0A: out.append(0x6E)
        case 0x0D: out.append(0x72)
        case 0x09: out.append(0x74)
        case 0x08: out.append(0x62)
        case 0x0C: out.append(0x66)
        default:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            out.append(contentsOf: [0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]])
        }
    }

    /// The quotient rounded down and the non-negative remainder.
    @inlinable public static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        var q = a / b
        var r = a % b
        if r < 0 { q -= 1; r += b }
        return (q, r)
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
    public static func days(year: Int64, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The proleptic Gregorian date of a day count.
    public static func civil(fromDays z0: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = Int(doy - (153 * mp + 2) / 5 + 1)
        let m = Int(mp < 10 ? mp + 3 : mp - 9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
