import ColBytes
import ColFormat
import Foundation
import TestSupport
import Testing

/// Everything a reader can see of a file, for comparing a damaged copy with the original.
func readEverything(_ path: String) throws -> [String] {
    let r = try ColFileReader(path: path)
    var out: [String] = [r.schema.canonicalText, "\(r.rowCount)", r.provenance.source]
    for s in r.statistics { out.append("\(s.nullCount) \(String(describing: s.min)) \(String(describing: s.max)) \(String(describing: s.distinctCount))") }
    for h in try r.distinctSketches() { out.append("\(String(describing: h?.estimate))") }
    for row in try r.chunkStatistics() { for s in row { out.append("\(s.rowCount) \(s.nullCount) \(String(describing: s.min))") } }
    for row in try r.chunkOrders() ?? [] { for o in row { out.append("\(o)") } }
    for role in r.storedRoles ?? [] { out.append("\(role)") }
    for c in 0..<r.directory.chunkCount {
        for j in 0..<r.directory.columnCount {
            let v = try r.readColumn(chunk: c, column: j)
            var text: [UInt8] = []
            for i in 0..<v.count { v.appendCanonicalText(row: i, to: &text); text.append(v.isValid(i) ? 0x1F : 0x1E) }
            out.append(String(decoding: text, as: UTF8.self))
        }
    }
    return out
}

func writeSmallMultiChunkFile(_ path: String, codec: Codec = .zstd) throws {
    let w = try ColFileWriter(path: path, columns: ["id", "name", "price", "day", "ok"].map { ColumnDescriptor(name: $0) },
                              options: WriterOptions(codec: codec))
    for chunk in 0..<3 {
        var id = ColumnVector(type: .int64), name = ColumnVector(type: .string), price = ColumnVector(type: .float64)
        var day = ColumnVector(type: .date), ok = ColumnVector(type: .bool)
        for i in 0..<40 {
            let row = chunk * 40 + i
            id.append(Int64(row))
            if row % 7 == 0 { name.appendNull() } else { name.append(string: ["alpha", "beta", "gamma", "délta"][row % 4]) }
            price.append(Double(row % 13) * 1.25)
            day.append(date: Int32(18000 + row / 3))
            ok.append(row % 3 == 0)
        }
        try w.append([id, name, price, day, ok])
    }
    try w.finish(provenance: Provenance(source: "unit", sourceSize: 1, sourceHash: 2, tool: "tests", createdAt: "2026-01-01T00:00:00Z"))
}

@Suite("Integrity")
struct IntegrityTests {
    @Test("flipping any byte is reported as a typed error or changes nothing that is read", arguments: [Codec.zstd, .none])
    func flipEveryByte(codec: Codec) throws {
        let dir = Scratch()
        let path = dir.file("good.col")
        try writeSmallMultiChunkFile(path, codec: codec)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        let expected = try readEverything(path)
        var detected = 0, harmless = 0
        let bad = dir.file("bad.col")
        for i in 0..<original.count {
            for mask: UInt8 in [0x01, 0xFF] {
                var copy = original
                copy[i] ^= mask
                try copy.write(to: URL(fileURLWithPath: bad))
                do {
                    let seen = try readEverything(bad)
                    #expect(seen == expected, "flip at byte \(i) changed what is read without an error")
                    harmless += 1
                } catch let e as ColFileError {
                    detected += 1
                    switch e {
                    case .io, .invalidArgument: Issue.record("flip at \(i) gave an unexpected error kind: \(e)")
                    default: break
                    }
                }
            }
        }
        // CRC-32C covers every byte, so every flip is detected.
        #expect(detected == original.count * 2, "detected \(detected), harmless \(harmless)")
    }

    @Test("a truncated file is reported as truncated or not a .col file, never read")
    func truncation() throws {
        let dir = Scratch()
        let path = dir.file("good.col")
        try writeSmallMultiChunkFile(path)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        let cut = dir.file("cut.col")
        for n in stride(from: 0, to: original.count, by: 1) {
            try original.prefix(n).write(to: URL(fileURLWithPath: cut))
            do {
                _ = try readEverything(cut)
                Issue.record("a file cut to \(n) bytes was read")
            } catch let e as ColFileError {
                switch e {
                case .truncated: break
                case .notAColFile: #expect(n < 4, "cut to \(n): \(e)")
                default: Issue.record("cut to \(n): \(e)")
                }
            }
        }
    }

    @Test("a file with an unknown required feature flag is refused")
    func unknownRequiredFlag() throws {
        let dir = Scratch()
        let path = dir.file("f.col")
        try writeSmallMultiChunkFile(path)
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        let tail = data.count - Layout.tailSize
        data[tail + 24] |= 0x80 // required flags
        // Recompute the tail checksum so that only the flag is wrong.
        let crc = CRC32C.checksum(Array(data[tail..<(tail + 36)]))
        withUnsafeBytes(of: crc.littleEndian) { for k in 0..<4 { data[tail + 36 + k] = $0[k] } }
        try data.write(to: URL(fileURLWithPath: path))
        #expect(throws: ColFileError.unknownRequiredFeatures(path: path, flags: 0x80)) { try ColFileReader(path: path) }
    }

    @Test("a corrupted data block names its chunk, column and offset")
    func blockErrorNamesLocation() throws {
        let dir = Scratch()
        let path = dir.file("f.col")
        try writeSmallMultiChunkFile(path)
        let r = try ColFileReader(path: path)
        let e = r.directory.entry(chunk: 1, column: 1)
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[Int(e.offset) + 2] ^= 0x10
        try data.write(to: URL(fileURLWithPath: path))
        let damaged = try ColFileReader(path: path)
        do {
            _ = try damaged.readColumn(chunk: 1, column: 1)
            Issue.record("no error")
        } catch {
            guard case let .checksumMismatch(_, what, offset, _, _) = error else { Issue.record("\(error)"); return }
            #expect(what == "chunk 1 column 1 (name)")
            #expect(offset == Int(e.offset))
        }
        // Other blocks are still readable.
        #expect(try damaged.readColumn(chunk: 0, column: 1).count == 40)
    }

    @Test("a failed or abandoned write leaves nothing at the destination")
    func atomicWrite() throws {
        let dir = Scratch()
        let path = dir.file("never.col")
        do {
            let w = try ColFileWriter(path: path, columns: [ColumnDescriptor(name: "a")])
            try w.append([makeColumn(.int64, rows: 10)])
            w.abort()
        }
        do {
            let w = try ColFileWriter(path: path, columns: [ColumnDescriptor(name: "a")])
            try w.append([makeColumn(.int64, rows: 10)])
            _ = w // dropped unfinished
        }
        do {
            let w = try ColFileWriter(path: path, columns: [ColumnDescriptor(name: "a")])
            #expect(throws: ColFileError.self) { try w.append([makeColumn(.int64, rows: 10), makeColumn(.int64, rows: 10)]) }
        }
        #expect(dir.entries.isEmpty, "left behind: \(dir.entries)")
    }

    @Test("column names are unique: the writer refuses a repeat, and the reader a forged schema that repeats one")
    func uniqueNames() throws {
        let dir = Scratch()
        #expect(throws: ColFileError.self) {
            _ = try ColFileWriter(path: dir.file("a.col"), columns: [ColumnDescriptor(name: "a"), ColumnDescriptor(name: "a")])
        }
        let w = try ColFileWriter(path: dir.file("b.col"), columns: [ColumnDescriptor(name: "a")])
        #expect(throws: ColFileError.self) { try w.addColumn(ColumnDescriptor(name: "a")) }
        w.abort()
        // A forged schema section naming two columns "id" (the file's other sections and checksums are consistent).
        let path = dir.file("good.col")
        try writeSmallMultiChunkFile(path)
        var forged = try ForgedFile(path: path)
        var schema = forged.section(.schema)
        // The second column's name, "name" (a length byte, then the bytes), becomes "id".
        let target: [UInt8] = [4] + Array("name".utf8)
        let second = try #require((0...(schema.count - target.count)).first { Array(schema[$0..<($0 + target.count)]) == target })
        schema.replaceSubrange(second..<(second + target.count), with: [2] + Array("id".utf8))
        forged.setSection(.schema, schema)
        let bad = dir.write("bad.col", bytes: forged.bytes())
        do {
            _ = try ColFileReader(path: bad)
            Issue.record("a schema with a repeated name was read")
        } catch {
            #expect(error.description.contains("corrupt schema section") && error.description.contains("repeated column name"), "\(error)")
        }
    }
}
