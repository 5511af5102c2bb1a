@testable import ColIngest
import Foundation
import Testing

/// The number parser's fast path must give exactly what strtod gives.
@Suite("Value parsing")
struct ValueParserTests {
    func parse(_ s: String) -> Double? {
        Array(s.utf8).withUnsafeBytes { ValueParser.parseDouble($0) }
    }

    @Test("decimal text parses to strtod's double, bit for bit", arguments: [
        "0", "-0", "-0.0", "+1.5", "972.96", "0.01", "0.0012", "40.445", "1e22", "1e23", "9007199254740993",
        "9007199254740992", "123456789012345678", "1234567890123456789012", "0.1", "0.30000000000000004",
        "2.2250738585072014e-308", "4.9e-324", "1.7976931348623157e308", "1e309", "1e-400", "0e999999999",
        "000123.4500", "1.000000000000000000000001", "-12345.678e-3", "5E+2", "3.", ".5",
        "0.000000000000000000000000000001", "123456789012345.6", "1234567890123456.7",
    ])
    func matchesStrtod(text: String) throws {
        let ours = try #require(parse(text))
        let theirs = strtod(text, nil)
        #expect(ours.bitPattern == theirs.bitPattern, "\(text): \(ours) vs \(theirs)")
    }

    @Test("random decimals of every length and exponent agree with strtod")
    func randomAgree() {
        var rng = SystemRandomNumberGenerator()
        var mismatches: [String] = []
        for _ in 0..<50_000 {
            let intDigits = Int.random(in: 0...20, using: &rng)
            let fracDigits = Int.random(in: 0...20, using: &rng)
            guard intDigits + fracDigits > 0 else { continue }
            var s = Bool.random(using: &rng) ? "-" : ""
            for _ in 0..<intDigits { s += String(Int.random(in: 0...9, using: &rng)) }
            if fracDigits > 0 { s += "." }
            for _ in 0..<fracDigits { s += String(Int.random(in: 0...9, using: &rng)) }
            if Int.random(in: 0..<4, using: &rng) == 0 { s += "e\(Int.random(in: -30...30, using: &rng))" }
            guard let ours = parse(s) else { mismatches.append(s + " (nil)"); continue }
            if ours.bitPattern != strtod(s, nil).bitPattern { mismatches.append(s) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test("Eisel–Lemire over the whole exponent range: random doubles' shortest and 17-digit texts, random 1–19 digit significands, halfway cases, all as strtod")
    func eiselLemireAgrees() {
        var rng = SystemRandomNumberGenerator()
        var mismatches: [String] = []
        var decided = 0
        func check(_ s: String) {
            guard let ours = parse(s) else { mismatches.append(s + " (nil)"); return }
            if ours.bitPattern != strtod(s, nil).bitPattern { mismatches.append(s) }
        }
        for _ in 0..<100_000 {
            // Any finite double, as Swift's shortest round-trip text and with 17 significant digits.
            var x: Double
            repeat { x = Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &rng)) } while !x.isFinite
            check("\(x)")
            check(String(format: "%.17g", x))
            // A significand of 1 to 19 digits times any power of ten the table covers, and past it.
            let digits = Int.random(in: 1...19, using: &rng)
            var w: UInt64 = 0
            for _ in 0..<digits { w = w &* 10 &+ UInt64.random(in: 0...9, using: &rng) }
            let q = Int.random(in: -360...320, using: &rng)
            check("\(w)e\(q)")
            if ValueParser.eiselLemire(w, q) != nil { decided += 1 }
        }
        // Exactly halfway between two doubles: 2^53 + 1, and such midpoints scaled by powers of ten.
        for k in 0..<2_000 {
            let m = (UInt64(1) << 53) + UInt64(2 * k + 1)  // odd: halfway between m - 1 and m + 1
            check("\(m)")
            check("\(m)e\(k % 23)")
            check("\(m * 5)e-1")
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches: \(mismatches.prefix(10))")
        // The fast algorithm decides nearly every in-range case (strtod does the rest).
        #expect(decided > 80_000, "decided \(decided) of 100,000")
    }

    @Test("text that is not a number is refused", arguments: ["", "-", ".", "e5", "1e", "1e+", "1.2.3", "12a", "--1", "1 "])
    func refused(text: String) {
        #expect(parse(text) == nil)
        #expect(!Array(text.utf8).withUnsafeBytes { ValueParser.isDouble($0) })
    }

    @Test("inference's syntax-only check accepts exactly what the parser accepts")
    func isDoubleAgrees() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789.eE+-nNaIifty x".utf8)
        for _ in 0..<50_000 {
            let text = (0..<Int.random(in: 0...9, using: &rng)).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }
            text.withUnsafeBytes { p in
                #expect(ValueParser.isDouble(p) == (ValueParser.parseDouble(p) != nil), "\(String(decoding: text, as: UTF8.self))")
            }
        }
        for text in ["NaN", "-inf", "Infinity", "1e999999", String(repeating: "1", count: 511), String(repeating: "1", count: 512)] {
            Array(text.utf8).withUnsafeBytes { p in #expect(ValueParser.isDouble(p) == (ValueParser.parseDouble(p) != nil), "\(text)") }
        }
    }
}
