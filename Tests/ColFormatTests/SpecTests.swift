import ColFormat
import Foundation
import TestSupport
import Testing

/// Reads a file using only docs/FORMAT.md: no type of ColFormat is used to parse it.
@Suite("The spec, independently")
struct SpecTests {
    func u16(_ d: [UInt8], _ at: Int) -> Int { Int(d[at]) | Int(d[at + 1]) << 8 }
    func u32(_ d: [UInt8], _ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(d[at + $1]) << (8 * $1) } }
    func u64(_ d: [UInt8], _ at: Int) -> Int { (0..<8).reduce(0) { $0 | Int(d[at + $1]) << (8 * $1) } }

    /// An unsigned LEB128 varint at `p`, which moves past it.
    func varint(_ d: [UInt8], _ p: inout Int) -> Int {
        var v = 0, shift = 0
        while true {
            let b = Int(d[p])
            p += 1
            v |= (b & 0x7F) << shift
            if b < 0x80 { return v }
            shift += 7
        }
    }

    /// An LZ4 block (the format FORMAT.md §4 names), decoded by hand: sequences of a token
    /// (literal length, match length − 4), literals, a 2-byte offset back into the output.
    func lz4Block(_ s: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [], p = 0
        func length(_ nibble: Int) -> Int {
            var n = nibble
            if nibble == 15 {
                while true { let b = Int(s[p]); p += 1; n += b; if b != 255 { break } }
            }
            return n
        }
        while p < s.count {
            let token = Int(s[p]); p += 1
            let literals = length(token >> 4)
            out += s[p..<(p + literals)]; p += literals
            if p >= s.count { break }  // the last sequence has literals only
            let offset = Int(s[p]) | Int(s[p + 1]) << 8; p += 2
            let match = length(token & 15) + 4
            for _ in 0..<match { out.append(out[out.count - offset]) }
        }
        return out
    }

    /// Bitwise CRC-32C, as FORMAT.md defines it.
    func crc32c(_ bytes: ArraySlice<UInt8>) -> Int {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        }
        return Int(~c)
    }

    @Test("tail, section table, directory and one column's bytes by the documented offsets")
    func readByHand() throws {
        let dir = Scratch()
        let path = dir.file("spec.col")
        var a = ColumnVector(type: .string), b = ColumnVector(type: .int64)
        for i in 0..<5 { a.append(string: "row\(i)"); b.append(Int64(i * 1000 - 7)) }
        let w = try ColFileWriter(path: path, columns: [ColumnDescriptor(name: "a"), ColumnDescriptor(name: "b")],
                                  options: WriterOptions(codec: .none, forcedEncoding: .plain))
        try w.append([a, b])
        try w.finish()

        let d = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(Array(d[0..<4]) == Array("COLF".utf8) && u16(d, 4) == 1)
        // Tail: the last 44 bytes.
        let t = d.count - 44
        #expect(Array(d[(d.count - 4)...]) == Array("COLF".utf8))
        #expect(crc32c(d[t..<(t + 36)]) == u32(d, t + 36))
        let footer = u64(d, t), footerLength = u64(d, t + 8), tableLength = u32(d, t + 16)
        #expect(footer + footerLength == t)
        #expect(u16(d, t + 20) == 1 && u32(d, t + 24) == 0)
        // Section table: the last tableLength bytes of the footer.
        let table = t - tableLength
        #expect(crc32c(d[table..<t]) == u32(d, t + 32))
        let sections = u32(d, table)
        var directoryAt = -1
        for s in 0..<sections {
            let e = table + 4 + 32 * s
            let (kind, codec, offset, stored) = (u16(d, e), Int(d[e + 2]), u64(d, e + 8), u64(d, e + 16))
            #expect(crc32c(d[offset..<(offset + stored)]) == u32(d, e + 4))
            if kind == 2 { #expect(codec == 0); directoryAt = offset }
        }
        // Directory: chunk count, column count, chunk records, then 40-byte entries.
        let chunks = u32(d, directoryAt), columns = u32(d, directoryAt + 4)
        #expect(chunks == 1 && columns == 2)
        let entry = directoryAt + 8 + 12 * chunks + 40 * (0 * columns + 1) // chunk 0, column 1 ("b")
        let blockAt = u64(d, entry), stored = u32(d, entry + 8)
        #expect(crc32c(d[blockAt..<(blockAt + stored)]) == u32(d, entry + 24))
        #expect(u32(d, entry + 28) == 5 && d[entry + 32] == 0 && d[entry + 33] == 0 && d[entry + 34] == 2)
        #expect(u32(d, entry + 12) == stored)          // codec none: raw length = stored length
        #expect(u64(d, entry + 16) == 5 * 8)           // decoded bytes: five int64s, no validity
        #expect(d[entry + 35] == 0 && u32(d, entry + 36) == 0)   // not absent, no nulls
        // The page: validity byte 0 (all valid), then five little-endian int64s.
        #expect(d[blockAt] == 0)
        let values = (0..<5).map { Int64(truncatingIfNeeded: u64(d, blockAt + 1 + 8 * $0)) }
        #expect(values == [-7, 993, 1993, 2993, 3993])
    }

    @Test("fingerprints are pinned to the documented canonical text")
    func fingerprintsArePinned() {
        let schema = Schema(columns: [
            ColumnDescriptor(name: "id", type: .int64, nullable: false),
            ColumnDescriptor(name: "name\twith tab", type: .string, nullable: true),
            ColumnDescriptor(name: "geo.lat", type: .float64, nullable: true),
            ColumnDescriptor(name: "day", type: .date, nullable: false),
        ])
        #expect(schema.canonicalText == "col-schema/1\nid\tint64\trequired\nname\\twith tab\tstring\tnullable\ngeo.lat\tfloat64\tnullable\nday\tdate\trequired\n")
        #expect(schema.canonicalTypesText == "col-types/1\nint64\nstring\nfloat64\ndate\n")
        #expect(schema.fingerprint.description == "820d50413bf925e8")
        #expect(schema.typesFingerprint.description == "d3dc9c1574f38b42")
        #expect(schema.columnFingerprint(0).description == "8ae3bda44db468c9")
        #expect(Fingerprint(text: "").description == "ef46db3751d8e999")
    }

    @Test("1.1 and 1.2: sections read on demand come first; the sketches, the chunk order and the roles have sections of their own")
    func version11Layout() throws {
        let dir = Scratch()
        let path = dir.file("spec11.col")
        var a = ColumnVector(type: .int64), b = ColumnVector(type: .null)
        for i in 0..<3 { a.append(Int64(i * 7)); b.appendNull() }
        let w = try ColFileWriter(path: path, columns: [ColumnDescriptor(name: "a"), ColumnDescriptor(name: "b")],
                                  options: WriterOptions(codec: .none, forcedEncoding: .plain))
        try w.append([a, b])
        try w.finish()
        let d = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let t = d.count - 44
        #expect(u16(d, 6) == 2 && u16(d, t + 22) == 2, "minor version 2 in the head and the tail")
        #expect(u32(d, t + 28) & 2 == 2, "optional feature bit 1: the distinct-sketch section is present")
        #expect(u32(d, t + 28) & 12 == 12, "optional feature bits 2 and 3: the chunk-order and roles sections are present")
        let table = t - u32(d, t + 16)
        var at: [Int: (codec: Int, offset: Int, stored: Int)] = [:]
        for s in 0..<u32(d, table) {
            let e = table + 4 + 32 * s
            at[u16(d, e)] = (Int(d[e + 2]), u64(d, e + 8), u64(d, e + 16))
        }
        let sketches = try #require(at[6]), statistics = try #require(at[3])
        for kind in [1, 2, 3, 5] { #expect(try #require(at[kind]).offset > sketches.offset, "kind \(kind) after kind 6") }
        // The distinct-sketch section: varint N, then per column a presence byte and a HyperLogLog.
        #expect(sketches.codec == 0)  // three values: compression does not pay
        var p = sketches.offset
        #expect(d[p] == 2); p += 1
        #expect(d[p] == 1 && d[p + 1] == 14 && d[p + 2] == 1, "column a: present, precision 14, sparse form")
        p += 3
        #expect(d[p] == 3, "three non-zero registers")
        p += 1
        var index = -1
        for _ in 0..<3 {
            index += varint(d, &p)
            #expect(d[p] >= 1 && d[p] <= 51, "a register's value: 1 + leading zeros of 50 bits")
            p += 1
        }
        #expect(index < 1 << 14)
        #expect(d[p] == 0, "column b holds no values: no sketch")
        #expect(p + 1 == sketches.offset + sketches.stored)
        // The file statistics (lz4 when smaller, §4): varint N, then records whose presence bit 7
        // (HyperLogLog) is clear.
        let stored = Array(d[statistics.offset..<(statistics.offset + statistics.stored)])
        let raw = statistics.codec == 2 ? lz4Block(stored) : stored
        #expect(statistics.codec == 2 || statistics.codec == 0)
        #expect(raw[0] == 2 && raw[1] == 2, "two records; the first of type int64")
        let presence = u16(raw, 2)
        #expect(presence & (1 << 7) == 0 && presence & 0b11 == 0b11, "no HyperLogLog; min and max present")
        // The chunk-order section (§2.7), read on demand, so before kind 1: varint chunks, varint
        // columns, then per chunk its column count and three varints per column.
        let order = try #require(at[7]), schema = try #require(at[1]), provenance = try #require(at[5])
        #expect(order.offset < schema.offset && order.codec == 0)
        #expect(Array(d[order.offset..<(order.offset + order.stored)]) == [1, 2, 2, 2, 2, 0, 0, 0, 0],
                "1 chunk, 2 columns; a: 2 steps, both up; b: no steps")
        // The roles section (§2.8), read at open, after the provenance: varint N, then per column
        // role, origin and the order summed over the chunks. Column a (0, 7, 14) is a key (1), inferred (0).
        let roles = try #require(at[8])
        #expect(roles.offset > provenance.offset && roles.codec == 0)
        #expect(Array(d[roles.offset..<(roles.offset + roles.stored)]) == [2, 1, 0, 2, 2, 0, 0, 0, 0, 0, 0])
    }
}
