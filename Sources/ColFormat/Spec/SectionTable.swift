import ColBytes

/// The kinds of footer sections (docs/FORMAT.md §1.3, §2).
public enum SectionKind: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    case schema = 1
    case directory = 2
    case fileStatistics = 3
    case chunkStatistics = 4
    case provenance = 5
    case distinctSketches = 6
    case chunkOrder = 7
    case roles = 8

    /// The section's name in error messages.
    public var description: String {
        switch self {
        case .schema: "schema section"
        case .directory: "directory section"
        case .fileStatistics: "file statistics section"
        case .chunkStatistics: "chunk statistics section"
        case .provenance: "provenance section"
        case .distinctSketches: "distinct-sketch section"
        case .chunkOrder: "chunk-order section"
        case .roles: "roles section"
        }
    }
}

/// One entry of the footer's section table.
struct SectionEntry: Equatable {
    var kind: UInt16
    var codec: Codec
    var checksum: UInt32
    var offset: UInt64
    var storedLength: UInt64
    var rawLength: UInt64

    func serialize(into w: inout ByteWriter) {
        w.write(kind)
        w.write(codec.rawValue)
        w.write(UInt8(0))
        w.write(checksum)
        w.write(offset)
        w.write(storedLength)
        w.write(rawLength)
    }

    static func deserialize(from r: inout ByteReader) throws(BinaryDecodingError) -> SectionEntry {
        let kind = try r.read(UInt16.self)
        let at = r.offset
        guard let codec = Codec(rawValue: try r.readUInt8()) else { throw .invalid("section codec", offset: at) }
        let reserved = try r.readUInt8()
        guard reserved == 0 else { throw .invalid("section reserved byte", offset: at + 1) }
        return SectionEntry(kind: kind, codec: codec, checksum: try r.read(UInt32.self), offset: try r.read(UInt64.self),
                            storedLength: try r.read(UInt64.self), rawLength: try r.read(UInt64.self))
    }
}
