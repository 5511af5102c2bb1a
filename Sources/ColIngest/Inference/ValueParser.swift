#if canImport(Glibc)
import Glibc
#endif
import ColFormat

/// The text forms each inferred type accepts (docs/CSV.md, "Type inference").
///
/// Parsing works on bytes and never trims: " 567" is text. The forms are:
/// - bool: `true`, `false` in any letter case;
/// - int64: an optional sign and decimal digits, without leading zeros
///   (`0` itself is fine; `08123` is text), within Int64 (beyond it is text, never wrapped);
/// - float64: decimal digits with a `.` and/or an exponent (`1.5`, `.5`, `5.`,
///   `1e3`, `-2.5E-3`), or `NaN`, `Infinity`, `-Infinity`, `inf`, `-inf`;
///   integer-shaped values are float64 candidates too;
/// - date: `YYYY-MM-DD` or `YYYY/MM/DD`, a real calendar day;
/// - timestamp: a date, then `T` or a space, `HH:MM[:SS[.fraction]]`, and an
///   optional `Z` or `±HH:MM`/`±HHMM` offset (converted to UTC; without one,
///   the time is taken as UTC); dates are timestamp candidates too.
enum ValueParser {
    /// Candidate-type bits.
    static let bool: UInt8 = 1 << 0
    static let int: UInt8 = 1 << 1
    static let float: UInt8 = 1 << 2
    static let date: UInt8 = 1 << 3
    static let timestamp: UInt8 = 1 << 4
    static let all: UInt8 = 0x1F

    /// The candidate types of a non-empty field.
    @inline(__always)
    static func classify(_ p: UnsafeRawBufferPointer) -> UInt8 {
        guard let first = p.first else { return all }
        switch first {
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            // Text with a date separator after four digits is never a number, so a
            // failed date or timestamp falls through to classifyNumber, which says 0.
            if p.count >= 10 && (p[4] == UInt8(ascii: "-") || p[4] == UInt8(ascii: "/")) {
                if p.count == 10 {
                    if parseDate(p) != nil { return date | timestamp }
                } else if parseTimestamp(p) != nil {
                    return timestamp
                }
            }
            return classifyNumber(p)
        case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."):
            return classifyNumber(p)
        case UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"):
            return parseBool(p) != nil ? bool : 0
        case UInt8(ascii: "N"), UInt8(ascii: "I"), UInt8(ascii: "i"):
            return parseSpecialDouble(p) != nil ? float : 0
        default:
            return 0
        }
    }

    static func classifyNumber(_ p: UnsafeRawBufferPointer) -> UInt8 {
        if parseInt(p) != nil { return int | float }
        if isIntegerShaped(p) { return 0 }
        return isDouble(p) ? float : 0
    }

    static func parseBool(_ p: UnsafeRawBufferPointer) -> Bool? {
        func eq(_ word: StaticString) -> Bool {
            guard p.count == word.utf8CodeUnitCount else { return false }
            for i in 0..<p.count where p[i] | 0x20 != word.utf8Start[i] { return false }
            return true
        }
        if eq("true") { return true }
        if eq("false") { return false }
        return nil
    }

    /// An optional sign and digits: no other characters.
    static func isIntegerShaped(_ p: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        if i < p.count && (p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+")) { i += 1 }
        guard i < p.count else { return false }
        while i < p.count {
            guard p[i] &- 0x30 < 10 else { return false }
            i += 1
        }
        return true
    }

    static func parseInt(_ p: UnsafeRawBufferPointer) -> Int64? {
        var i = 0
        var negative = false
        if p.count > 0 && (p[0] == UInt8(ascii: "-") || p[0] == UInt8(ascii: "+")) {
            negative = p[0] == UInt8(ascii: "-")
            i = 1
        }
        let digits = p.count - i
        guard digits > 0, digits <= 19 else { return nil }
        if digits > 1 && p[i] == UInt8(ascii: "0") { return nil }
        var v: UInt64 = 0
        while i < p.count {
            let d = p[i] &- 0x30
            guard d < 10 else { return nil }
            v = v &* 10 &+ UInt64(d)
            i += 1
        }
        if negative {
            if v > UInt64(Int64.max) + 1 { return nil }
            return v == UInt64(Int64.max) + 1 ? Int64.min : -Int64(v)
        }
        return v > UInt64(Int64.max) ? nil : Int64(v)
    }

    static func parseSpecialDouble(_ p: UnsafeRawBufferPointer) -> Double? {
        guard let last = p.last, last == UInt8(ascii: "N") || last == UInt8(ascii: "n") || last == UInt8(ascii: "f")
            || last == UInt8(ascii: "y") else { return nil }
        func eq(_ word: StaticString) -> Bool {
            guard p.count == word.utf8CodeUnitCount else { return false }
            for i in 0..<p.count where p[i] != word.utf8Start[i] { return false }
            return true
        }
        if eq("NaN") || eq("nan") { return .nan }
        if eq("Infinity") || eq("inf") || eq("+Infinity") || eq("+inf") { return .infinity }
        if eq("-Infinity") || eq("-inf") { return -.infinity }
        return nil
    }

    /// The parts of a strict decimal float: [sign] (digits [. digits*] | . digits) [(e|E) [sign] digits],
    /// at most 511 bytes. `m` holds the first 19 significant digits, scaled by 10^(`scale` + `exponent`).
    struct Decimal {
        var negative = false
        var m: UInt64 = 0
        var significant = 0
        var scale = 0
        var exponent = 0
        /// A nonzero digit past the 19th significant one was dropped: `m` × 10^(scale + exponent) is not exact.
        var truncated = false
    }

    @inline(__always) static func scanDecimal(_ p: UnsafeRawBufferPointer) -> Decimal? {
        var d = Decimal()
        var i = 0
        let n = p.count
        if i < n && (p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+")) { d.negative = p[i] == UInt8(ascii: "-"); i += 1 }
        var mantissaDigits = 0
        while i < n && p[i] &- 0x30 < 10 {
            let digit = UInt64(p[i] &- 0x30)
            if d.significant < 19 { d.m = d.m &* 10 &+ digit; if d.m != 0 { d.significant += 1 } } else {
                d.scale += 1
                if digit != 0 { d.truncated = true }
            }
            i += 1
            mantissaDigits += 1
        }
        if i < n && p[i] == UInt8(ascii: ".") {
            i += 1
            while i < n && p[i] &- 0x30 < 10 {
                let digit = UInt64(p[i] &- 0x30)
                if d.significant < 19 { d.m = d.m &* 10 &+ digit; if d.m != 0 { d.significant += 1 }; d.scale -= 1 } else if digit != 0 {
                    d.truncated = true
                }
                i += 1
                mantissaDigits += 1
            }
        }
        guard mantissaDigits > 0 else { return nil }
        if i < n && (p[i] | 0x20) == UInt8(ascii: "e") {
            i += 1
            var expNegative = false
            if i < n && (p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+")) { expNegative = p[i] == UInt8(ascii: "-"); i += 1 }
            var expDigits = 0
            while i < n && p[i] &- 0x30 < 10 {
                if d.exponent < 100_000 { d.exponent = d.exponent * 10 + Int(p[i] &- 0x30) }
                i += 1
                expDigits += 1
            }
            guard expDigits > 0 else { return nil }
            if expNegative { d.exponent = -d.exponent }
        }
        guard i == n, n < 512 else { return nil }
        return d
    }

    /// Whether `parseDouble` accepts the text: the same syntax check, without
    /// computing the value (inference needs only the answer; every decimal that
    /// passes the syntax has a double, ±infinity or zero at the extremes).
    static func isDouble(_ p: UnsafeRawBufferPointer) -> Bool {
        parseSpecialDouble(p) != nil || scanDecimal(p) != nil
    }

    /// A strict decimal float: [sign] (digits [. digits*] | . digits) [(e|E) [sign] digits], correctly rounded.
    static func parseDouble(_ p: UnsafeRawBufferPointer) -> Double? {
        if let s = parseSpecialDouble(p) { return s }
        guard let d = scanDecimal(p) else { return nil }
        let n = p.count
        // Clinger's fast path: an integer below 2^53 times or divided by an exact power of ten
        // (10^0 … 10^22) is one correctly rounded IEEE operation, so it equals strtod's result.
        let e10 = d.scale + d.exponent
        if d.m <= 1 << 53, d.significant < 19, e10 >= -22, e10 <= 22 {
            let magnitude = e10 < 0 ? Double(d.m) / exactPowersOfTen[-e10] : Double(d.m) * exactPowersOfTen[e10]
            return d.negative ? -magnitude : magnitude
        }
        if !d.truncated, let magnitude = eiselLemire(d.m, e10) { return d.negative ? -magnitude : magnitude }
        // strtod on a NUL-terminated copy: correct rounding; overflow gives ±inf, underflow 0 or a subnormal.
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf -> Double? in
            for k in 0..<n { buf[k] = CChar(bitPattern: p[k]) }
            buf[n] = 0
            guard let base = buf.baseAddress else { return nil }
            return strtod(base, nil)
        }
    }

    /// `w` × 10^`q` correctly rounded to a double by the Eisel–Lemire algorithm (D. Lemire, "Number
    /// parsing at a gigabyte per second", 2021): `w` times a 128-bit approximation of 5^q
    /// (PowersOfFive.swift) gives the 53 significant bits and the power of two, unless the
    /// product is too close to a rounding boundary to decide. Then, and for zero, subnormal
    /// and overflowing results, it returns nil and the caller uses strtod.
    /// `ValueParserTests` compares it with strtod bit for bit.
    static func eiselLemire(_ w: UInt64, _ q: Int) -> Double? {
        guard w != 0, q >= powerOfFiveLowest, q <= 308 else { return nil }
        let lz = w.leadingZeroBitCount
        let normalized = w << UInt64(lz)
        let index = 2 * (q - powerOfFiveLowest)
        let (fiveHigh, fiveLow) = powersOfFive.withUnsafeBufferPointer { ($0[index], $0[index + 1]) }
        var (high, low) = normalized.multipliedFullWidth(by: fiveHigh)
        // 55 bits are needed (53, one to round, one more); when the 9 bits below them are all
        // ones, a carry from the low half of the approximation could still change them.
        if high & 0x1FF == 0x1FF {
            let second = normalized.multipliedFullWidth(by: fiveLow).high
            let (sum, carry) = low.addingReportingOverflow(second)
            low = sum
            if carry { high &+= 1 }
        }
        // Outside these exponents the 128-bit power of five is itself inexact: undecidable here.
        if low == .max && (q < -27 || q > 55) { return nil }
        let upper = Int(high >> 63)
        var mantissa = high >> UInt64(upper + 9)
        var power2 = (((152_170 + 65_536) * q) >> 16) + 63 + upper - lz + 1023
        guard power2 > 0 else { return nil }
        // Exactly halfway between two doubles (possible only for these exponents): round to even.
        if low <= 1 && q >= -4 && q <= 23 && mantissa & 3 == 1 && mantissa << UInt64(upper + 9) == high {
            mantissa &= ~1
        }
        mantissa += mantissa & 1
        mantissa >>= 1
        if mantissa >= 2 << 52 {
            mantissa = 1 << 52
            power2 += 1
        }
        mantissa &= ~(1 << 52)
        guard power2 < 0x7FF else { return nil }
        return Double(bitPattern: UInt64(power2) << 52 | mantissa)
    }

    @inline(__always) static func digits(_ p: UnsafeRawBufferPointer, _ at: Int, _ count: Int) -> Int? {
        guard at + count <= p.count else { return nil }
        var v = 0
        for k in at..<(at + count) {
            let d = p[k] &- 0x30
            guard d < 10 else { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }

    /// Days since the epoch of `YYYY-MM-DD` or `YYYY/MM/DD` (the whole field, or its first 10 bytes with `prefixOnly`).
    static func parseDate(_ p: UnsafeRawBufferPointer, prefixOnly: Bool = false) -> Int32? {
        guard p.count == 10 || (prefixOnly && p.count > 10) else { return nil }
        let sep = p[4]
        guard sep == UInt8(ascii: "-") || sep == UInt8(ascii: "/"), p[7] == sep,
              let y = digits(p, 0, 4), let m = digits(p, 5, 2), let d = digits(p, 8, 2),
              (1...12).contains(m), d >= 1, d <= daysInMonth(y, m) else { return nil }
        return Int32(CanonicalText.days(year: Int64(y), month: m, day: d))
    }

    static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Microseconds since the epoch, UTC.
    static func parseTimestamp(_ p: UnsafeRawBufferPointer) -> Int64? {
        guard let days = parseDate(p, prefixOnly: true) else { return nil }
        if p.count == 10 { return Int64(days) * CanonicalText.microsPerDay }
        guard p.count >= 16, p[10] == UInt8(ascii: "T") || p[10] == UInt8(ascii: " "),
              let hh = digits(p, 11, 2), p[13] == UInt8(ascii: ":"), let mm = digits(p, 14, 2),
              hh < 24, mm < 60 else { return nil }
        var i = 16
        var ss = 0
        var micros = 0
        if i < p.count && p[i] == UInt8(ascii: ":") {
            guard let s = digits(p, i + 1, 2), s < 60 else { return nil }
            ss = s
            i += 3
            if i < p.count && (p[i] == UInt8(ascii: ".") || p[i] == UInt8(ascii: ",")) {
                i += 1
                var scale = 100_000
                var any = false
                while i < p.count && p[i] &- 0x30 < 10 {
                    micros += Int(p[i] &- 0x30) * scale
                    scale /= 10
                    i += 1
                    any = true
                }
                guard any else { return nil }
            }
        }
        var offsetSeconds = 0
        if i < p.count {
            switch p[i] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                i += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let sign = p[i] == UInt8(ascii: "-") ? -1 : 1
                guard let oh = digits(p, i + 1, 2), oh < 24 else { return nil }
                var om = 0
                if i + 3 < p.count && p[i + 3] == UInt8(ascii: ":") {
                    guard let m = digits(p, i + 4, 2) else { return nil }
                    om = m
                    i += 6
                } else if i + 3 < p.count {
                    guard let m = digits(p, i + 3, 2) else { return nil }
                    om = m
                    i += 5
                } else {
                    i += 3
                }
                guard om < 60 else { return nil }
                offsetSeconds = sign * (oh * 3600 + om * 60)
            default:
                return nil
            }
        }
        guard i == p.count else { return nil }
        let seconds = Int64(hh * 3600 + mm * 60 + ss - offsetSeconds)
        return Int64(days) * CanonicalText.microsPerDay + seconds * CanonicalText.microsPerSecond + Int64(micros)
    }
}
