// The schema section (docs/FORMAT.md §2.1).

import ColBytes

extension Schema {
    func serialize(into w: inout ByteWriter) {
        w.writeVarint(columns.count)
        for c in columns {
            w.writeString(c.name)
            w.write(c.type.rawValue)
            w.write(UInt8(c.nullable ? 1 : 0))
            w.writeString(c.sourcePath)
        }
        w.write(fingerprint.value)
        w.write(typesFingerprint.value)
        for i in 0..<columns.count { w.write(columnFingerprint(i).value) }
        w.writeVarint(widenings.count)
        for e in widenings {
            w.writeVarint(e.column)
            w.writeVarint(e.chunk)
            w.writeVarint(e.row)
            w.write(e.from.rawValue)
            w.write(e.to.rawValue)
        }
    }

    /// Parses the section and checks every stored fingerprint against the one recomputed from the canonical text.
    static func deserialize(from r: inout ByteReader) throws(BinaryDecodingError) -> Schema {
        let n = try r.readCount(limit: Layout.maxColumns, minBytesEach: 4)
        var cols: [ColumnDescriptor] = []
        cols.reserveCapacity(n)
        var names = Set<[UInt8]>()
        for _ in 0..<n {
            let nameAt = r.offset
            let name = try r.readString(limit: Layout.maxNameBytes)
            // Names are unique, compared as bytes (docs/FORMAT.md §2.1): readers find columns by name.
            guard names.insert(Array(name.utf8)).inserted else { throw .invalid("a repeated column name", offset: nameAt) }
            let at = r.offset
            guard let type = LogicalType(rawValue: try r.readUInt8()) else { throw .invalid("column type", offset: at) }
            let flags = try r.readUInt8()
            guard flags <= 1 else { throw .invalid("column flags", offset: at + 1) }
            let source = try r.readString(limit: Layout.maxNameBytes)
            cols.append(ColumnDescriptor(name: name, type: type, nullable: flags == 1, sourcePath: source))
        }
        var s = Schema(columns: cols)
        // Each canonical line is built once, for the schema text and for its column's fingerprint.
        let lines = cols.map { Array($0.canonicalLine.utf8) }
        var text = Array("col-schema/1\n".utf8)
        text.reserveCapacity(lines.reduce(text.count) { $0 + $1.count + 1 })
        for line in lines {
            text += line
            text.append(0x0A)
        }
        var at = r.offset
        guard try r.read(UInt64.self) == XXH64.hash(text) else { throw .invalid("schema fingerprint", offset: at) }
        at = r.offset
        guard try r.read(UInt64.self) == s.typesFingerprint.value else { throw .invalid("types fingerprint", offset: at) }
        for line in lines {
            at = r.offset
            guard try r.read(UInt64.self) == XXH64.hash(line) else { throw .invalid("column fingerprint", offset: at) }
        }
        let events = try r.readCount(limit: 1 << 24, minBytesEach: 5)
        for _ in 0..<events {
            at = r.offset
            let column = try r.readCount(limit: max(n - 1, 0))
            let chunk = try r.readCount(limit: Layout.maxChunks)
            let row = try r.readVarint()
            guard let from = LogicalType(rawValue: try r.readUInt8()), let to = LogicalType(rawValue: try r.readUInt8()),
                  n > 0 else { throw .invalid("widening event", offset: at) }
            s.widenings.append(WideningEvent(column: column, chunk: chunk, row: row, from: from, to: to))
        }
        return s
    }
}
