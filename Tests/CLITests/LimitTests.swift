import Foundation
import TestSupport
import Testing

/// One set of limits for the writer and the reader (docs/FORMAT.md §8): a
/// conversion at each limit exits 0 and every tool reads the file whole; one
/// past it is refused with a located error, exit 2, and no output.
@Suite("Limits: at the limit and one past it")
struct LimitTests {
    /// Converts `csv` (with `flags`); at the limit the file must profile and scan, past it nothing is written.
    func check(_ csv: [UInt8], flags: [String] = [], accepted: Bool, message: String = "", _ s: Scratch = Scratch()) throws {
        let source = s.write("in.csv", bytes: csv)
        let out = s.file("out.col")
        let r = try runChild(builtTool("colconv"), [source, out, "--quiet"] + flags, in: s.path)
        if accepted {
            #expect(r.status == 0, "\(r.stderr)")
            let profile = try runChild(builtTool("colprof"), [out, "--json"], in: s.path)
            #expect(profile.status == 0, "\(profile.stderr)")
            let scan = try runChild(builtTool("colprof"), ["scan", out, "--format", "csv"], in: s.path)
            #expect(scan.status == 0, "\(scan.stderr)")
            let back = try runChild(builtTool("colconv"), [out, s.file("back.csv"), "--quiet"], in: s.path)
            #expect(back.status == 0, "\(back.stderr)")
        } else {
            #expect(r.status == 2, "\(r.stderr)")
            #expect(r.stderr.contains(message), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }

    static func header(_ names: [String], row: String) -> [UInt8] {
        Array((names.joined(separator: ",") + "\n" + row + "\n").utf8)
    }

    @Test("a column name of 1 MiB, and of 1 MiB + 1 byte")
    func nameLength() throws {
        let limit = 1 << 20
        try check(Self.header([String(repeating: "n", count: limit), "b"], row: "1,2"), accepted: true)
        try check(Self.header([String(repeating: "n", count: limit + 1), "b"], row: "1,2"), accepted: false,
                  message: "in.csv:1:1: header field 1 is 1048577 bytes; column names are limited to 1048576 bytes")
    }

    @Test("100,000 columns, and 100,001")
    func columnCount() throws {
        let names = (0..<100_000).map { "c\($0)" }
        try check(Self.header(names, row: Array(repeating: "1", count: 100_000).joined(separator: ",")), accepted: true)
        try check(Self.header(names + ["one_more"], row: Array(repeating: "1", count: 100_001).joined(separator: ",")), accepted: false,
                  message: "in.csv:1:0: 100001 fields; a .col file holds at most 100000 columns")
    }

    @Test("a value of 20 MiB converts and reads back (statistics keep a prefix of long top values)")
    func longValue() throws {
        let s = Scratch()
        let value = String(repeating: "x", count: 20 << 20)
        try check(Array("a,b\n1,\(value)\n2,\(value)\n3,y\n".utf8), accepted: true, s)
        let back = try String(contentsOfFile: s.file("back.csv"), encoding: .utf8)
        #expect(back == "a,b\n1,\(value)\n2,\(value)\n3,y\n")
    }

    @Test("a field at --max-field-bytes, and one byte over")
    func fieldLength() throws {
        let limit = 4096
        try check(Array("a\n\(String(repeating: "v", count: limit))\n".utf8), flags: ["--max-field-bytes", "\(limit)"], accepted: true)
        try check(Array("a\n\(String(repeating: "v", count: limit + 1))\n".utf8), flags: ["--max-field-bytes", "\(limit)"],
                  accepted: false, message: "in.csv:2:")
    }

    @Test("--chunk-rows at 2^31 − 1, and 2^31; --max-columns at 100,000, and 100,001")
    func flagRanges() throws {
        try check(Array("a\n1\n2\n".utf8), flags: ["--chunk-rows", "2147483647"], accepted: true)
        try check(Array("a\n1\n2\n".utf8), flags: ["--chunk-rows", "2147483648"], accepted: false,
                  message: "--chunk-rows takes 1 to 2147483647")
        let s = Scratch()
        let json = s.write("in.ndjson", "{\"a\":1}\n")
        let ok = try runChild(builtTool("colconv"), [json, s.file("ok.col"), "--max-columns", "100000", "--quiet"], in: s.path)
        #expect(ok.status == 0, "\(ok.stderr)")
        let over = try runChild(builtTool("colconv"), [json, s.file("over.col"), "--max-columns", "100001"], in: s.path)
        #expect(over.status == 2)
        #expect(over.stderr.contains("--max-columns takes 1 to 100000"), "\(over.stderr)")
    }

    @Test("--chunk-bytes ends a wide chunk before --chunk-rows, for CSV and NDJSON, and is recorded in the provenance")
    func chunkBytes() throws {
        let s = Scratch()
        let width = 200, rows = 400
        let names = (0..<width).map { "c\($0)" }
        var csv = names.joined(separator: ",") + "\n"
        var ndjson = ""
        for i in 0..<rows {
            csv += (0..<width).map { "\(i * $0)" }.joined(separator: ",") + "\n"
            ndjson += "{" + (0..<width).map { "\"c\($0)\":\(i * $0)" }.joined(separator: ",") + "}\n"
        }
        for (name, text) in [("in.csv", csv), ("in.ndjson", ndjson)] {
            let source = s.write(name, text)
            let out = s.file(name + ".col")
            // About 200 × (4 + 4) = 1.6 KB a row: 64 KiB holds 40 or so rows, far fewer than 400.
            let r = try runChild(builtTool("colconv"), [source, out, "--quiet", "--chunk-bytes", "64KiB"], in: s.path)
            #expect(r.status == 0, "\(r.stderr)")
            let profile = try runChild(builtTool("colprof"), [out, "--json"], in: s.path)
            let json = try JSONSerialization.jsonObject(with: Data(profile.stdout.utf8)) as? [String: Any]
            let chunks = json?["chunk_count"] as? Int ?? 0
            #expect(chunks >= 5 && chunks <= 20, "\(name): \(chunks) chunks")
            #expect(profile.stdout.contains("\"chunk-bytes\": \"64KiB\""), "\(name)")
            let back = try runChild(builtTool("colconv"), [out, s.file("back-" + name), "--quiet"], in: s.path)
            #expect(back.status == 0, "\(back.stderr)")
        }
        // 1 GiB at most, like a field, so one column's bytes in a chunk stay under the 2 GiB block limit.
        for size in ["1KiB", "2GiB", "1TiB"] {
            let bad = try runChild(builtTool("colconv"), [s.file("in.csv"), s.file("bad.col"), "--chunk-bytes", size], in: s.path)
            #expect(bad.status == 2)
            #expect(bad.stderr.contains("--chunk-bytes takes a size from 64KiB to 1GiB"), "\(bad.stderr)")
            #expect(!FileManager.default.fileExists(atPath: s.file("bad.col")))
        }
        let field = try runChild(builtTool("colconv"), [s.file("in.csv"), s.file("bad.col"), "--max-field-bytes", "1073741825"], in: s.path)
        #expect(field.status == 2)
        #expect(field.stderr.contains("--max-field-bytes takes 1 to 1073741824"), "\(field.stderr)")
        let most = try runChild(builtTool("colconv"), [s.file("in.csv"), s.file("most.col"), "--quiet", "--chunk-bytes", "1GiB",
                                                      "--max-field-bytes", "1073741824"], in: s.path)
        #expect(most.status == 0, "\(most.stderr)")
    }
}
