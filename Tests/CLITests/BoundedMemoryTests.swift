import Foundation
import TestSupport
import Testing

/// Memory that must not grow with the input or the output (docs/RELIABILITY.md).
@Suite("Bounded memory")
struct BoundedMemoryTests {
    @Test("colprof scan prints a table of 400,000 rows in blocks, without holding them")
    func scanTable() throws {
        let s = Scratch()
        var csv = Array("id,label\n".utf8)
        for i in 0..<400_000 { csv += "\(i),row number \(i) of the table\n".utf8 }
        let source = s.write("rows.csv", bytes: csv)
        let col = s.file("rows.col")
        #expect(try runChild(builtTool("colconv"), [source, col, "--quiet"], in: s.path).status == 0)
        let r = try runChild(builtTool("colprof"), ["scan", col], in: s.path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasSuffix("(400000 rows)\n"))
        #expect(r.stdout.contains("row number 399999 of the table"))
        // The rows' text alone is over 14 MB, and held as Swift strings in a table it was several times that.
        #expect(r.peakRSS < 64 << 20, "peak \(r.peakRSS >> 20) MiB")
    }
}
