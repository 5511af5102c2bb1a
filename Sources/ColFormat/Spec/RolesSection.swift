// The chunk-order section (kind 7, docs/FORMAT.md §2.7) and the roles section (kind 8, §2.8).

import ColBytes

/// Each chunk's `ValueOrder` per column, as the chunk-order section stores it.
public enum ChunkOrderSection {
    /// Appends one chunk's record: its column count, then each column's counts.
    static func appendChunk(_ orders: [ValueOrder], to w: inout ByteWriter) {
        w.writeVarint(orders.count)
        for o in orders { o.serialize(into: &w) }
    }

    /// The section of `chunks` chunk records in `body` (written by `appendChunk`), for `columns` columns.
    static func serialize(chunks: Int, columns: Int, body: [UInt8], into w: inout ByteWriter) {
        w.writeVarint(chunks)
        w.writeVarint(columns)
        w.writeRaw(body)
    }

    /// Reads the section: `[chunk][column]`, columns a chunk does not list (added after it) without steps.
    static func deserialize(from r: inout ByteReader, chunks: Int, columns: Int) throws(BinaryDecodingError) -> [[ValueOrder]] {
        let at = r.offset
        let c = try r.readCount(limit: Layout.maxChunks)
        let n = try r.readCount(limit: Layout.maxColumns)
        guard c == chunks, n == columns else { throw .invalid("chunk order shape \(c) × \(n), the directory's \(chunks) × \(columns)", offset: at) }
        var out: [[ValueOrder]] = []
        out.reserveCapacity(c)
        for _ in 0..<c {
            let listed = try r.readCount(limit: n, minBytesEach: 3)
            var row: [ValueOrder] = []
            row.reserveCapacity(n)
            for _ in 0..<listed { row.append(try ValueOrder.deserialize(from: &r)) }
            row += repeatElement(ValueOrder(), count: n - listed)
            out.append(row)
        }
        return out
    }
}

/// Each column's role, its origin and its order summed over the chunks, as the roles section stores them.
public enum RolesSection {
    /// Appends the section.
    static func serialize(_ records: [ColumnRoleRecord], into w: inout ByteWriter) {
        w.writeVarint(records.count)
        for r in records {
            w.write(r.role.rawValue)
            w.write(r.origin.rawValue)
            r.order.serialize(into: &w)
        }
    }

    /// Reads the section of a file of `columns` columns.
    static func deserialize(from r: inout ByteReader, columns: Int) throws(BinaryDecodingError) -> [ColumnRoleRecord] {
        let at = r.offset
        let n = try r.readCount(limit: Layout.maxColumns, minBytesEach: 5)
        guard n == columns else { throw .invalid("roles for \(n) of \(columns) columns", offset: at) }
        var out: [ColumnRoleRecord] = []
        out.reserveCapacity(n)
        for _ in 0..<n {
            let roleAt = r.offset
            guard let role = ColumnRole(rawValue: try r.readUInt8()) else { throw .invalid("role", offset: roleAt) }
            guard let origin = RoleOrigin(rawValue: try r.readUInt8()) else { throw .invalid("role origin", offset: roleAt + 1) }
            out.append(ColumnRoleRecord(role: role, origin: origin, order: try ValueOrder.deserialize(from: &r)))
        }
        return out
    }
}
