// Hostile .col files with valid checksums: a test takes a good file apart
// (head and blocks, each footer section decompressed), changes what it
// attacks, and puts it back with every CRC recomputed, so only the checks
// behind the checksums stand between the forgery and the code.
//
// The layout written here is docs/FORMAT.md §1 and §2, written from the spec
// rather than with the writer's code.

import ColBytes
import ColFormat
import Foundation

/// A .col file taken apart for forging.
public struct ForgedFile {
    /// Everything before the footer: the head and the data blocks.
    public var data: [UInt8]
    /// The footer sections, decompressed, in file order.
    public var sections: [(kind: UInt16, raw: [UInt8])]
    /// The tail's version and feature flags.
    public var major: UInt16, minor: UInt16, requiredFeatures: UInt32, optionalFeatures: UInt32

    /// Reads a good file (it must open with `ColFileReader`).
    public init(path: String) throws {
        let reader = try ColFileReader(path: path)
        let bytes = try readAll(path)
        data = Array(bytes[0..<reader.footerOffset])
        let tail = Array(bytes[(bytes.count - 44)...])
        var r = ByteReader(tail)
        _ = try r.read(UInt64.self); _ = try r.read(UInt64.self)
        let tableLength = Int(try r.read(UInt32.self))
        major = try r.read(UInt16.self); minor = try r.read(UInt16.self)
        requiredFeatures = try r.read(UInt32.self); optionalFeatures = try r.read(UInt32.self)
        let tableAt = bytes.count - 44 - tableLength
        var t = ByteReader(Array(bytes[tableAt..<(tableAt + tableLength)]))
        let n = Int(try t.read(UInt32.self))
        sections = []
        let compressor = BlockCompressor()
        for _ in 0..<n {
            let kind = try t.read(UInt16.self)
            let codec = Codec(rawValue: try t.readUInt8()) ?? .none
            _ = try t.readUInt8(); _ = try t.read(UInt32.self)
            let offset = Int(try t.read(UInt64.self)), stored = Int(try t.read(UInt64.self)), raw = Int(try t.read(UInt64.self))
            var out: [UInt8] = []
            _ = Array(bytes[offset..<(offset + stored)]).withUnsafeBytes { compressor.decompress($0, codec: codec, rawLength: raw, into: &out) }
            sections.append((kind, out))
        }
    }

    /// The raw bytes of section `kind`.
    public func section(_ kind: SectionKind) -> [UInt8] { sections.first { $0.kind == kind.rawValue }?.raw ?? [] }

    /// Replaces the raw bytes of section `kind`.
    public mutating func setSection(_ kind: SectionKind, _ raw: [UInt8]) {
        if let i = sections.firstIndex(where: { $0.kind == kind.rawValue }) { sections[i].raw = raw }
    }

    /// Overwrites `value`'s little-endian bytes at `offset` of section `kind`.
    public mutating func patch<T: FixedWidthInteger>(_ kind: SectionKind, at offset: Int, _ value: T) {
        guard let i = sections.firstIndex(where: { $0.kind == kind.rawValue }) else { return }
        withUnsafeBytes(of: value.littleEndian) { for (k, b) in $0.enumerated() { sections[i].raw[offset + k] = b } }
    }

    /// The directory's chunk and column counts.
    public var shape: (chunks: Int, columns: Int) {
        let d = section(.directory)
        return (Int(d[0]) | Int(d[1]) << 8 | Int(d[2]) << 16, Int(d[4]) | Int(d[5]) << 8 | Int(d[6]) << 16)
    }

    /// The offset of a directory entry's field in the directory section (FORMAT.md §2.2):
    /// offset 0, stored 8, raw 12, decoded 16, crc 24, rows 28, codec 32, encoding 33, type 34, flags 35, nulls 36.
    public func entryOffset(chunk c: Int, column j: Int, field: Int) -> Int {
        8 + shape.chunks * 12 + (c * shape.columns + j) * 40 + field
    }

    /// Appends `stored` as the block of chunk `c`, column `j`, and points the entry at it with
    /// a valid checksum; `raw` is the decompressed length to claim (the stored length by default).
    public mutating func replaceBlock(chunk c: Int, column j: Int, stored: [UInt8], codec: Codec = .none, raw: Int? = nil) {
        let at = data.count
        data += stored
        patch(.directory, at: entryOffset(chunk: c, column: j, field: 0), UInt64(at))
        patch(.directory, at: entryOffset(chunk: c, column: j, field: 8), UInt32(stored.count))
        patch(.directory, at: entryOffset(chunk: c, column: j, field: 12), UInt32(raw ?? stored.count))
        patch(.directory, at: entryOffset(chunk: c, column: j, field: 24), CRC32C.checksum(stored))
        patch(.directory, at: entryOffset(chunk: c, column: j, field: 32), codec.rawValue)
    }

    /// The file, with every section stored uncompressed and every checksum valid.
    /// `table` and `tail` may change the section table and the tail before their checksums are taken.
    public func bytes(table: (inout [UInt8]) -> Void = { _ in }, tail: (inout [UInt8]) -> Void = { _ in }) -> [UInt8] {
        var out = data
        let footerOffset = out.count
        var entries: [(UInt16, Int, [UInt8])] = []
        for s in sections {
            entries.append((s.kind, out.count, s.raw))
            out += s.raw
        }
        var w = ByteWriter()
        w.write(UInt32(entries.count))
        for (kind, offset, raw) in entries {
            w.write(kind); w.write(UInt8(0)); w.write(UInt8(0)); w.write(CRC32C.checksum(raw))
            w.write(UInt64(offset)); w.write(UInt64(raw.count)); w.write(UInt64(raw.count))
        }
        var tableBytes = w.bytes
        table(&tableBytes)
        out += tableBytes
        var t = ByteWriter()
        t.write(UInt64(footerOffset)); t.write(UInt64(out.count - footerOffset))
        t.write(UInt32(tableBytes.count)); t.write(major); t.write(minor); t.write(requiredFeatures); t.write(optionalFeatures)
        t.write(CRC32C.checksum(tableBytes))
        var tailBytes = t.bytes
        tail(&tailBytes)
        let crc = CRC32C.checksum(tailBytes[0..<36])
        withUnsafeBytes(of: crc.littleEndian) { tailBytes += $0 }
        tailBytes += [0x43, 0x4F, 0x4C, 0x46]
        return out + tailBytes
    }
}

/// The whole file at `path`.
public func readAll(_ path: String) throws -> [UInt8] {
    guard let d = FileManager.default.contents(atPath: path) else { throw CocoaError(.fileReadNoSuchFile) }
    return [UInt8](d)
}
