@testable import ColFormat
import TestSupport
import Testing

/// The canonical text of a float64 (FORMAT.md §7) is the text Swift's `description` gives,
/// byte for byte: the shortest round-trip digits, closest to the value, in its layout.
@Suite("Shortest double text")
struct ShortestDoubleTests {
    static func ours(_ v: Double) -> String {
        var out: [UInt8] = []
        ShortestDouble.append(v, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func check(_ v: Double, _ failures: inout [String]) {
        guard v.isFinite else { return }
        let expected = v.description, actual = ours(v)
        if expected != actual && failures.count < 20 {
            failures.append("\(v.bitPattern): expected \(expected), got \(actual)")
        }
    }

    @Test("random bit patterns, both signs and every exponent", arguments: 0..<8)
    func randomBitPatterns(seed: UInt64) {
        var g = SeededRandom(seed: 0xD0B1E + seed)
        var failures: [String] = []
        for _ in 0..<250_000 { Self.check(Double(bitPattern: g.next()), &failures) }
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test("short decimals, integers and halves: where ties and trailing zeros are decided")
    func shortDecimals() {
        var g = SeededRandom(seed: 17)
        var failures: [String] = []
        for _ in 0..<300_000 {
            let digits = Double(g.next() % 100_000_000)
            let scale = Int(g.next() % 40) - 20
            var v = digits
            if scale > 0 { for _ in 0..<scale { v *= 10 } } else { for _ in 0..<(-scale) { v /= 10 } }
            Self.check(v, &failures)
            Self.check(Double(g.next() % (1 << 54)), &failures)
            Self.check(Double(g.next() % 1_000_000) + 0.5, &failures)
            Self.check(Double(g.next() % 100_000) / 100, &failures)  // prices
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test("every power of two, its neighbours, the subnormals and the extremes")
    func boundaries() {
        var failures: [String] = []
        for e in -1074...1023 {
            let p = e < -1022 ? Double(sign: .plus, exponent: -1074, significand: 1) * Double(sign: .plus, exponent: e + 1074, significand: 1)
                              : Double(sign: .plus, exponent: e, significand: 1)
            for v in [p, p.nextUp, p.nextDown, -p, p * 3, p * 5, p * 10] { Self.check(v, &failures) }
        }
        for bits: UInt64 in [1, 2, 3, 0xF_FFFF_FFFF_FFFF, 0x10_0000_0000_0000, 0x7FEF_FFFF_FFFF_FFFF] {
            Self.check(Double(bitPattern: bits), &failures)
        }
        for v in [0.0, -0.0, 1e-4, 1e-4.nextDown, 1e-4.nextUp, 9.999e-5, 9_007_199_254_740_992.0, 9_007_199_254_740_994.0,
                  9_007_199_254_740_992.0.nextDown, 1e15, 1e16, 1e22, 1e23, 5e-324, 1.7976931348623157e308, 0.1, 0.2, 0.3,
                  0.30000000000000004, 2.5, 100, 123.456, 1 / 3.0, 2 / 3.0] {
            Self.check(v, &failures)
        }
        #expect(failures.isEmpty, "\(failures)")
        #expect(Self.ours(1e-5) == "1e-05" && Self.ours(1e16) == "1e+16" && Self.ours(100) == "100.0" && Self.ours(-0.0) == "-0.0")
    }

    @Test("the digits read back to the double, and no shorter digits would")
    func digitsRoundTrip() {
        var g = SeededRandom(seed: 99)
        for _ in 0..<20_000 {
            let v = Double(bitPattern: g.next() & 0x7FFF_FFFF_FFFF_FFFF)
            guard v.isFinite, v > 0 else { continue }
            let (digits, exponent) = ShortestDouble.decimal(v)
            #expect(Double("\(digits)e\(exponent)") == v)
            if digits >= 10 {
                // One digit fewer, rounded either way, reads back as another double.
                let shorter = digits / 10
                #expect((Double("\(shorter)e\(exponent + 1)") != v && Double("\(shorter + 1)e\(exponent + 1)") != v) || digits % 10 == 0)
            }
        }
    }
}
