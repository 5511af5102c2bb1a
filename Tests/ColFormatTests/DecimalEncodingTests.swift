import ColBytes

@testable import ColFormat
import ColSketches
import TestSupport
import Testing

/// The decimal encoding (FORMAT.md §3.3, code 5): analyze, encode, decode, and its corruption checks.
@Suite("Decimal encoding")
struct DecimalEncodingTests {
    static let decimalColumns: [(String, [Double])] = [
        ("prices, 2 places", (0..<5000).map { Double(($0 * 7919) % 100_000) / 100 }),
        ("negative scores, 3 places", (0..<5000).map { -50 + Double(($0 * 104_729) % 20_000) / 1000 }),
        ("whole numbers", (0..<5000).map { Double($0 * 3 - 7000) }),
        ("large with one place", (0..<5000).map { 1e14 + Double($0) / 10 }),
    ]

    @Test("exact decimals are chosen automatically and come back bit for bit", arguments: decimalColumns)
    func roundTrip(name: String, values: [Double]) throws {
        let dir = Scratch()
        let path = dir.file("d.col")
        var v = ColumnVector(type: .float64)
        for (i, x) in values.enumerated() { if i % 11 == 3 { v.appendNull() } else { v.append(x) } }
        let w = try ColFileWriter(path: path, columns: [ColumnDescriptor(name: "x")])
        try w.append([v])
        try w.finish()
        let r = try ColFileReader(path: path)
        #expect(r.directory.entry(chunk: 0, column: 0).encoding == .decimal, "\(name)")
        let back = try r.readColumn(chunk: 0, column: 0)
        #expect(sameValues(back, v), "\(name)")
        // Smaller than the 8 bytes a value takes plain, before compression.
        #expect(Int(r.directory.entry(chunk: 0, column: 0).rawLength) < v.count * 8)
    }

    @Test("the analysis finds the smallest exponent and refuses what is not an exact decimal")
    func analysis() {
        func analyze(_ xs: [Double]) -> (exponent: Int, min: Int64, width: Int)? {
            var scaled: [Int64] = []
            let result = DecimalScaling.analyze(count: xs.count, into: &scaled) { xs[$0] }
            if result != nil { #expect(scaled.count == xs.count) }
            return result
        }
        #expect(analyze([1.5, 2.25, 3])?.exponent == 2)
        #expect(analyze([972.96, 0.01])?.exponent == 2)
        #expect(analyze([972.96, 0.01])?.min == 1)
        #expect(analyze([10, 20, 30])?.exponent == 0)
        #expect(analyze([10, 20, 30])?.width == 5)   // 1000…3000 at e=0 is 10…30: offsets up to 20
        #expect(analyze([1, -0.0]) == nil)           // -0 would come back as +0
        #expect(analyze([1, .nan]) == nil)
        #expect(analyze([1, .infinity]) == nil)
        #expect(analyze([1e-300]) == nil)            // needs more than 18 places
        #expect(analyze([1e300]) == nil)             // beyond Int64 at any exponent
        #expect(analyze([]) == nil)
    }

    @Test("forced on values that are not exact decimals, the writer stores them plain")
    func forcedFallsBack() throws {
        let dir = Scratch()
        let path = dir.file("f.col")
        var v = ColumnVector(type: .float64)
        for x in [1.5, -0.0, 2.5] { v.append(x) }
        let w = try ColFileWriter(path: path, columns: [ColumnDescriptor(name: "x")], options: WriterOptions(forcedEncoding: .decimal))
        try w.append([v])
        try w.finish()
        let r = try ColFileReader(path: path)
        #expect(r.directory.entry(chunk: 0, column: 0).encoding == .plain)
        #expect(sameValues(try r.readColumn(chunk: 0, column: 0), v))
    }

    /// A page: all valid, then exponent, reference, width and packed offsets.
    func page(exponent: UInt8, reference: Int64, width: UInt8, packed: [UInt8]) -> [UInt8] {
        var p: [UInt8] = [0, exponent]
        for k in 0..<8 { p.append(UInt8(truncatingIfNeeded: UInt64(bitPattern: reference) >> UInt64(8 * k))) }
        return p + [width] + packed
    }

    @Test("a hand-made page decodes as FORMAT.md says")
    func byHand() throws {
        // Two values at exponent 2, reference 1250, width 8: offsets 0 and 7 → 12.50 and 12.57.
        let v = try PageDecoder.decode(page(exponent: 2, reference: 1250, width: 8, packed: [0, 7]), type: .float64, rows: 2,
                                       encoding: .decimal)
        #expect(v.float64s == [12.5, 12.57])
    }

    @Test("corrupt pages are typed errors, never a crash", arguments: [
        (UInt8(19), UInt8(8), [UInt8](repeating: 0, count: 2), "decimal exponent 19"),
        (UInt8(2), UInt8(65), [UInt8](repeating: 0, count: 2), "bit width 65"),
        (UInt8(2), UInt8(8), [UInt8](repeating: 0, count: 1), "truncated"),
        (UInt8(2), UInt8(8), [UInt8](repeating: 0, count: 3), "trailing"),
    ])
    func corrupt(exponent: UInt8, width: UInt8, packed: [UInt8], expected: String) {
        #expect {
            _ = try PageDecoder.decode(page(exponent: exponent, reference: 0, width: width, packed: packed), type: .float64,
                                       rows: 2, encoding: .decimal)
        } throws: { error in
            "\(error)".contains(expected)
        }
        // The decimal encoding is refused for every other type.
        #expect(throws: BinaryDecodingError.self) {
            _ = try PageDecoder.decode(page(exponent: 2, reference: 0, width: 8, packed: [0, 0]), type: .int64, rows: 2,
                                       encoding: .decimal)
        }
    }
}
