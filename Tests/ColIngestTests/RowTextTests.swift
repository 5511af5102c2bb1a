import ColFormat
import ColText
import TestSupport
import Testing

/// `RowWriter.appendRows`, which renders a column at a time (ColumnFields.swift), against the
/// row-at-a-time rule written out here: each value's canonical text, delimited fields quoted by
/// `DelimitedText` (a null empty, an empty string `""`), NDJSON values by `CanonicalText.appendJSON`.
@Suite("Rows as text")
struct RowTextTests {
    static func reference(_ range: Range<Int>, of columns: [ColumnVector], names: [String], delimiter: UInt8?) -> [UInt8] {
        var out: [UInt8] = []
        for i in range {
            if let d = delimiter {
                for (j, v) in columns.enumerated() {
                    if j > 0 { out.append(d) }
                    guard v.type != .null, v.isValid(i) else { continue }
                    var text: [UInt8] = []
                    v.appendCanonicalText(row: i, to: &text)
                    DelimitedText.appendField(text, delimiter: d, quoteEmpty: true, to: &out)
                }
            } else {
                out.append(UInt8(ascii: "{"))
                for (j, v) in columns.enumerated() {
                    if j > 0 { out.append(UInt8(ascii: ",")) }
                    CanonicalText.appendJSONString(Array(names[j].utf8), to: &out)
                    out.append(UInt8(ascii: ":"))
                    if let s = v.scalar(at: i) { CanonicalText.appendJSON(s, to: &out) } else { out += Array("null".utf8) }
                }
                out.append(UInt8(ascii: "}"))
            }
            out.append(0x0A)
        }
        return out
    }

    static func randomColumn(_ type: LogicalType, rows: Int, _ g: inout SeededRandom) -> ColumnVector {
        let texts = ["", "plain", "a,b", "say \"hi\"", "line\nbreak", "cr\rhere", "tab\there", "\u{1}ctl\u{1f}", "back\\slash", "é€😀",
                     "1.5", "-", "e", ":", "t"]
        let doubles: [Double] = [0, -0.0, 1, 0.1, 1e-5, 1e16, 123.45, -2.5e-300, .nan, .infinity, -.infinity, 5e-324]
        var v = ColumnVector(type: type)
        for _ in 0..<rows {
            if g.chance(0.2) { v.appendNull(); continue }
            switch type {
            case .bool: v.append(g.chance(0.5))
            case .int64: v.append(Int64(bitPattern: g.next()) >> Int64(g.int(64)))
            case .float64: v.append(g.chance(0.5) ? doubles[g.int(doubles.count)] : Double(Int64(g.int(2_000_000)) - 1_000_000) / 1000)
            case .date: v.append(date: Int32(g.int(800_000)) - 400_000)
            case .timestamp: v.append(Int64(bitPattern: g.next()) >> 12)
            case .string: v.append(string: texts[g.int(texts.count)])
            case .json: v.append(string: ["[1,2]", "{\"a\":null}", "\"s\"", "3"][g.int(4)])
            case .null: v.appendNull()
            }
        }
        return v
    }

    @Test("column at a time gives the row-at-a-time text: every type, nulls, quoting, escapes, odd delimiters, any row range")
    func sameText() {
        var g = SeededRandom(seed: 2026)
        let types: [LogicalType] = [.null, .bool, .int64, .float64, .date, .timestamp, .string, .json]
        for round in 0..<200 {
            let rows = g.int(60)
            let width = g.int(6)
            let columns = (0..<width).map { _ in Self.randomColumn(types[g.int(types.count)], rows: rows, &g) }
            let names = (0..<width).map { ["a", "b c", "q\"uote", "é", ""][($0 + round) % 5] + "\($0)" }
            let from = rows == 0 ? 0 : g.int(rows)
            let range = from..<(from + g.int(rows - from + 1))
            // CSV, TSV, a delimiter numbers use (so they must be quoted), and NDJSON.
            for delimiter in [UInt8(ascii: ","), 0x09, UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "e"), nil] as [UInt8?] {
                let writer = RowWriter(format: delimiter.map { .delimited(delimiter: $0) } ?? .ndjson, columnNames: names)
                var text: [UInt8] = [7]
                writer.appendRows(range, of: columns, to: &text)
                let expected = [7] + Self.reference(range, of: columns, names: names, delimiter: delimiter)
                #expect(text == expected, "round \(round), delimiter \(delimiter.map(String.init) ?? "ndjson"): \(String(decoding: text, as: UTF8.self).debugDescription)")
            }
        }
    }
}
