#if canImport(Glibc)
import Glibc
#endif
import ColFormat

// Literals, numbers and strings (with escapes and UTF-8 checks) for the
// scanner; see the design note in JSONScanner.swift.

extension JSONScanner {
    // MARK: - Values

    mutating func literal(_ word: StaticString) throws(JSONFailure) {
        let w = word.utf8Start
        let len = word.utf8CodeUnitCount
        for k in 0..<len {
            guard i + k < n else { throw endOfInput("inside '\(word)'") }
            guard p[i + k] == w[k] else {
                i += k
                throw fail("invalid literal: expected '\(word)'")
            }
        }
        i += len
    }

    /// Scans a number at `i` (RFC 8259 grammar) and classifies it.
    mutating func scanNumber() throws(JSONFailure) -> UInt8 {
        let start = i
        var negative = false
        if p[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard i < n else { throw endOfInput("inside a number") }
        var intDigits = 0
        if p[i] == UInt8(ascii: "0") {
            i += 1
            intDigits = 1
            if i < n && p[i] &- 0x30 < 10 { throw fail("a number may not have a leading zero") }
        } else if p[i] &- 0x31 < 9 {
            while i < n && p[i] &- 0x30 < 10 { i += 1; intDigits += 1 }
        } else {
            throw fail("expected a digit in a number, found \(Self.describe(p[i]))")
        }
        var fraction = false
        var exponent = 0
        if i < n && p[i] == UInt8(ascii: ".") {
            fraction = true
            i += 1
            guard i < n else { throw endOfInput("inside a number") }
            guard p[i] &- 0x30 < 10 else { throw fail("expected a digit after '.', found \(Self.describe(p[i]))") }
            while i < n && p[i] &- 0x30 < 10 { i += 1 }
        }
        var hasExponent = false
        if i < n && p[i] | 0x20 == UInt8(ascii: "e") {
            hasExponent = true
            i += 1
            guard i < n else { throw endOfInput("inside a number") }
            var expNegative = false
            if p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") {
                expNegative = p[i] == UInt8(ascii: "-")
                i += 1
                guard i < n else { throw endOfInput("inside a number") }
            }
            guard p[i] &- 0x30 < 10 else { throw fail("expected a digit in an exponent, found \(Self.describe(p[i]))") }
            while i < n && p[i] &- 0x30 < 10 {
                if exponent < 100_000 { exponent = exponent * 10 + Int(p[i] &- 0x30) }
                i += 1
            }
            if expNegative { exponent = -exponent }
        }
        // The number may continue in the next block.
        if i >= n && !final { throw .needMore }
        let text = UnsafeRawBufferPointer(start: p + start, count: i - start)
        if !fraction && !hasExponent {
            if intDigits <= 18 { return negative && intDigits == 1 && p[start + 1] == UInt8(ascii: "0") ? JSONKind.float : JSONKind.int }
            return ValueParser.parseInt(text) != nil ? JSONKind.int : JSONKind.bigNumber
        }
        // Well inside the double range: finite without asking strtod.
        if abs(exponent) < 250 && i - start < 60 { return JSONKind.float }
        guard let d = ValueParser.parseDouble(text), d.isFinite else { return JSONKind.bigNumber }
        return JSONKind.float
    }

    /// A mask with the high bit set in each byte of `w` that is '"', '\\', a control byte or non-ASCII.
    @inline(__always) static func specialBytes(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let q = w ^ (ones &* 0x22)
        let bs = w ^ (ones &* 0x5C)
        let quote = (q &- ones) & ~q
        let backslash = (bs &- ones) & ~bs
        let control = (w &- ones &* 0x20) & ~w
        return (quote | backslash | control | w) & high
    }

    /// Scans the string at `i` (at its opening quote). Returns the range of
    /// its content: in the buffer when it has no escapes, else in `scratch`.
    mutating func scanString() throws(JSONFailure) -> (Int, Int, Bool) {
        i += 1
        let start = i
        while true {
            while i + 8 <= n {
                let m = Self.specialBytes(UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
                if m != 0 {
                    i += m.trailingZeroBitCount >> 3
                    break
                }
                i += 8
            }
            guard i < n else { throw endOfInput("inside a string") }
            let b = p[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                return (start, i - 1, false)
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw fail("control character U+\(hex4(UInt32(b))) in a string must be escaped") }
            if b < 0x80 {
                i += 1
                continue
            }
            let len = try utf8Sequence()
            if len == 0 {
                if replaceInvalidUTF8 { break }
                noteSoft("invalid UTF-8 in a string; use \(setting: .invalidUTF8Replace) to substitute U+FFFD")
                i += 1
            } else {
                i += len
            }
        }
        // The slow path: unescape into scratch.
        let out = scratch.count
        scratch.append(contentsOf: UnsafeBufferPointer(start: p + start, count: i - start))
        while true {
            guard i < n else { throw endOfInput("inside a string") }
            let b = p[i]
            switch b {
            case UInt8(ascii: "\""):
                i += 1
                return (out, scratch.count, true)
            case UInt8(ascii: "\\"):
                try unescape()
            case 0..<0x20:
                throw fail("control character U+\(hex4(UInt32(b))) in a string must be escaped")
            case 0..<0x80:
                scratch.append(b)
                i += 1
            default:
                let len = try utf8Sequence()
                if len == 0 {
                    if replaceInvalidUTF8 {
                        appendScalar(0xFFFD)
                    } else {
                        noteSoft("invalid UTF-8 in a string; use \(setting: .invalidUTF8Replace) to substitute U+FFFD")
                    }
                    i += 1
                } else {
                    scratch.append(contentsOf: UnsafeBufferPointer(start: p + i, count: len))
                    i += len
                }
            }
        }
    }

    mutating func noteSoft(_ message: IngestMessage, at: Int? = nil) {
        let at = at ?? i
        if softError == nil { softError = (at, line, at - lineStart + 1, message) }
    }

    /// The length of the valid UTF-8 sequence at `i` (2–4), or 0 when it is invalid.
    func utf8Sequence() throws(JSONFailure) -> Int {
        let b0 = p[i]
        let len: Int
        var lo: UInt8 = 0x80
        var hi: UInt8 = 0xBF
        switch b0 {
        case 0xC2...0xDF: len = 2
        case 0xE0: len = 3; lo = 0xA0
        case 0xE1...0xEC, 0xEE, 0xEF: len = 3
        case 0xED: len = 3; hi = 0x9F
        case 0xF0: len = 4; lo = 0x90
        case 0xF1...0xF3: len = 4
        case 0xF4: len = 4; hi = 0x8F
        default: return 0
        }
        for k in 1..<len {
            guard i + k < n else {
                if final { return 0 }
                throw JSONFailure.needMore
            }
            let c = p[i + k]
            if k == 1 {
                guard c >= lo && c <= hi else { return 0 }
            } else {
                guard c & 0xC0 == 0x80 else { return 0 }
            }
        }
        return len
    }

    /// Decodes the escape at `i` into `scratch`.
    mutating func unescape() throws(JSONFailure) {
        guard i + 1 < n else { throw endOfInput("inside an escape") }
        let e = p[i + 1]
        let simple: UInt8
        switch e {
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "/"): simple = 0x2F
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            let at = i
            let unit = try hexUnit(at: i + 2)
            i += 6
            if unit >= 0xD800 && unit <= 0xDBFF {
                // A high surrogate needs a low one next.
                if i + 1 < n && p[i] == UInt8(ascii: "\\") && p[i + 1] == UInt8(ascii: "u") {
                    let low = try hexUnit(at: i + 2)
                    if low >= 0xDC00 && low <= 0xDFFF {
                        i += 6
                        appendScalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                        return
                    }
                } else if i + 1 >= n && !final {
                    throw .needMore
                }
                loneSurrogate(unit, at: at)
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                loneSurrogate(unit, at: at)
            } else {
                appendScalar(unit)
            }
            return
        default:
            i += 1
            throw fail("invalid escape in a string: '\\' followed by \(Self.describe(e))")
        }
        scratch.append(simple)
        i += 2
    }

    mutating func loneSurrogate(_ unit: UInt32, at: Int) {
        if replaceInvalidUTF8 {
            appendScalar(0xFFFD)
        } else {
            noteSoft("lone surrogate \\u\(hex4(unit)) in a string has no UTF-8 form; use \(setting: .invalidUTF8Replace) to substitute U+FFFD", at: at)
        }
    }

    func hexUnit(at: Int) throws(JSONFailure) -> UInt32 {
        var v: UInt32 = 0
        for k in 0..<4 {
            guard at + k < n else { throw endOfInput("inside a \\u escape") }
            let c = p[at + k]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - 0x30
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - 0x57
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - 0x37
            default: throw JSONFailure.syntax(at: at + k, "expected 4 hex digits after \\u, found \(Self.describe(c))")
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    mutating func appendScalar(_ v: UInt32) {
        switch v {
        case 0..<0x80:
            scratch.append(UInt8(v))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | v >> 6))
            scratch.append(UInt8(0x80 | v & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | v >> 12))
            scratch.append(UInt8(0x80 | (v >> 6) & 0x3F))
            scratch.append(UInt8(0x80 | v & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | v >> 18))
            scratch.append(UInt8(0x80 | (v >> 12) & 0x3F))
            scratch.append(UInt8(0x80 | (v >> 6) & 0x3F))
            scratch.append(UInt8(0x80 | v & 0x3F))
        }
    }

    /// Copies the array or object at `i` into `scratch` as canonical JSON text.
    /// `depth` is the nesting depth of the enclosing object.
}
