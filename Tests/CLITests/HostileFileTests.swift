import ColBytes
import ColFormat
import ColSketches
import Foundation
import TestSupport
import Testing

/// Forged .col files whose checksums are all valid (docs/RELIABILITY.md): every
/// tool refuses each one with exit 2 and a located message, never a trap, and
/// never spends memory the file cannot justify.
@Suite("Hostile .col files")
struct HostileFileTests {
    /// Which tools read what the attack damages: the footer (every tool) or a block (readers of data).
    enum Reach { case footer, block }

    /// A good two-chunk file of every type, converted by the real colconv.
    static func goodFile(_ s: Scratch, name: String = "good.col") throws -> String {
        var csv = "id,name,price,day,seen\n"
        for i in 0..<120 {
            csv += "\(i),name \(i % 9),\(Double(i) * 1.5),2024-01-\(String(format: "%02d", 1 + i % 28)),2024-01-02T03:04:\(String(format: "%02d", i % 60))Z\n"
        }
        let source = s.write(name + ".csv", csv)
        let out = s.file(name)
        let r = try runChild(builtTool("colconv"), [source, out, "--chunk-rows", "60", "--quiet"], in: s.path)
        #expect(r.status == 0, "\(r.stderr)")
        return out
    }

    /// A 13-byte zstd frame that declares `size` bytes of content and holds one RLE block of 128 KiB.
    static func zstdBomb(claiming size: UInt32) -> [UInt8] {
        var b: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0xA0]
        withUnsafeBytes(of: size.littleEndian) { b += $0 }
        let header = UInt32(1) | UInt32(1) << 1 | UInt32(1 << 17) << 3
        b += [UInt8(header & 0xFF), UInt8(header >> 8 & 0xFF), UInt8(header >> 16 & 0xFF), 0x00]
        return b
    }

    static let attacks: [(name: String, reach: Reach, forge: @Sendable (inout ForgedFile) -> [UInt8])] = [
        ("section offset near 2^64", .footer, { f in f.bytes(table: { t in Self.put(UInt64.max - 7, at: 4 + 8, in: &t) }) }),
        ("section length near 2^64", .footer, { f in f.bytes(table: { t in Self.put(UInt64.max - 3, at: 4 + 16, in: &t) }) }),
        ("section claiming 1 GiB from a 13-byte zstd frame", .footer, { f in
            f.bytes(table: { t in
                // The schema section becomes a bomb: codec zstd and 1 GiB raw; `plantSectionBomb` swaps in the frame.
                for i in 0..<Int(t[0]) where t[4 + 32 * i] == UInt8(SectionKind.schema.rawValue) {
                    t[4 + 32 * i + 2] = Codec.zstd.rawValue
                    Self.put(UInt64(1 << 30), at: 4 + 32 * i + 24, in: &t)
                }
            })
        }),
        ("block offset near 2^64", .footer, { f in
            f.patch(.directory, at: f.entryOffset(chunk: 0, column: 0, field: 0), UInt64.max - 5); return f.bytes()
        }),
        ("decoded bytes near 2^63", .footer, { f in
            f.patch(.directory, at: f.entryOffset(chunk: 1, column: 1, field: 16), UInt64(1) << 63 - 1); return f.bytes()
        }),
        ("decoded bytes near 2^64", .footer, { f in
            for j in 0..<5 { f.patch(.directory, at: f.entryOffset(chunk: 0, column: j, field: 16), UInt64.max - 1) }
            return f.bytes()
        }),
        ("rows per chunk 2^32 − 1", .footer, { f in
            let (chunks, columns) = f.shape
            f.patch(.directory, at: 8 + (chunks - 1) * 12 + 8, UInt32.max)
            for j in 0..<columns { f.patch(.directory, at: f.entryOffset(chunk: chunks - 1, column: j, field: 28), UInt32.max) }
            return f.bytes()
        }),
        ("statistics counts near 2^64", .footer, { f in
            var stats = Self.fileStatistics(f)
            stats[2].moments = Moments(count: UInt64.max - 2, sum: 1, mean: 1, m2: 1)
            f.setSection(.fileStatistics, Self.serialize(stats))
            return f.bytes()
        }),
        ("frequent-item total near 2^64", .footer, { f in
            var stats = Self.fileStatistics(f)
            var items = FrequentItems<Scalar>()
            items.add(hash: 1, count: UInt64.max - 9) { .string(Array("x".utf8)) }
            stats[1].frequent = items
            f.setSection(.fileStatistics, Self.serialize(stats))
            return f.bytes()
        }),
        ("widening event past the last row", .footer, { f in
            var raw = f.section(.schema)
            // The event count is the section's last varint-led record list; append one event by rewriting it.
            guard raw.last == 0 else { return f.bytes() }
            raw.removeLast()
            var w = ByteWriter()
            w.writeVarint(1); w.writeVarint(0); w.writeVarint(1); w.writeVarint(UInt64.max - 1)
            w.write(LogicalType.int64.rawValue); w.write(LogicalType.float64.rawValue)
            f.setSection(.schema, raw + w.bytes)
            return f.bytes()
        }),
        ("block decompression bomb claiming 2 GiB", .block, { f in
            f.replaceBlock(chunk: 0, column: 2, stored: Self.zstdBomb(claiming: UInt32(Layout.maxBlockBytes)), codec: .zstd,
                           raw: Layout.maxBlockBytes)
            return f.bytes()
        }),
        ("lz4 block claiming 2 GiB from 8 bytes", .block, { f in
            f.replaceBlock(chunk: 1, column: 1, stored: [0x1F, 0x61, 0, 0, 0, 0, 0, 0], codec: .lz4, raw: Layout.maxBlockBytes)
            return f.bytes()
        }),
    ]

    static func put<T: FixedWidthInteger>(_ v: T, at offset: Int, in bytes: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { for (k, b) in $0.enumerated() { bytes[offset + k] = b } }
    }

    static func fileStatistics(_ f: ForgedFile) -> [ColumnStatistics] {
        var r = ByteReader(f.section(.fileStatistics))
        guard let n = try? r.readCount(limit: 1000) else { return [] }
        return (0..<n).compactMap { _ in try? ColumnStatistics.deserialize(from: &r) }
    }

    static func serialize(_ stats: [ColumnStatistics]) -> [UInt8] {
        var w = ByteWriter()
        w.writeVarint(stats.count)
        for s in stats { s.serialize(into: &w) }
        return w.bytes
    }

    @Test("each forged file is refused by every tool that reads what it damages: exit 2, located, bounded memory",
          arguments: attacks.indices)
    func refused(index: Int) throws {
        let attack = Self.attacks[index]
        let s = Scratch()
        let good = try Self.goodFile(s)
        var forged = try ForgedFile(path: good)
        var bytes = attack.forge(&forged)
        if attack.name.hasPrefix("section claiming") {
            // Put the bomb where the schema section's stored bytes were, keeping the footer's length.
            bytes = Self.plantSectionBomb(bytes)
        }
        let bad = s.write("bad.col", bytes: bytes)
        let limit = 64 << 20 + 2 * bytes.count
        var runs: [(String, [String], Bool)] = [
            ("colprof", [bad], attack.reach == .footer),
            ("colprof", [bad, good], attack.reach == .footer),
            ("colprof", ["drift", good, bad], attack.reach == .footer),
            ("colprof", [bad, "--html", s.file("report.html")], attack.reach == .footer),
            ("colprof", ["drift", good, bad, "--html", s.file("drift.html")], attack.reach == .footer),
            ("colsum", [bad, "price"], true),
            ("colconv", [bad, s.file("out.csv")], true),
            ("colprof", ["scan", bad, "--format", "csv"], true),
        ]
        if attack.reach == .block { runs.removeAll { $0.0 == "colsum" && attack.name.hasPrefix("lz4") } }
        for (tool, args, mustRefuse) in runs {
            let r = try runChild(builtTool(tool), args, in: s.path)
            let what = "\(attack.name): \(tool) \(args.map { $0.replacingOccurrences(of: s.path + "/", with: "") }.joined(separator: " "))"
            #expect(!r.signaled, "\(what) crashed: \(r.stderr)")
            #expect(r.peakRSS < limit, "\(what) peaked at \(r.peakRSS >> 20) MiB")
            if mustRefuse {
                #expect(r.status == 2, "\(what) exited \(r.status): \(r.stderr)")
                #expect(r.stderr.contains("bad.col"), "\(what) did not name the file: \(r.stderr)")
                #expect(r.stderr.contains("offset") || r.stderr.contains("byte"), "\(what) is not located: \(r.stderr)")
            } else {
                #expect(r.status == 0 || r.status == 1, "\(what) exited \(r.status): \(r.stderr)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: s.file("out.csv")), "a refused export left its output")
        if attack.reach == .footer {
            #expect(!FileManager.default.fileExists(atPath: s.file("report.html")), "a refused profile left its HTML page")
            #expect(!FileManager.default.fileExists(atPath: s.file("drift.html")), "a refused drift report left its HTML page")
        }
    }

    @Test("a chunk that may legally decode to more than COL_DECODE_LIMIT is refused before it is allocated")
    func decodeLimit() throws {
        // 2^31 − 1 rows is within the spec: a real all-null chunk that long is a few bytes.
        // Decoding it as int64 takes 16 GiB, so every tool that reads blocks must refuse it,
        // located, without allocating, whatever the rest of the file says.
        let s = Scratch()
        let good = try Self.goodFile(s)
        var forged = try ForgedFile(path: good)
        let (chunks, columns) = forged.shape
        let rows = UInt32(Layout.maxChunkRows)
        let lastRows = forged.section(.directory).withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8 + (chunks - 1) * 12 + 8, as: UInt32.self) }
        forged.patch(.directory, at: 8 + (chunks - 1) * 12 + 8, rows)
        // The file's statistics count the added rows as nulls, so the footer stays consistent.
        var stats = Self.fileStatistics(forged)
        for j in stats.indices {
            stats[j].rowCount += UInt64(rows - lastRows)
            stats[j].nullCount += UInt64(rows - lastRows)
        }
        forged.setSection(.fileStatistics, Self.serialize(stats))
        for j in 0..<columns {
            forged.patch(.directory, at: forged.entryOffset(chunk: chunks - 1, column: j, field: 28), rows)
            forged.patch(.directory, at: forged.entryOffset(chunk: chunks - 1, column: j, field: 36), rows)
        }
        let bytes = forged.bytes()
        let bad = s.write("bad.col", bytes: bytes)
        for (tool, args) in [("colsum", [bad, "price"]), ("colconv", [bad, s.file("out.csv")]), ("colprof", ["scan", bad, "--format", "csv"])] {
            let r = try runChild(builtTool(tool), args, in: s.path, environment: ["COL_DECODE_LIMIT": "1GiB"])
            #expect(r.status == 2, "\(tool) exited \(r.status): \(r.stderr)")
            #expect(r.stderr.contains("bad.col") && r.stderr.contains("COL_DECODE_LIMIT") && r.stderr.contains("byte"),
                    "\(tool): \(r.stderr)")
            #expect(r.stderr.components(separatedBy: "bad.col").count == 2, "\(tool) names the file more than once: \(r.stderr)")
            #expect(r.peakRSS < 64 << 20 + 2 * bytes.count, "\(tool) peaked at \(r.peakRSS >> 20) MiB")
        }
        // Under the limit the same check lets a real file through.
        let r = try runChild(builtTool("colsum"), [good, "price"], in: s.path, environment: ["COL_DECODE_LIMIT": "64MiB"])
        #expect(r.status == 0, "\(r.stderr)")
    }

    /// Replaces the stored bytes of the section that claims 1 GiB with a zstd frame claiming as much,
    /// padding to the same length so every other offset stays put.
    static func plantSectionBomb(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        let tailAt = out.count - 44
        var r = ByteReader(Array(out[tailAt...]))
        let footerOffset = Int((try? r.read(UInt64.self)) ?? 0)
        _ = try? r.read(UInt64.self)
        let tableLength = Int((try? r.read(UInt32.self)) ?? 0)
        let tableAt = tailAt - tableLength
        var t = ByteReader(Array(out[tableAt..<tailAt]))
        let n = Int((try? t.read(UInt32.self)) ?? 0)
        var found: (crcAt: Int, offset: Int, stored: Int)?
        for i in 0..<n {
            let at = tableAt + 4 + 32 * i
            _ = try? t.read(UInt16.self); _ = try? t.readUInt8(); _ = try? t.readUInt8(); _ = try? t.read(UInt32.self)
            let offset = Int((try? t.read(UInt64.self)) ?? 0), stored = Int((try? t.read(UInt64.self)) ?? 0)
            if (try? t.read(UInt64.self)) == 1 << 30 { found = (at + 8, offset, stored) }
        }
        guard let (crcAt, offset, stored) = found, offset >= footerOffset else { return bytes }
        let bomb = zstdBomb(claiming: 1 << 30)
        // A skippable zstd frame pads the bomb to the section's stored length.
        var frame = bomb
        let pad = stored - bomb.count - 8
        if pad >= 0 {
            frame += [0x50, 0x2A, 0x4D, 0x18]
            withUnsafeBytes(of: UInt32(pad).littleEndian) { frame += $0 }
            frame += [UInt8](repeating: 0, count: pad)
        }
        out.replaceSubrange(offset..<(offset + min(stored, frame.count)), with: frame.prefix(stored))
        put(CRC32C.checksum(out[offset..<(offset + stored)]), at: crcAt, in: &out)
        put(CRC32C.checksum(out[tableAt..<tailAt]), at: tailAt + 32, in: &out)
        put(CRC32C.checksum(out[tailAt..<(tailAt + 36)]), at: tailAt + 36, in: &out)
        return out
    }
}
