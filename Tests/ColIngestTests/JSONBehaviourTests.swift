import ColFormat
@testable import ColIngest
import Foundation
import TestSupport
import Testing

@Suite("JSON behaviour")
struct JSONBehaviourTests {
    func columns(_ path: String) throws -> [String] {
        try ColFileReader(path: path).schema.columns.map { "\($0.name):\($0.type.name)" }
    }

    @Test("nested objects flatten to dotted paths; late keys, scalar-or-object fields and any key order")
    func flattening() throws {
        let s = Scratch()
        let input = s.write("in.ndjson", """
        {"id":1,"name":"Ann","geo":{"lat":1.5,"lon":2}}
        {"geo":{"lon":4,"lat":3},"id":2,"name":{"first":"Bob","last":"Z"}}
        {"id":3,"late":true}

        """)
        let out = s.file("out.col")
        _ = try convertJSON(input, out)
        #expect(try columns(out) == ["id:int64", "name:string", "geo.lat:float64", "geo.lon:int64", "name.first:string",
                                     "name.last:string", "late:bool"])
        #expect(try rows(of: out) == [
            ["1", "Ann", "1.5", "2", nil, nil, nil],
            ["2", nil, "3.0", "4", "Bob", "Z", nil],
            ["3", nil, nil, nil, nil, nil, "true"],
        ])
        let r = try ColFileReader(path: out)
        #expect(r.schema.columns.map(\.sourcePath) == ["/id", "/name", "/geo/lat", "/geo/lon", "/name/first", "/name/last", "/late"])
    }

    @Test("--max-depth keeps deeper objects whole; --flatten-separator joins keys; a literal separator in a key gets a unique name")
    func depthAndSeparator() throws {
        let s = Scratch()
        let input = s.write("in.json", #"[{"a":{"b":{"c":1}},"a_b":"x"}]"#)
        var json = JSONOptions()
        json.maxDepth = 2
        json.flattenSeparator = "_"
        let out = s.file("out.col")
        _ = try convertJSON(input, out, json: json)
        #expect(try columns(out) == ["a_b:json", "a_b_2:string"])
        #expect(try rows(of: out) == [[#"{"c":1}"#, "x"]])
        let r = try ColFileReader(path: out)
        #expect(r.schema.columns.map(\.sourcePath) == ["/a/b", "/a_b"])
    }

    @Test("arrays are canonical JSON text: no insignificant whitespace, strings re-escaped, numbers as written")
    func arrays() throws {
        let s = Scratch()
        let input = s.write("in.json", "[{\"t\": [ 1 , 2.50, \"a\\u0062\\/\" , {\"k\" : [ ]}, null, true ]}]")
        let out = s.file("out.col")
        _ = try convertJSON(input, out)
        #expect(try rows(of: out) == [[#"[1,2.50,"ab/",{"k":[]},null,true]"#]])
    }

    @Test("a repeated key: the last value wins, even over an object, and each replaced value is counted")
    func duplicateKeys() throws {
        let s = Scratch()
        let input = s.write("in.ndjson", """
        {"a":{"b":1,"c":2},"x":1,"a":5}
        {"a":{"b":3},"a":{"b":4}}

        """)
        let out = s.file("out.col")
        _ = try convertJSON(input, out)
        #expect(try columns(out) == ["x:int64", "a:int64", "a.b:int64"])
        #expect(try rows(of: out) == [[ "1", "5", nil], [nil, nil, "4"]])
        let r = try ColFileReader(path: out)
        // Row 1 replaced a.b and a.c before either had a column (they count in the file's total only); row 2 replaced a.b.
        #expect(r.statistics[2].ingestion?.duplicateKeys == 1)
        let decisions = r.provenance.decisions.first { $0.subject == "duplicate keys" }
        #expect(decisions?.decision.hasPrefix("3 value(s)") == true)
    }

    @Test("repeats far apart and deep: only the repeated key's own values are replaced (200,000 repeats of one key)")
    func manyDuplicateKeys() throws {
        let s = Scratch()
        var line = #"{"a":{"x":1,"y":{"z":2}},"b":3,"a":{"x":4},"a":5,"b":{"q":6},"c":{"d":{"e":7}},"c":{"d":{"f":8}}"#
        line += "}\n{"
        for i in 0..<200_000 { line += #""k":\#(i),"# }
        line += #""k":"last"}"# + "\n"
        let input = s.write("in.ndjson", line)
        let out = s.file("out.col")
        _ = try convertJSON(input, out)
        #expect(try columns(out) == ["a:int64", "b.q:int64", "c.d.f:int64", "k:string"])
        #expect(try rows(of: out) == [["5", "6", "8", nil], [nil, nil, nil, "last"]])
        let decisions = try ColFileReader(path: out).provenance.decisions.first { $0.subject == "duplicate keys" }
        // Row 1: a.x, a.y.z, then a.x again, b, c.d.e; row 2: 200,000 values of k.
        #expect(decisions?.decision.hasPrefix("200005 value(s)") == true, "\(String(describing: decisions))")
    }

    @Test("types per chunk: int then float widens to float64, numbers then strings widen to string with the row recorded")
    func widening() throws {
        let s = Scratch()
        let input = s.write("in.ndjson", """
        {"n":1,"m":1}
        {"n":2,"m":2.5}
        {"n":"three","m":3}
        {"n":4,"m":null}

        """)
        let out = s.file("out.col")
        _ = try convertJSON(input, out, chunkRows: 2)
        #expect(try columns(out) == ["n:string", "m:float64"])
        #expect(try rows(of: out).map { $0[0] } == ["1", "2", "three", "4"])
        #expect(try rows(of: out).map { $0[1] } == ["1.0", "2.5", "3.0", nil])
        let r = try ColFileReader(path: out)
        #expect(r.schema.widenings.contains(WideningEvent(column: 0, chunk: 1, row: 2, from: .int64, to: .string)))
    }

    @Test("bools, dates and timestamps from strings, json for arrays, numbers beyond int64 and double kept exactly")
    func types() throws {
        let s = Scratch()
        let input = s.write("in.json", """
        [
          {"b":true,"d":"2024-02-29","t":"2024-02-29T10:00:00Z","s":"2024-02-29","big":18446744073709551616,"inf":1e400,"z":-0},
          {"b":false,"d":"2024-03-01","t":"2024-03-01 11:30:00","s":"soon","big":1,"inf":2.5,"z":0}
        ]
        """)
        let out = s.file("out.col")
        _ = try convertJSON(input, out)
        #expect(try columns(out) == ["b:bool", "d:date", "t:timestamp", "s:string", "big:json", "inf:json", "z:float64"])
        #expect(try rows(of: out)[0] == ["true", "2024-02-29", "2024-02-29T10:00:00Z", "2024-02-29", "18446744073709551616", "1e400", "-0.0"])
        #expect(try rows(of: out)[1] == ["false", "2024-03-01", "2024-03-01T11:30:00Z", "soon", "1", "2.5", "0.0"])
    }

    @Test("NDJSON → .col → NDJSON → .col keeps the fingerprints and every value")
    func roundTrip() throws {
        let s = Scratch()
        var text = ""
        for i in 0..<500 {
            var record = #"{"id":\#(i),"price":\#(Double(i) * 1.25),"ok":\#(i % 3 == 0),"name":"n\#(i % 7) \"q\" é","#
            record += #""when":"2024-01-\#(String(format: "%02d", i % 28 + 1))","geo":{"lat":\#(Double(i) / 8),"tags":[\#(i),"x"]}"#
            if i % 5 == 0 { record += #","rare":null"# }
            if i > 300 { record += #","late":\#(i)"# }
            text += record + "}\n"
        }
        let input = s.write("in.ndjson", text)
        let first = s.file("first.col"), back = s.file("back.ndjson"), second = s.file("second.col")
        _ = try convertJSON(input, first, chunkRows: 128)
        try ColExporter.export(input: first, output: back, format: .ndjson)
        _ = try convertJSON(back, second, chunkRows: 128)
        let a = try ColFileReader(path: first), b = try ColFileReader(path: second)
        #expect(a.schema.fingerprint == b.schema.fingerprint)
        #expect(a.schema.columns.map(\.type) == [.int64, .float64, .bool, .string, .date, .float64, .json, .null, .int64])
        #expect(try rows(of: first) == rows(of: second))
    }

    @Test("records that straddle the 1 MiB read blocks, and a string longer than a block, are read whole")
    func blockBoundaries() throws {
        let s = Scratch()
        var text = ""
        var expected: [[String?]] = []
        for i in 0..<20_000 {
            let pad = String(repeating: "x", count: i % 97)
            text += #"{"i":\#(i),"pad":"\#(pad)","v":[\#(i)]}"# + "\n"
            expected.append([String(i), pad, "[\(i)]"])
        }
        let long = String(repeating: "ab\\n", count: 600_000)
        text += #"{"i":-1,"pad":"\#(long)"}"# + "\n"
        expected.append(["-1", String(repeating: "ab\n", count: 600_000), nil])
        let input = s.write("in.ndjson", text)
        let out = s.file("out.col")
        let summary = try convertJSON(input, out, chunkRows: 4096)
        #expect(summary.rows == 20_001)
        #expect(try rows(of: out) == expected)
    }

    @Test("--on-error skip: bad NDJSON lines and bad strings in an array are skipped with their lines; a broken array stops")
    func errorPolicy() throws {
        let s = Scratch()
        let ndjson = s.write("in.ndjson", "{\"a\":1}\n{\"a\":2,}\n{\"a\":3}\n\"x\"\n{\"a\":4} {\"a\":5}\n{\"a\":6}\n")
        let rejects = s.file("rejects.csv")
        let out = s.file("out.col")
        let summary = try convertJSON(ndjson, out, onError: .skip, rejects: rejects)
        #expect(summary.rows == 3)
        #expect(summary.rejectedRecords == 3)
        #expect(try rows(of: out) == [["1"], ["3"], ["6"]])
        let lines = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n").map { $0.prefix(2) }
        #expect(lines == ["li", "2,", "4,", "5,"])

        let array = s.write("in.json", bytes: Array("[{\"a\":1},\n{\"a\":\"\u{FF}\"},\n{\"a\":3}]".utf8).map { $0 == 0xC3 ? 0xFF : $0 }.filter { $0 != 0xBF })
        _ = try convertJSON(array, s.file("array.col"), onError: .skip)
        #expect(try rows(of: s.file("array.col")) == [["1"], ["3"]])

        let broken = s.write("broken.json", "[{\"a\":1},\n{\"a\" 2},\n{\"a\":3}]")
        #expect(throws: IngestError.malformed(SourceLocation(file: broken, line: 2, column: 6, offset: 15), "expected ':' after a key, found '2'")) {
            _ = try convertJSON(broken, s.file("never.col"), onError: .skip)
        }
        #expect(!FileManager.default.fileExists(atPath: s.file("never.col")))
    }

    @Test("shapes: an array of scalars is a value column; a top-level scalar is not a table; empty JSON is an error, empty NDJSON no rows")
    func shapes() throws {
        let s = Scratch()
        let scalars = s.write("a.json", #"[1, "two", [3], {"k": 4}]"#)
        _ = try convertJSON(scalars, s.file("a.col"))
        #expect(try columns(s.file("a.col")) == ["value:json", "k:int64"])
        #expect(try rows(of: s.file("a.col")) == [["1", nil], [#""two""#, nil], ["[3]", nil], [nil, "4"]])

        let scalar = s.write("b.json", "\n  42\n")
        #expect(throws: IngestError.malformed(SourceLocation(file: scalar, line: 2, column: 3, offset: 3),
                                              "not a table: the top-level value is a number, not an array of records, an object or NDJSON")) {
            _ = try convertJSON(scalar, s.file("b.col"))
        }
        let empty = s.write("c.json", " \n")
        #expect(throws: IngestError.self) { _ = try convertJSON(empty, s.file("c.col")) }
        var json = JSONOptions()
        json.emptyIsTable = true
        #expect(try convertJSON(empty, s.file("c.col"), json: json).rows == 0)
    }

    @Test("the nesting limit is a located error, not a stack overflow, and can be raised")
    func nesting() throws {
        let s = Scratch()
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        let input = s.write("deep.json", #"{"a":"# + deep + "}")
        #expect {
            _ = try convertJSON(input, s.file("out.col"))
        } throws: { e in
            guard case let .malformed(loc, message) = e as? IngestError else { return false }
            return loc.column == 517 && message.text.contains("--max-nesting")
        }
        var json = JSONOptions()
        json.maxNesting = 1000
        _ = try convertJSON(input, s.file("out.col"), json: json)
        #expect(try rows(of: s.file("out.col")) == [[deep]])
    }

    @Test("a conversion that would create more columns than --max-columns stops with advice")
    func columnLimit() throws {
        let s = Scratch()
        let input = s.write("wide.ndjson", (0..<50).map { #"{"k\#($0)":1}"# }.joined(separator: "\n"))
        var json = JSONOptions()
        json.maxColumns = 10
        #expect {
            _ = try convertJSON(input, s.file("out.col"), json: json)
        } throws: { e in
            guard case let .malformed(loc, message) = e as? IngestError else { return false }
            return loc.line == 11 && message.text.contains("--max-depth")
        }
    }
}
