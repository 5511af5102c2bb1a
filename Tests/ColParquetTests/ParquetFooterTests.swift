@testable import ColParquet
import ColFormat
import CZlib
import ColIngest
import Foundation
import Testing
import TestSupport

@Suite("Parquet footers and the Thrift compact protocol")
struct ParquetFooterTests {
    @Test("Thrift compact: what the writer writes, the reader reads (deltas over 15, long lists, extremes, nesting)")
    func thriftRoundTrip() throws {
        var w = ThriftCompactWriter()
        w.structBody { w in
            w.i32(1, -1)
            w.i64(2, Int64.min)
            w.i64(20, Int64.max)  // a field id delta over 15
            w.string(21, "Zürich")
            w.boolList(22, [true, false, true])
            w.i64List(23, (0..<40).map { Int64($0) * -3 })
            w.structure(24) { w in w.bool(1, true); w.i16(2, -300) }
        }
        var r = ThriftCompactReader(w.bytes)
        var seen: [Int16] = []
        try r.structure { (r: inout ThriftCompactReader, id: Int16, type: ThriftType) throws(ThriftError) in
            seen.append(id)
            switch id {
            case 1: #expect(try r.i32() == -1)
            case 2: #expect(try r.i64() == Int64.min)
            case 20: #expect(try r.i64() == Int64.max)
            case 21: #expect(try r.string() == "Zürich")
            case 22:
                let (t, n) = try r.list()
                #expect(t == .boolTrue && n == 3)
                #expect(try [r.byte(), r.byte(), r.byte()] == [1, 2, 1])
            case 23:
                let (t, n) = try r.list()
                #expect(t == .i64 && n == 40)
                var values: [Int64] = []
                for _ in 0..<n { values.append(try r.i64()) }
                #expect(values == (0..<40).map { Int64($0) * -3 })
            case 24:
                try r.structure { (r: inout ThriftCompactReader, id: Int16, type: ThriftType) throws(ThriftError) in
                    if id == 1 { #expect(try r.bool(type)) } else { #expect(try r.i64() == -300) }
                }
            default: try r.skip(type)
            }
        }
        #expect(seen == [1, 2, 20, 21, 22, 23, 24] && r.remaining == 0)
    }

    static func export(_ s: Scratch) throws -> (col: String, parquet: String) {
        let csv = s.write("d.csv", makeCSV())
        var o = ConversionOptions()
        o.chunkRows = 40
        _ = try CSVConverter.convert(input: csv, output: s.file("d.col"), options: o)
        var p = ParquetOptions()
        p.keyValues = [("col.schema_fingerprint", "abc")]
        p.createdBy = "colconv version test"
        _ = try ParquetExport.write(try ColFileReader(path: s.file("d.col")), to: s.file("d.parquet"), options: p)
        return (s.file("d.col"), s.file("d.parquet"))
    }

    static func makeCSV() -> String {
        var out = "id,name,price,day\n"
        for i in 0..<100 { out += "\(i),\(i % 7 == 0 ? "" : "n\(i % 5)"),\(Double(i) / 4),2026-11-\(10 + i % 20)\n" }
        return out
    }

    @Test("the footer we write reads back: rows, row groups, schema, statistics, metadata")
    func ourFooter() throws {
        let s = Scratch()
        let (col, parquet) = try Self.export(s)
        let m = try ParquetFooter.read(path: parquet)
        let reader = try ColFileReader(path: col)
        #expect(m.version == 1 && m.numRows == 100 && m.rowGroups.count == 3 && m.rowGroups.map(\.numRows) == [40, 40, 20])
        #expect(m.schema.map(\.name) == ["schema", "id", "name", "price", "day"] && m.schema[0].numChildren == 4)
        #expect(m.schema.dropFirst().map(\.type) == [2, 6, 5, 1])          // INT64, BYTE_ARRAY, DOUBLE, INT32
        #expect(m.schema.dropFirst().map(\.repetition) == [0, 1, 0, 0])    // name has nulls
        #expect(m.schema.dropFirst().map(\.logicalType) == [nil, 1, nil, 6]) // STRING, DATE
        #expect(m.createdBy == "colconv version test" && m.value("col.schema_fingerprint") == "abc")
        let chunks = try reader.chunkStatistics()
        let fileSize = try Data(contentsOf: URL(fileURLWithPath: parquet)).count
        for (g, group) in m.rowGroups.enumerated() {
            #expect(group.columns.map(\.path) == [["id"], ["name"], ["price"], ["day"]])
            for (j, c) in group.columns.enumerated() {
                #expect(c.nullCount == Int64(chunks[g][j].nullCount))
                #expect(c.dataPageOffset >= 4 && c.dataPageOffset + c.totalCompressedSize <= Int64(fileSize))
            }
            // id's bounds, PLAIN little-endian int64.
            let lo = try #require(group.columns[0].minValue), hi = try #require(group.columns[0].maxValue)
            #expect(lo == withUnsafeBytes(of: Int64(g * 40).littleEndian, Array.init))
            #expect(hi == withUnsafeBytes(of: Int64(min(g * 40 + 39, 99)).littleEndian, Array.init))
        }
    }

    @Test("a hostile footer is refused with a located error, never read past the file", arguments: [
        "cut", "long", "count", "nesting",
    ])
    func hostile(_ kind: String) throws {
        let s = Scratch()
        let (_, parquet) = try Self.export(s)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: parquet)))
        let n = bytes.count
        switch kind {
        case "cut":
            bytes.removeLast()
        case "long":
            // A footer length larger than the file.
            bytes[n - 8] = 0xFF; bytes[n - 7] = 0xFF; bytes[n - 6] = 0xFF; bytes[n - 5] = 0x0F
        case "count":
            // A footer whose schema list claims 2^40 elements.
            let footer: [UInt8] = [0x15, 0x02, 0x19, 0xFC, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x00]
            bytes = Array("PAR1".utf8) + footer + withUnsafeBytes(of: UInt32(footer.count).littleEndian, Array.init) + Array("PAR1".utf8)
        default:
            // Structs nested 100 deep (an unknown field 1 of type struct, again and again).
            let footer = [UInt8](repeating: 0x1C, count: 100) + [UInt8](repeating: 0, count: 101)
            bytes = Array("PAR1".utf8) + footer + withUnsafeBytes(of: UInt32(footer.count).littleEndian, Array.init) + Array("PAR1".utf8)
        }
        let path = s.write("bad.parquet", bytes: bytes)
        do {
            _ = try ParquetFooter.read(path: path)
            Issue.record("read a hostile footer (\(kind))")
        } catch {
            let words = ["cut": "no PAR1 in the last 4 bytes", "long": "does not fit in the file",
                         "count": "past the end of the data at byte", "nesting": "nested over 64 deep at byte"][kind] ?? "?"
            #expect(error.message.contains(words), "\(error)")
        }
    }

    @Test("flipping any footer byte gives a typed error or a footer, never a crash")
    func flips() throws {
        let s = Scratch()
        let (_, parquet) = try Self.export(s)
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: parquet)))
        let length = Int(original[original.count - 8]) | Int(original[original.count - 7]) << 8
        let start = original.count - 8 - length
        var refused = 0
        for i in start..<original.count {
            var copy = original
            copy[i] ^= 0xFF
            let path = s.write("flip.parquet", bytes: copy)
            do { _ = try ParquetFooter.read(path: path) } catch { refused += 1 }
        }
        #expect(refused > 0)
    }
}

@Suite("Parquet page decoding")
struct PageDecodingTests {
    @Test("Snappy: literals and overlapping copies decode; a copy before the start or a wrong length is refused")
    func snappy() {
        // "abcabcabcabc": literal "abc" (tag 0b10 << 2), then a 1-byte-offset copy of 9 bytes at offset 3.
        let block: [UInt8] = [12, 0x08, 0x61, 0x62, 0x63, 0x15, 0x03]
        #expect(block.withUnsafeBytes { Snappy.decompress($0, expected: 12) } == Array("abcabcabcabc".utf8))
        #expect(block.withUnsafeBytes { Snappy.decompress($0, expected: 11) } == nil)
        let before: [UInt8] = [4, 0x01, 0x05]  // a copy at offset 5 of an empty output
        #expect(before.withUnsafeBytes { Snappy.decompress($0, expected: 4) } == nil)
        let long: [UInt8] = [3, 0xF0, 0xFF, 0xFF, 0xFF, 0x7F, 0x61]  // a literal claiming 2 GiB
        #expect(long.withUnsafeBytes { Snappy.decompress($0, expected: 3) } == nil)
    }

    @Test("the RLE / bit-packing hybrid decodes what the writer encodes, and refuses runs past the page")
    func hybrid() throws {
        var g = SeededRandom(seed: 5)
        for width in [1, 3, 8, 13, 32] {
            let values = (0..<1000).map { i -> UInt32 in
                let x = i % 100 < 30 ? 7 : UInt32(truncatingIfNeeded: g.next())
                return width == 32 ? x : x & ((1 << UInt32(width)) - 1)
            }
            var bytes: [UInt8] = []
            ParquetPlain.appendHybrid(count: values.count, bitWidth: width, to: &bytes) { values[$0] }
            #expect(try Hybrid.decode(bytes, from: 0, to: bytes.count, count: values.count, bitWidth: width) == values)
            #expect(throws: PageError.self) { try Hybrid.decode(bytes, from: 0, to: bytes.count / 2, count: values.count, bitWidth: width) }
        }
        #expect(throws: PageError.self) { try Hybrid.decode([0x03], from: 0, to: 1, count: 8, bitWidth: 1) }  // a bit-packed group, no bytes
    }

    /// `bytes` compressed as one gzip member.
    func gzip(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        _ = deflateInit2_(&stream, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 64)
        var input = bytes
        input.withUnsafeMutableBufferPointer { i in
            out.withUnsafeMutableBufferPointer { o in
                stream.next_in = i.baseAddress
                stream.avail_in = UInt32(i.count)
                stream.next_out = o.baseAddress
                stream.avail_out = UInt32(o.count)
                _ = deflate(&stream, Z_FINISH)
            }
        }
        return Array(out[..<Int(stream.total_out)])
    }

    @Test("gzip: members decode, concatenated too; a bomb, a short page and a forged size are refused without allocating them")
    func gzipPages() {
        let text = Array(String(repeating: "parquet page ", count: 500).utf8)
        let one = gzip(text)
        #expect(one.withUnsafeBytes { Gzip.decompress($0, expected: text.count) } == text)
        // Two members one after the other (some writers flush per buffer), and zero padding after.
        let two = gzip(Array(text[..<100])) + gzip(Array(text[100...])) + [0, 0, 0]
        #expect(two.withUnsafeBytes { Gzip.decompress($0, expected: text.count) } == text)
        // A bomb: 64 MiB of zeros in about 64 KiB, in a page that says 1 MiB. Refused at the page's size.
        let bomb = gzip([UInt8](repeating: 0, count: 64 << 20))
        #expect(bomb.count < 200_000)
        #expect(bomb.withUnsafeBytes { Gzip.decompress($0, expected: 1 << 20) } == nil)
        // Short of the size it states, cut short, or claiming 2 GiB: refused (the buffer is never touched past real output).
        #expect(one.withUnsafeBytes { Gzip.decompress($0, expected: text.count + 1) } == nil)
        #expect(Array(one.dropLast(10)).withUnsafeBytes { Gzip.decompress($0, expected: text.count) } == nil)
        #expect(one.withUnsafeBytes { Gzip.decompress($0, expected: Int(Int32.max) - 2) } == nil)
        #expect([UInt8](repeating: 0x1F, count: 20).withUnsafeBytes { Gzip.decompress($0, expected: 5) } == nil)
    }

    @Test("DELTA_BINARY_PACKED: a header that breaks the spec, a count that differs from the page, or a miniblock past the page is refused")
    func deltaBinaryPacked() throws {
        // Block 128, 4 miniblocks, 5 values, first 7; min delta 1, widths 0: 7, 8, 9, 10, 11.
        let good: [UInt8] = [0x80, 0x01, 4, 5, 14, 2, 0, 0, 0, 0]
        var pos = 0
        #expect(try PageDecoding.deltaBinaryPacked(good, at: &pos, count: 5) == [7, 8, 9, 10, 11])
        #expect(pos == good.count)
        for (bytes, count) in [([0x40, 4, 5, 14, 2, 0, 0, 0, 0] as [UInt8], 5),      // a block of 64, not a multiple of 128
                               (good, 4),                                                // 5 values where the page has 4
                               ([0x80, 0x01, 4, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 14], 5),  // a count of 2^32 - 1 with no bytes for it
                               ([0x80, 0x01, 4, 5, 14, 2, 65, 0, 0, 0], 5),            // a miniblock of 65 bits
                               ([0x80, 0x01, 4, 5, 14, 2, 8, 0, 0, 0], 5)] {           // a miniblock of 8 bits with no bytes
            var at = 0
            #expect(throws: PageError.self) { try PageDecoding.deltaBinaryPacked(bytes, at: &at, count: count) }
        }
    }
}
