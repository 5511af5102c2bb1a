import ColBytes

/// Where one column of one chunk is stored, and how (docs/FORMAT.md §2.2).
public struct DirectoryEntry: Sendable, Equatable {
    /// Absolute offset of the stored block.
    public var offset: UInt64
    /// Bytes stored in the file.
    public var storedLength: UInt32
    /// Bytes of the encoded page after decompression.
    public var rawLength: UInt32
    /// Decoded bytes in memory (Arrow layout, see `DecodedSize`).
    public var decodedBytes: UInt64
    /// CRC-32C of the stored bytes.
    public var checksum: UInt32
    /// Rows in the chunk.
    public var rowCount: UInt32
    /// How the block is compressed.
    public var codec: Codec
    /// How the page's values are laid out.
    public var encoding: Encoding
    /// The physical type of the chunk's values.
    public var physicalType: LogicalType
    /// True when the column did not exist yet in this chunk: every row reads as null.
    public var isAbsent: Bool
    /// Null rows in the chunk column.
    public var nullCount: UInt32

    /// The entry of a chunk described but not stored (a history's entry): rows, nulls, type and
    /// decoded size, with no block, no lengths and no checksum.
    public static func described(rows: Int, nullCount: Int, physicalType: LogicalType, decodedBytes: UInt64) -> DirectoryEntry {
        DirectoryEntry(offset: 0, storedLength: 0, rawLength: 0, decodedBytes: decodedBytes, checksum: 0, rowCount: UInt32(clamping: rows),
                       codec: .none, encoding: .plain, physicalType: physicalType, isAbsent: false, nullCount: UInt32(clamping: nullCount))
    }

    /// The entry of a column that a chunk does not have: every row null, nothing stored.
    public static func absent(rows: Int) -> DirectoryEntry {
        DirectoryEntry(offset: 0, storedLength: 0, rawLength: 0, decodedBytes: 0, checksum: 0, rowCount: UInt32(rows),
                       codec: .none, encoding: .plain, physicalType: .null, isAbsent: true, nullCount: UInt32(rows))
    }

    func serialize(into w: inout ByteWriter) {
        w.write(offset)
        w.write(storedLength)
        w.write(rawLength)
        w.write(decodedBytes)
        w.write(checksum)
        w.write(rowCount)
        w.write(codec.rawValue)
        w.write(encoding.rawValue)
        w.write(physicalType.rawValue)
        w.write(UInt8(isAbsent ? 1 : 0))
        w.write(nullCount)
    }

    static func deserialize(from r: inout ByteReader) throws(BinaryDecodingError) -> DirectoryEntry {
        let offset = try r.read(UInt64.self)
        let stored = try r.read(UInt32.self)
        let raw = try r.read(UInt32.self)
        let decoded = try r.read(UInt64.self)
        let crc = try r.read(UInt32.self)
        let rows = try r.read(UInt32.self)
        var at = r.offset
        guard let codec = Codec(rawValue: try r.readUInt8()) else { throw .invalid("codec", offset: at) }
        at = r.offset
        guard let encoding = Encoding(rawValue: try r.readUInt8()) else { throw .invalid("encoding", offset: at) }
        at = r.offset
        guard let type = LogicalType(rawValue: try r.readUInt8()) else { throw .invalid("physical type", offset: at) }
        at = r.offset
        let flags = try r.readUInt8()
        guard flags <= 1 else { throw .invalid("entry flags", offset: at) }
        let nulls = try r.read(UInt32.self)
        guard nulls <= rows else { throw .invalid("null count above row count", offset: r.offset - 4) }
        return DirectoryEntry(offset: offset, storedLength: stored, rawLength: raw, decodedBytes: decoded, checksum: crc,
                              rowCount: rows, codec: codec, encoding: encoding, physicalType: type, isAbsent: flags == 1,
                              nullCount: nulls)
    }
}

/// The chunk × column directory: O(1) lookup of any column chunk.
public struct Directory: Sendable, Equatable {
    /// The number of chunks.
    public private(set) var chunkCount: Int
    /// The number of columns.
    public private(set) var columnCount: Int
    /// The first row (in the file) of each chunk.
    public private(set) var chunkFirstRows: [UInt64]
    /// The rows of each chunk.
    public private(set) var chunkRowCounts: [UInt32]
    /// Entries in chunk-major order: entry (c, j) is at c·columnCount + j.
    public private(set) var entries: [DirectoryEntry]

    init(columnCount: Int) {
        chunkCount = 0
        self.columnCount = columnCount
        chunkFirstRows = []
        chunkRowCounts = []
        entries = []
    }

    /// The entry of column `j` in chunk `c`.
    public func entry(chunk c: Int, column j: Int) -> DirectoryEntry { entries[c * columnCount + j] }

    /// The total number of rows.
    public var rowCount: UInt64 {
        guard let last = chunkFirstRows.last, let n = chunkRowCounts.last else { return 0 }
        return last + UInt64(n)
    }

    mutating func appendChunk(firstRow: UInt64, rows: Int, entries new: [DirectoryEntry]) {
        chunkFirstRows.append(firstRow)
        chunkRowCounts.append(UInt32(rows))
        entries.append(contentsOf: new)
        chunkCount += 1
    }

    /// Grows every earlier chunk with absent entries for new columns.
    mutating func addColumns(_ n: Int) {
        guard n > 0 else { return }
        var grown: [DirectoryEntry] = []
        grown.reserveCapacity(chunkCount * (columnCount + n))
        for c in 0..<chunkCount {
            grown.append(contentsOf: entries[(c * columnCount)..<((c + 1) * columnCount)])
            for _ in 0..<n { grown.append(.absent(rows: Int(chunkRowCounts[c]))) }
        }
        entries = grown
        columnCount += n
    }

    /// u32 chunk count, u32 column count, the chunk records, then the entries.
    func serialize(into w: inout ByteWriter) {
        w.write(UInt32(chunkCount))
        w.write(UInt32(columnCount))
        for c in 0..<chunkCount {
            w.write(chunkFirstRows[c])
            w.write(chunkRowCounts[c])
        }
        for e in entries { e.serialize(into: &w) }
    }

    /// Reads the directory of a file whose data blocks end at `dataEnd`. In a snapshot every
    /// block offset is 0: the lengths and checksums describe the data the snapshot was taken from.
    static func deserialize(from r: inout ByteReader, dataEnd: UInt64, snapshot: Bool = false) throws(BinaryDecodingError) -> Directory {
        let at = r.offset
        let chunks = Int(try r.read(UInt32.self))
        let columns = Int(try r.read(UInt32.self))
        guard chunks <= Layout.maxChunks, columns <= Layout.maxColumns else {
            throw .invalid("directory size \(chunks) × \(columns)", offset: at)
        }
        let needed = chunks * Layout.chunkRecordSize + chunks * columns * Layout.directoryEntrySize
        guard needed == r.remaining else {
            throw r.remaining < needed ? .truncated(offset: r.offset, needed: needed) : .invalid("directory length", offset: at)
        }
        var d = Directory(columnCount: columns)
        var expectedFirst: UInt64 = 0
        for _ in 0..<chunks {
            let recordAt = r.offset
            let first = try r.read(UInt64.self)
            let rows = try r.read(UInt32.self)
            guard first == expectedFirst, rows > 0 else { throw .invalid("chunk record", offset: recordAt) }
            guard rows <= Layout.maxChunkRows else {
                throw .invalid("chunk of \(rows) rows (limit \(Layout.maxChunkRows))", offset: recordAt + 8)
            }
            d.chunkFirstRows.append(first)
            d.chunkRowCounts.append(rows)
            expectedFirst += UInt64(rows)
        }
        d.chunkCount = chunks
        d.entries.reserveCapacity(chunks * columns)
        for c in 0..<chunks {
            for _ in 0..<columns {
                let entryAt = r.offset
                let e = try DirectoryEntry.deserialize(from: &r)
                guard e.rowCount == d.chunkRowCounts[c] else { throw .invalid("entry row count", offset: entryAt) }
                if e.isAbsent {
                    guard e.storedLength == 0, e.nullCount == e.rowCount else { throw .invalid("absent entry", offset: entryAt) }
                } else {
                    let located = snapshot ? e.offset == 0
                        : e.offset >= UInt64(Layout.headSize) && e.offset <= dataEnd && UInt64(e.storedLength) <= dataEnd - e.offset
                    guard located, e.rawLength <= UInt32(Layout.maxBlockBytes) else { throw .invalid("block location", offset: entryAt) }
                    guard e.decodedBytes <= DecodedSize.upperBound(type: e.physicalType, rows: Int(e.rowCount)) else {
                        throw .invalid("decoded size \(e.decodedBytes) for \(e.rowCount) rows of \(e.physicalType)", offset: entryAt + 16)
                    }
                }
                d.entries.append(e)
            }
        }
        return d
    }
}
