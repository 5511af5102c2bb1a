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
