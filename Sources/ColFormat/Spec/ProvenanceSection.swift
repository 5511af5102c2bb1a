// The provenance section (docs/FORMAT.md §2.5).

import ColBytes

extension Provenance {
    func serialize(into w: inout ByteWriter) {
        w.writeString(source)
        w.write(UInt8((sourceSize != nil ? 1 : 0) | (sourceHash != nil ? 2 : 0)))
        if let sourceSize { w.write(sourceSize) }
        if let sourceHash { w.write(sourceHash) }
        w.writeString(tool)
        w.writeString(createdAt)
        w.writeVarint(options.count)
        for o in options {
            w.writeString(o.key)
            w.writeString(o.value)
        }
        w.writeVarint(decisions.count)
        for d in decisions {
            w.writeString(d.subject)
            w.writeString(d.decision)
        }
    }

    static func deserialize(from r: inout ByteReader) throws(BinaryDecodingError) -> Provenance {
        var p = Provenance()
        // Strings are bounded by the section (decisions quote column names, up to `Layout.maxNameBytes` each).
        let limit = Layout.maxSectionBytes
        p.source = try r.readString(limit: limit)
        let at = r.offset
        let flags = try r.readUInt8()
        guard flags <= 3 else { throw .invalid("provenance flags", offset: at) }
        if flags & 1 != 0 { p.sourceSize = try r.read(UInt64.self) }
        if flags & 2 != 0 { p.sourceHash = try r.read(UInt64.self) }
        p.tool = try r.readString(limit: limit)
        p.createdAt = try r.readString(limit: limit)
        let n = try r.readCount(limit: 1 << 16, minBytesEach: 2)
        for _ in 0..<n { p.options.append((try r.readString(limit: limit), try r.readString(limit: limit))) }
        let m = try r.readCount(limit: 1 << 20, minBytesEach: 2)
        for _ in 0..<m { p.decisions.append((try r.readString(limit: limit), try r.readString(limit: limit))) }
        return p
    }
}
