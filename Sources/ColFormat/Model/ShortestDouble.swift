// # Doubles as their shortest decimal text
//
// Design. Canonical text (FORMAT.md §7) writes a float64 as the shortest decimal
// that reads back to the same double, laid out as Swift's `description` lays it out
// (`1.0`, `0.1`, `1e-05`, `1e+16`). Export writes millions of them, and going
// through `description` cost a `String` per value and 8% of `colconv x.col
// out.csv`. This file computes the digits itself, straight into the output bytes.
//
// The digits come from Ryū (Ulf Adams, PLDI 2018). A double is m·2^e. Its rounding
// interval, the reals that read back to it, is (m − ½ulp, m + ½ulp), or a quarter ulp
// below at a power of two. Ryū scales the interval's two ends and its centre by
// 10^−q, for the q that leaves about 17 digits, with a 64×128-bit multiplication by a
// table entry (a power of five or its inverse with 125 significant bits, so the
// product's integer part is exact: ShortestDouble+Tables.swift, written by
// scripts/gen_double_tables.py). It then drops decimal digits while the two ends still
// differ above them: what is left is the shortest decimal inside the interval. The last
// digit is rounded to the nearest, halves to even. Whether each scaled value had
// trailing zeros below the scale is tracked exactly, so an end of the interval is
// included only when the double is even (round-half-even reading) and ties are decided
// on the exact value.
//
// Swift's `description` also prints the shortest digits closest to the value, so the two
// agree digit for digit. `ShortestDoubleTests` compares them on millions of bit patterns,
// every power of two, the subnormals and the layout thresholds.

/// Shortest round-trip decimal digits of doubles, and their canonical layout.
package enum ShortestDouble {
    /// The shortest decimal digits `digits × 10^exponent` that read back as `v`, the closest
    /// to it among the shortest; `v` must be finite and greater than zero.
    package static func decimal(_ v: Double) -> (digits: UInt64, exponent: Int) {
        let mantissa = v.bitPattern & ((1 << 52) - 1)
        let biased = Int((v.bitPattern >> 52) & 0x7FF)
        // m2 · 2^e2 is the double; the interval's ends are (4·m2 − 1 − shift) and (4·m2 + 2), over 4.
        let e2: Int, m2: UInt64
        if biased == 0 {
            e2 = 1 - 1023 - 52 - 2
            m2 = mantissa
        } else {
            e2 = biased - 1023 - 52 - 2
            m2 = (1 << 52) | mantissa
        }
        let acceptBounds = m2 & 1 == 0
        let mv = 4 * m2
        // At a power of two the interval below is half as wide.
        let mmShift: UInt64 = mantissa != 0 || biased <= 1 ? 1 : 0
        var vr: UInt64, vp: UInt64, vm: UInt64
        var e10: Int
        var vmIsTrailingZeros = false, vrIsTrailingZeros = false
        if e2 >= 0 {
            let q = log10Pow2(e2) - (e2 > 3 ? 1 : 0)
            e10 = q
            let k = bitCount + pow5Bits(q) - 1
            let i = -e2 + q + k
            let factor = inversePowersOfFive[q]
            vr = mulShift(4 * m2, factor, i)
            vp = mulShift(4 * m2 + 2, factor, i)
            vm = mulShift(4 * m2 - 1 - mmShift, factor, i)
            if q <= 21 {
                // Only one of mv − 1 − shift, mv and mv + 2 can be a multiple of 5, if any.
                if mv % 5 == 0 {
                    vrIsTrailingZeros = isMultiple(mv, ofPowerOfFive: q)
                } else if acceptBounds {
                    vmIsTrailingZeros = isMultiple(mv - 1 - mmShift, ofPowerOfFive: q)
                } else if isMultiple(mv + 2, ofPowerOfFive: q) {
                    vp -= 1
                }
            }
        } else {
            let q = log10Pow5(-e2) - (-e2 > 1 ? 1 : 0)
            e10 = q + e2
            let i = -e2 - q
            let k = pow5Bits(i) - bitCount
            let j = q - k
            let factor = powersOfFive[i]
            vr = mulShift(4 * m2, factor, j)
            vp = mulShift(4 * m2 + 2, factor, j)
            vm = mulShift(4 * m2 - 1 - mmShift, factor, j)
            if q <= 1 {
                // mv has at least two trailing zero bits, and so does the scaled centre.
                vrIsTrailingZeros = true
                if acceptBounds { vmIsTrailingZeros = mmShift == 1 } else { vp -= 1 }
            } else if q < 63 {
                // The product has at least q trailing zeros exactly when mv has q trailing zero bits.
                vrIsTrailingZeros = mv & ((1 << UInt64(q)) - 1) == 0
            }
        }
        // Drop digits while the interval's ends still differ above them.
        var removed = 0
        var lastRemoved: UInt64 = 0
        let output: UInt64
        if vmIsTrailingZeros || vrIsTrailingZeros {
            while vp / 10 > vm / 10 {
                vmIsTrailingZeros = vmIsTrailingZeros && vm % 10 == 0
                vrIsTrailingZeros = vrIsTrailingZeros && lastRemoved == 0
                lastRemoved = vr % 10
                vr /= 10; vp /= 10; vm /= 10
                removed += 1
            }
            if vmIsTrailingZeros {
                while vm % 10 == 0 {
                    vrIsTrailingZeros = vrIsTrailingZeros && lastRemoved == 0
                    lastRemoved = vr % 10
                    vr /= 10; vp /= 10; vm /= 10
                    removed += 1
                }
            }
            // Exactly half way: round to even.
            if vrIsTrailingZeros && lastRemoved == 5 && vr % 2 == 0 { lastRemoved = 4 }
            let up = (vr == vm && (!acceptBounds || !vmIsTrailingZeros)) || lastRemoved >= 5
            output = vr + (up ? 1 : 0)
        } else {
            // The common case (no exact tie to decide): two digits at a time while they can go.
            var roundUp = false
            while vp / 100 > vm / 100 {
                roundUp = vr % 100 >= 50
                vr /= 100; vp /= 100; vm /= 100
                removed += 2
            }
            while vp / 10 > vm / 10 {
                roundUp = vr % 10 >= 5
                vr /= 10; vp /= 10; vm /= 10
                removed += 1
            }
            output = vr + (vr == vm || roundUp ? 1 : 0)
        }
        return (output, e10 + removed)
    }

    /// Appends `v` as Swift's `description` writes it: plain decimal notation with at least
    /// one digit after the point (`100.0`, `0.0001`) while 10^−4 ≤ |v| ≤ 2^53, else
    /// `d.ddde±XX` with at least two exponent digits (`1e-05`, `1.5e+300`). `v` must be finite.
    package static func append(_ v: Double, to out: inout [UInt8]) {
        // At most 24 bytes ("-1.2345678901234567e-308", "-0.00012345678901234567"), laid out in a
        // buffer on the stack and appended at once.
        var text: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let count = withUnsafeMutableBytes(of: &text) { layout($0, v) }
        withUnsafeBytes(of: &text) { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }

    /// Writes `v`'s text into `b` (32 bytes) and returns its length.
    @inline(__always) static func layout(_ b: UnsafeMutableRawBufferPointer, _ v: Double) -> Int {
        var at = 0
        @inline(__always) func put(_ byte: UInt8) {
            b[at] = byte
            at += 1
        }
        if v.sign == .minus { put(0x2D) }
        if v == 0 {
            put(0x30); put(0x2E); put(0x30)  // "0.0"
            return at
        }
        let (digits, exponent) = decimal(v.magnitude)
        // The digits, most significant first, at the end of a 17-byte scratch area.
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &scratch) { d -> Int in
            var n = digits, i = 24
            repeat {
                i -= 1
                d[i] = UInt8(truncatingIfNeeded: n % 10) &+ 0x30
                n /= 10
            } while n > 0
            let first = i, count = 24 - i
            let scientific = count - 1 + exponent  // the power of ten of the first digit
            if scientific < -4 || v.magnitude > 9_007_199_254_740_992 {
                put(d[first])
                if count > 1 {
                    put(0x2E)
                    for k in (first + 1)..<24 { put(d[k]) }
                }
                put(0x65)  // "e"
                put(scientific < 0 ? 0x2D : 0x2B)
                let e = abs(scientific)
                if e >= 100 { put(UInt8(e / 100) + 0x30) }
                put(UInt8(e / 10 % 10) + 0x30)
                put(UInt8(e % 10) + 0x30)
            } else if scientific < 0 {
                put(0x30); put(0x2E)  // "0."
                for _ in 0..<(-scientific - 1) { put(0x30) }
                for k in first..<24 { put(d[k]) }
            } else if count <= scientific + 1 {
                for k in first..<24 { put(d[k]) }
                for _ in 0..<(scientific + 1 - count) { put(0x30) }
                put(0x2E); put(0x30)  // ".0"
            } else {
                for k in first...(first + scientific) { put(d[k]) }
                put(0x2E)
                for k in (first + scientific + 1)..<24 { put(d[k]) }
            }
            return at
        }
    }

    /// Significant bits of every table entry.
    static let bitCount = 125

    /// ⌈log2(5^e)⌉ for 1 ≤ e ≤ 3528 (1 for e = 0).
    @inline(__always) static func pow5Bits(_ e: Int) -> Int { Int((UInt32(e) &* 1_217_359) >> 19) + 1 }
    /// ⌊log10(2^e)⌋ for 0 ≤ e ≤ 1650.
    @inline(__always) static func log10Pow2(_ e: Int) -> Int { Int((UInt32(e) &* 78_913) >> 18) }
    /// ⌊log10(5^e)⌋ for 0 ≤ e ≤ 2620.
    @inline(__always) static func log10Pow5(_ e: Int) -> Int { Int((UInt32(e) &* 732_923) >> 20) }

    /// Whether 5^p divides `value` (value > 0).
    @inline(__always) static func isMultiple(_ value: UInt64, ofPowerOfFive p: Int) -> Bool {
        var v = value, count = 0
        while v % 5 == 0 {
            v /= 5
            count += 1
        }
        return count >= p
    }

    /// ⌊m · factor / 2^shift⌋, where factor is 128 bits and shift is at least 64: the top of
    /// the 192-bit product.
    @inline(__always) static func mulShift(_ m: UInt64, _ factor: (low: UInt64, high: UInt64), _ shift: Int) -> UInt64 {
        let low = m.multipliedFullWidth(by: factor.low)
        let high = m.multipliedFullWidth(by: factor.high)
        let (sum, carry) = high.low.addingReportingOverflow(low.high)
        let top = high.high &+ (carry ? 1 : 0)
        let s = UInt64(shift - 64)
        return s == 0 ? sum : (sum >> s) | (top << (64 - s))
    }
}
