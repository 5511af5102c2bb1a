import ColFormat
@testable import ColIngest
import Foundation
import TestSupport
import Testing

@Suite("CSV behaviour")
struct CSVBehaviourTests {
    @Test("fields and records that cross read-buffer boundaries")
    func bufferBoundaries() throws {
        let s = Scratch()
        // About 3 MiB, so records cross the 1 MiB blocks; quoted fields hold commas, quotes and newlines.
        var text = "id,body,n\n"
        var expected: [[String?]] = []
        for i in 0..<30_000 {
            let body = "line \(i), with \"quotes\"\nand a second line " + String(repeating: "x", count: i % 97)
            text += "\(i),\"\(body.replacingOccurrences(of: "\"", with: "\"\""))\",\(i * 3)\r\n"
            expected.append([String(i), body, String(i * 3)])
        }
        let input = s.write("big.csv", text)
        let out = s.file("big.col")
        let summary = try convert(input, out, chunkRows: 7_000)
        #expect(summary.rows == 30_000 && summary.chunks == 5)
        #expect(try rows(of: out) == expected)
    }

    @Test("line ends: LF, CRLF, bare CR, none at the end; BOM stripped; blank lines skipped")
    func lineEnds() throws {
        let s = Scratch()
        let input = s.write("e.csv", bytes: [0xEF, 0xBB, 0xBF] + Array("a,b\r1,x\r\n\n2,\"y\rz\"\n3,w".utf8))
        let out = s.file("e.col")
        _ = try convert(input, out)
        let r = try ColFileReader(path: out)
        #expect(r.schema.columns.map(\.name) == ["a", "b"])
        #expect(try rows(of: out) == [["1", "x"], ["2", "y\rz"], ["3", "w"]])
    }

    @Test("UTF-16 with a byte-order mark is transcoded; without one it is refused clearly")
    func utf16() throws {
        let s = Scratch()
        var le: [UInt8] = [0xFF, 0xFE]
        for u in "k,v\n1,ʤ😀\n".utf16 { le += [UInt8(u & 0xFF), UInt8(u >> 8)] }
        let out = s.file("u.col")
        _ = try convert(s.write("le.csv", bytes: le), out)
        #expect(try rows(of: out) == [["1", "ʤ😀"]])
        let noBOM = Array(le.dropFirst(2))
        #expect {
            _ = try convert(s.write("nobom.csv", bytes: noBOM), s.file("n.col"))
        } throws: { e in
            guard case let .malformed(_, m) = e as? IngestError else { return false }
            return m.text.contains("UTF-16")
        }
    }

    @Test("types: leading zeros stay text, Int64 overflow never wraps, NA stays text, empty is null, quoted empty is an empty string")
    func inference() throws {
        let s = Scratch()
        let input = s.write("t.csv", """
        zip,big,code,n,f,when,ok,q
        08123,9223372036854775807,NA,1,1.5,2024-02-29,true,""
        00501,9223372036854775808,US,,2,2024-03-01T10:00:00+02:00,FALSE,
        """)
        let out = s.file("t.col")
        _ = try convert(input, out)
        let r = try ColFileReader(path: out)
        #expect(r.schema.columns.map(\.type) == [.string, .string, .string, .int64, .float64, .timestamp, .bool, .string])
        let got = try rows(of: out)
        #expect(got[0] == ["08123", "9223372036854775807", "NA", "1", "1.5", "2024-02-29T00:00:00Z", "true", ""])
        #expect(got[1] == ["00501", "9223372036854775808", "US", nil, "2.0", "2024-03-01T08:00:00Z", "false", nil])
    }

    @Test("--null-values adds null tokens for unquoted fields only")
    func nullTokens() throws {
        let s = Scratch()
        let input = s.write("n.csv", "a,b\nNA,1\n\"NA\",n/a\n")
        let out = s.file("n.col")
        var o = CSVOptions()
        o.nullValues = ["NA", "n/a"]
        _ = try convert(input, out, csv: o)
        #expect(try rows(of: out) == [[nil, "1"], ["NA", nil]])
    }

    @Test("a type widens per chunk and the widening is recorded with its row")
    func wideningAcrossChunks() throws {
        let s = Scratch()
        var text = "v\n"
        for i in 0..<10 { text += "\(i)\n" }
        text += "2.5\n"
        for i in 0..<5 { text += "\(i)\n" }
        text += "n/a\n"
        let out = s.file("w.col")
        _ = try convert(s.write("w.csv", text), out, chunkRows: 4)
        let r = try ColFileReader(path: out)
        #expect(r.schema.columns[0].type == .string)
        #expect(r.schema.widenings.map { "\($0.chunk)@\($0.row):\($0.from)→\($0.to)" } == ["2@10:int64→float64", "4@16:float64→string"])
        // Chunks of 4 rows: 0-3 and 4-7 int64, 8-11 float64 (read as canonical float text), 12-15 int64, 16 string.
        var expected: [String] = (0..<8).map { String($0) }
        expected += ["8.0", "9.0", "2.5", "0.0", "1", "2", "3", "4", "n/a"]
        #expect(try rows(of: out).map { $0[0] ?? "" } == expected)
    }

    @Test("a field over the size limit is an error, not unbounded growth")
    func maxFieldSize() throws {
        let s = Scratch()
        let input = s.write("f.csv", "a\n" + String(repeating: "z", count: 5000) + "\n")
        var o = CSVOptions()
        o.maxFieldBytes = 1000
        #expect {
            _ = try convert(input, s.file("f.col"), csv: o)
        } throws: { e in
            guard case let .malformed(loc, m) = e as? IngestError else { return false }
            return loc.line == 2 && m.text.contains("longer than 1000 bytes")
        }
        #expect(!s.entries.contains("f.col"))
    }

    @Test("--on-error skip drops and counts bad records and writes them to the rejects file")
    func skipWithRejects() throws {
        let s = Scratch()
        let input = s.write("bad.csv", "a,b\n1,2\n3\n4,\"x\"y\n5,6\n7,8,9\n")
        let out = s.file("ok.col"), rejects = s.file("rejects.csv")
        let summary = try convert(input, out, onError: .skip, rejects: rejects)
        #expect(summary.rows == 2 && summary.rejectedRecords == 3)
        #expect(try rows(of: out) == [["1", "2"], ["5", "6"]])
        let text = try String(contentsOfFile: rejects, encoding: .utf8)
        #expect(text == #"""
        line,error,record
        3,"expected 2 fields, found 1","3"
        4,"unexpected character 'y' after closing quote; expected the delimiter ',' or a line end","4,""x""y"
        6,"expected 2 fields, found 3","7,8,9"

        """#)
    }

    @Test("--on-error fail leaves no output file and names the line and column")
    func failLeavesNothing() throws {
        let s = Scratch()
        let input = s.write("bad.csv", "a,b\n1,2\n3,4,5\n")
        #expect(throws: IngestError.malformed(SourceLocation(file: input, line: 3, column: 5, offset: nil), "expected 2 fields, found 3")) {
            _ = try convert(input, s.file("never.col"))
        }
        #expect(s.entries == ["bad.csv"])
    }

    @Test("undecodable UTF-16 fails the conversion even under --on-error skip, located by byte, with nothing left behind")
    func sourceErrorsAreNotSkipped() throws {
        let s = Scratch()
        // UTF-16LE: "a\n1\n2" and then half a code unit.
        let csv = s.write("half.csv", bytes: [0xFF, 0xFE, 0x61, 0, 0x0A, 0, 0x31, 0, 0x0A, 0, 0x32])
        #expect(throws: IngestError.malformed(SourceLocation(file: csv, line: 0, column: 0, offset: 10),
                                              "UTF-16 input ends with half a code unit")) {
            _ = try convert(csv, s.file("never.col"), onError: .skip)
        }
        let ndjson = s.write("half.ndjson", bytes: [0xFF, 0xFE] + Array(#"{"a":1}"#.utf8).flatMap { [$0, 0] } + [0x0A, 0, 0x7B])
        #expect(throws: IngestError.malformed(SourceLocation(file: ndjson, line: 0, column: 0, offset: 18),
                                              "UTF-16 input ends with half a code unit")) {
            _ = try convertJSON(ndjson, s.file("never2.col"), onError: .skip)
        }
        #expect(s.entries == ["half.csv", "half.ndjson"])
        #expect(SourceLocation(file: "f", line: 0, column: 0, offset: 10).description == "f (byte 10)")
    }

    @Test("--schema overrides inference; values that do not fit fail with their line")
    func schemaOverride() throws {
        let s = Scratch()
        let input = s.write("o.csv", "zip,amount\n12345,10\n02134,11\n")
        var o = CSVOptions()
        o.schemaOverrides = ["amount": .float64, "zip": .string]
        let out = s.file("o.col")
        _ = try convert(input, out, csv: o)
        #expect(try ColFileReader(path: out).schema.columns.map(\.type) == [.string, .float64])
        o.schemaOverrides = ["zip": .int64]
        #expect {
            _ = try convert(input, s.file("p.col"), csv: o)
        } throws: { e in
            guard case let .malformed(loc, m) = e as? IngestError else { return false }
            return loc.line == 3 && m.text.contains("zip")
        }
    }
}
