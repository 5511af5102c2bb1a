import ColBytes
import ColSketches

/// Reads a .col file: `open` reads the tail, the section table and the
/// sections every command needs (schema, directory, file statistics,
/// provenance); the chunk statistics, the distinct-count sketches and the
/// column chunks are read on demand with `pread`, each verified by its checksum.
///
/// Every length, offset and count in the file is checked against the file
/// size and the limits in `Layout` before anything is allocated for it.
public final class ColFileReader: Sendable {
    /// The path the file was opened at.
    public let path: String
    /// The file's size in bytes when it was opened.
    public let fileSize: Int
    /// The format version from the tail (the head must agree).
    public let majorVersion: Int
    /// The minor version; minor versions only add optional things.
    public let minorVersion: Int
    /// Optional feature flags set by the writer.
    public let optionalFeatures: UInt32
    /// True for a snapshot (`colprof snapshot`): a footer without data blocks.
    public let isSnapshot: Bool
    /// The columns, their logical types, fingerprints and widening events.
    public let schema: Schema
    /// The chunk × column directory.
    public let directory: Directory
    /// File-level statistics, one per column. From format 1.1 on, their
    /// HyperLogLog sketches are kept apart (`statisticsWithSketches()`), since
    /// only merging needs them; a 1.0 file's statistics still carry them.
    public let statistics: [ColumnStatistics]
    /// Where the data came from and how it was converted.
    public let provenance: Provenance
    /// Each column's role as stored (format 1.2); nil for an older file (see `roles()`).
    public let storedRoles: [ColumnRoleRecord]?
    /// The footer's offset and length.
    public let footerOffset: Int
    /// The footer's length in bytes, section table included.
    public let footerLength: Int

    let file: RandomAccessFile
    let sections: [UInt16: SectionEntry]
    /// The chunk statistics once read: every scan of the file asks for them.
    private let chunkStatisticsRead = PThreadLocked<[[ColumnStatistics]]?>(nil)

    /// The number of rows.
    public var rowCount: UInt64 { directory.rowCount }
    /// Bytes this reader has read from the file so far (its own I/O counter).
    public var bytesRead: Int { file.bytesRead.load(ordering: .relaxed) }
    /// Read calls issued so far.
    public var readCount: Int { file.reads.load(ordering: .relaxed) }

    /// Opens a file, reading and verifying the tail and the footer.
    public init(path: String) throws(ColFileError) {
        self.path = path
        let file = try RandomAccessFile(path: path)
        self.file = file
        let size = file.size
        fileSize = size
        let minimum = Layout.headSize + Layout.tailSize
        if size < minimum {
            let head = try file.read(at: 0, count: min(size, 4))
            if head == Layout.magic { throw .truncated(path: path, fileSize: size, needed: minimum) }
            throw .notAColFile(path: path, offset: 0)
        }
        // Two reads: the tail, then exactly the footer (so a reader never reads data it was not asked for).
        let tailAt = size - Layout.tailSize
        let tail = try file.read(at: tailAt, count: Layout.tailSize)
        if Array(tail[(Layout.tailSize - 4)...]) != Layout.magic {
            let head = try file.read(at: 0, count: 4)
            if head == Layout.magic { throw .truncated(path: path, fileSize: size, needed: size + 1) }
            throw .notAColFile(path: path, offset: size - 4)
        }
        let parsed: (tail: Tail, storedChecksum: UInt32)
        do throws(BinaryDecodingError) { parsed = try Tail.parse(tail, at: tailAt) } catch {
            throw ColFileError.from(error, path: path, what: "tail")
        }
        let footerOffset = Int(truncatingIfNeeded: parsed.tail.footerOffset)
        let footerLength = Int(truncatingIfNeeded: parsed.tail.footerLength)
        let tableLength = Int(parsed.tail.tableLength)
        let major = Int(parsed.tail.major), minor = Int(parsed.tail.minor)
        let required = parsed.tail.requiredFeatures, optional = parsed.tail.optionalFeatures
        let tableCRC = parsed.tail.tableChecksum
        let storedTailCRC = parsed.storedChecksum
        let tailCRC = Tail.checksum(tail)
        guard tailCRC == storedTailCRC else {
            throw .checksumMismatch(path: path, what: "tail", offset: tailAt, expected: storedTailCRC, actual: tailCRC)
        }
        guard major == Int(Layout.majorVersion) else { throw .unsupportedVersion(path: path, major: major, minor: minor) }
        guard required & ~Layout.knownRequiredFeatures == 0 else { throw .unknownRequiredFeatures(path: path, flags: required) }
        majorVersion = major
        minorVersion = minor
        optionalFeatures = optional
        isSnapshot = required & Layout.featureSnapshot != 0
        let snapshot = isSnapshot
        guard footerOffset >= Layout.headSize, footerLength >= 4, footerOffset <= tailAt,
              footerLength == tailAt - footerOffset, tableLength >= 4, tableLength <= footerLength
        else { throw .corrupt(path: path, what: "tail", offset: tailAt, detail: "footer location out of range") }
        self.footerOffset = footerOffset
        self.footerLength = footerLength

        // The head.
        let head = try file.read(at: 0, count: Layout.headSize)
        guard let (headMajor, headMinor) = Head.version(head) else { throw .notAColFile(path: path, offset: 0) }
        guard headMajor == major, headMinor == minor else {
            throw .corrupt(path: path, what: "head", offset: 4, detail: "version \(headMajor).\(headMinor) differs from the tail's \(major).\(minor)")
        }

        // The section table: the last `tableLength` bytes of the footer.
        let tableAt = tailAt - tableLength
        let tableBytes = try file.read(at: tableAt, count: tableLength)
        let actualTableCRC = CRC32C.checksum(tableBytes)
        guard actualTableCRC == tableCRC else {
            throw .checksumMismatch(path: path, what: "section table", offset: tableAt, expected: tableCRC, actual: actualTableCRC)
        }
        var sections: [UInt16: SectionEntry] = [:]
        do throws(BinaryDecodingError) {
            var r = ByteReader(tableBytes, baseOffset: tableAt)
            let n = Int(try r.read(UInt32.self))
            guard n <= Layout.maxSections, 4 + n * Layout.sectionEntrySize == tableLength else {
                throw BinaryDecodingError.invalid("section count \(n)", offset: tableAt)
            }
            for _ in 0..<n {
                let at = r.offset
                let e = try SectionEntry.deserialize(from: &r)
                guard e.offset >= UInt64(footerOffset), e.offset <= UInt64(tableAt), e.storedLength <= UInt64(tableAt) - e.offset,
                      e.rawLength <= UInt64(Layout.maxSectionBytes), sections[e.kind] == nil
                else { throw BinaryDecodingError.invalid("section location", offset: at) }
                sections[e.kind] = e
            }
        } catch {
            throw ColFileError.from(error, path: path, what: "section table")
        }
        self.sections = sections
        // The roles section (1.2) is read at open too, when the file has one.
        let eager = [SectionKind.schema, .directory, .fileStatistics, .provenance]
            + (sections[SectionKind.roles.rawValue] != nil ? [.roles] : [])
        var span = (start: tableAt, end: footerOffset)
        for kind in eager {
            guard let e = sections[kind.rawValue] else {
                throw .corrupt(path: path, what: "section table", offset: tableAt, detail: "no \(kind)")
            }
            span = (min(span.start, Int(e.offset)), max(span.end, Int(e.offset + e.storedLength)))
        }
        // The sections needed at open, in one read: a writer puts them last, after the
        // sections read on demand (docs/FORMAT.md §1.3).
        let spanBytes = try file.read(at: span.start, count: span.end - span.start)
        let opened = OpenedSpan(offset: span.start, bytes: spanBytes)

        func parse<T>(_ kind: SectionKind, _ body: (inout ByteReader) throws(BinaryDecodingError) -> T) throws(ColFileError) -> T {
            let (bytes, at) = try Self.loadSection(sections: sections, kind: kind, from: .opened(opened), path: path)
            do throws(BinaryDecodingError) {
                var r = ByteReader(bytes, baseOffset: at)
                let v = try body(&r)
                guard r.isAtEnd else { throw BinaryDecodingError.invalid("\(r.remaining) trailing byte(s)", offset: r.offset) }
                return v
            } catch {
                throw ColFileError.from(error, path: path, what: kind.description)
            }
        }
        schema = try parse(.schema) { (r: inout ByteReader) throws(BinaryDecodingError) in try Schema.deserialize(from: &r) }
        directory = try parse(.directory) { (r: inout ByteReader) throws(BinaryDecodingError) in
            try Directory.deserialize(from: &r, dataEnd: UInt64(footerOffset), snapshot: snapshot)
        }
        let columnCount = schema.columns.count
        statistics = try parse(.fileStatistics) { (r: inout ByteReader) throws(BinaryDecodingError) in
            let n = try r.readCount(limit: Layout.maxColumns, minBytesEach: 7)
            guard n == columnCount else { throw .invalid("statistics for \(n) of \(columnCount) columns", offset: r.offset) }
            var out: [ColumnStatistics] = []
            for _ in 0..<n { out.append(try ColumnStatistics.deserialize(from: &r)) }
            return out
        }
        provenance = try parse(.provenance) { (r: inout ByteReader) throws(BinaryDecodingError) in try Provenance.deserialize(from: &r) }
        storedRoles = sections[SectionKind.roles.rawValue] == nil ? nil
            : try parse(.roles) { (r: inout ByteReader) throws(BinaryDecodingError) in try RolesSection.deserialize(from: &r, columns: columnCount) }
        guard directory.columnCount == columnCount else {
            throw .corrupt(path: path, what: "directory section", offset: Int(sections[SectionKind.directory.rawValue]?.offset ?? 0),
                           detail: "\(directory.columnCount) columns, the schema has \(columnCount)")
        }
        for (j, c) in schema.columns.enumerated() {
            guard statistics[j].rowCount == directory.rowCount else {
                throw .corrupt(path: path, what: "file statistics section", offset: Int(sections[SectionKind.fileStatistics.rawValue]?.offset ?? 0),
                               detail: "column \(c.name) counts \(statistics[j].rowCount) rows, the directory \(directory.rowCount)")
            }
            for ch in 0..<directory.chunkCount {
                let e = directory.entry(chunk: ch, column: j)
                guard e.physicalType.canUpcast(to: c.type) else {
                    throw .corrupt(path: path, what: "directory section", offset: Int(sections[SectionKind.directory.rawValue]?.offset ?? 0),
                                   detail: "chunk \(ch) of column \(c.name) is \(e.physicalType), not readable as \(c.type)")
                }
            }
        }
        for w in schema.widenings {
            guard w.chunk < directory.chunkCount, w.row >= directory.chunkFirstRows[w.chunk],
                  w.row < directory.chunkFirstRows[w.chunk] + UInt64(directory.chunkRowCounts[w.chunk])
            else {
                throw .corrupt(path: path, what: "schema section", offset: Int(sections[SectionKind.schema.rawValue]?.offset ?? 0),
                               detail: "a widening event at chunk \(w.chunk), row \(w.row), outside the file")
            }
        }
    }

    /// Footer bytes read in one piece at open, starting at file offset `offset`.
    struct OpenedSpan {
        let offset: Int
        let bytes: [UInt8]
    }

    /// Where a section's stored bytes come from: the span read at open, or the file.
    enum SectionSource {
        case opened(OpenedSpan)
        case file(RandomAccessFile)
    }

    /// A section's payload, checked against its checksum and decompressed, and its file
    /// offset (the section table is checked to lie inside the footer before this is called).
    static func loadSection(sections: [UInt16: SectionEntry], kind: SectionKind, from source: SectionSource,
                            path: String) throws(ColFileError) -> ([UInt8], Int) {
        guard let e = sections[kind.rawValue] else { throw .invalidArgument("\(path): the file has no \(kind)") }
        let at = Int(e.offset), count = Int(e.storedLength)
        let stored: [UInt8]
        switch source {
        case let .opened(span):
            guard at >= span.offset, count <= span.offset + span.bytes.count - at else {
                throw .corrupt(path: path, what: "section table", offset: at, detail: "a range outside the footer")
            }
            stored = Array(span.bytes[(at - span.offset)..<(at - span.offset + count)])
        case let .file(file):
            stored = try file.read(at: at, count: count)
        }
        let crc = CRC32C.checksum(stored)
        guard crc == e.checksum else {
            throw .checksumMismatch(path: path, what: kind.description, offset: at, expected: e.checksum, actual: crc)
        }
        if e.codec == .none {
            guard e.rawLength == e.storedLength else {
                throw .corrupt(path: path, what: kind.description, offset: at, detail: "raw length differs from stored length")
            }
            return (stored, at)
        }
        var raw: [UInt8] = []
        let ok = stored.withUnsafeBytes { BlockCompressor().decompress($0, codec: e.codec, rawLength: Int(e.rawLength), into: &raw) }
        guard ok else { throw .corrupt(path: path, what: kind.description, offset: at, detail: "does not decompress to \(e.rawLength) bytes") }
        // Offsets inside a compressed section are reported relative to the section start.
        return (raw, at)
    }

    /// Per chunk, each column's order inside the chunk, indexed [chunk][column] (format 1.2);
    /// nil for an older file, which has no chunk-order section.
    public func chunkOrders() throws(ColFileError) -> [[ValueOrder]]? {
        let kind = SectionKind.chunkOrder
        guard sections[kind.rawValue] != nil else { return nil }
        let (bytes, at) = try Self.loadSection(sections: sections, kind: kind, from: .file(file), path: path)
        do throws(BinaryDecodingError) {
            var r = ByteReader(bytes, baseOffset: at)
            let out = try ChunkOrderSection.deserialize(from: &r, chunks: directory.chunkCount, columns: directory.columnCount)
            guard r.isAtEnd else { throw .invalid("\(r.remaining) trailing byte(s)", offset: r.offset) }
            return out
        } catch {
            throw ColFileError.from(error, path: path, what: kind.description)
        }
    }

    /// Each column's role. A file of format 1.2 or later stores them (docs/FORMAT.md §2.8); for an
    /// older file they are inferred from the chunk statistics by the same rules, as the writer would.
    public func roles() throws(ColFileError) -> [ColumnRoleRecord] {
        if let storedRoles { return storedRoles }
        let chunks = try chunkStatistics()
        return schema.columns.indices.map { j in
            var evidence = RoleEvidence(segments: .chunks)
            for chunk in chunks { evidence.add(chunk[j], order: nil) }
            return ColumnRoleRecord(role: evidence.role(type: schema.columns[j].type, merged: statistics[j]), origin: .inferred)
        }
    }

    /// Each column's HyperLogLog sketch of its distinct values, as merging statistics
    /// across files needs it; nil for a column without one (no values). Reads the
    /// distinct-sketch section (format 1.1); a 1.0 file's sketches are in its file statistics.
    public func distinctSketches() throws(ColFileError) -> [HyperLogLog?] {
        let kind = SectionKind.distinctSketches
        guard sections[kind.rawValue] != nil else { return statistics.map(\.hll) }
        let (bytes, at) = try Self.loadSection(sections: sections, kind: kind, from: .file(file), path: path)
        do throws(BinaryDecodingError) {
            var r = ByteReader(bytes, baseOffset: at)
            let n = try r.readCount(limit: Layout.maxColumns, minBytesEach: 1)
            guard n == statistics.count else { throw .invalid("sketches for \(n) of \(statistics.count) columns", offset: at) }
            var out: [HyperLogLog?] = []
            out.reserveCapacity(n)
            for _ in 0..<n {
                let flagAt = r.offset
                switch try r.readUInt8() {
                case 0: out.append(nil)
                case 1: out.append(try HyperLogLog.deserialize(from: &r))
                default: throw .invalid("sketch presence flag", offset: flagAt)
                }
            }
            guard r.isAtEnd else { throw .invalid("\(r.remaining) trailing byte(s)", offset: r.offset) }
            return out
        } catch {
            throw ColFileError.from(error, path: path, what: kind.description)
        }
    }

    /// The file statistics with their HyperLogLog sketches, for merging with other
    /// files' (`ColumnStatistics.merge`); `statistics` leaves them out from format 1.1 on.
    public func statisticsWithSketches() throws(ColFileError) -> [ColumnStatistics] {
        guard sections[SectionKind.distinctSketches.rawValue] != nil else { return statistics }
        let sketches = try distinctSketches()
        var out = statistics
        for j in out.indices where out[j].hll == nil { out[j].hll = sketches[j] }
        return out
    }

    /// Per-chunk statistics (compact sketches), indexed [chunk][column]. Reads the
    /// chunk-statistics section the first time, and keeps it; a file of one chunk has
    /// none, and its file statistics, compacted, are returned.
    public func chunkStatistics() throws(ColFileError) -> [[ColumnStatistics]] {
        if let kept = chunkStatisticsRead.withLock({ $0 }) { return kept }
        let read = try readChunkStatistics()
        chunkStatisticsRead.withLock { $0 = read }
        return read
    }

    private func readChunkStatistics() throws(ColFileError) -> [[ColumnStatistics]] {
        let kind = SectionKind.chunkStatistics
        guard sections[kind.rawValue] != nil else {
            if directory.chunkCount == 1 {
                return [(0..<statistics.count).map { j in
                    var s = statistics[j].compacted()
                    s.ingestion = nil
                    s.type = directory.entry(chunk: 0, column: j).physicalType
                    return s
                }]
            }
            return []
        }
        let (bytes, at) = try Self.loadSection(sections: sections, kind: kind, from: .file(file), path: path)
        do throws(BinaryDecodingError) {
            var r = ByteReader(bytes, baseOffset: at)
            let chunks = Int(try r.read(UInt32.self))
            let columns = Int(try r.read(UInt32.self))
            guard chunks == directory.chunkCount, columns == directory.columnCount else {
                throw BinaryDecodingError.invalid("chunk statistics shape \(chunks) × \(columns)", offset: at)
            }
            var out: [[ColumnStatistics]] = []
            out.reserveCapacity(chunks)
            for c in 0..<chunks {
                var row: [ColumnStatistics] = []
                row.reserveCapacity(columns)
                for _ in 0..<columns {
                    let s = try ColumnStatistics.deserialize(from: &r)
                    guard s.rowCount == UInt64(directory.chunkRowCounts[c]) else {
                        throw BinaryDecodingError.invalid("chunk statistics row count", offset: r.offset)
                    }
                    row.append(s)
                }
                out.append(row)
            }
            guard r.isAtEnd else { throw BinaryDecodingError.invalid("\(r.remaining) trailing byte(s)", offset: r.offset) }
            return out
        } catch {
            throw ColFileError.from(error, path: path, what: kind.description)
        }
    }

    /// Reads one column of one chunk in its stored (physical) type.
    public func readStoredColumn(chunk c: Int, column j: Int) throws(ColFileError) -> ColumnVector {
        guard c >= 0, c < directory.chunkCount, j >= 0, j < directory.columnCount else {
            throw .invalidArgument("\(path): no chunk \(c), column \(j)")
        }
        let e = directory.entry(chunk: c, column: j)
        let what = "chunk \(c) column \(j) (\(schema.columns[j].name))"
        let cost = DecodeLimit.cost(type: e.physicalType, rows: Int(e.rowCount), nulls: Int(e.nullCount), decodedBytes: Int(e.decodedBytes))
        guard cost <= DecodeLimit.bytes else {
            throw .limitExceeded(path: path, what: "\(what) at byte \(e.offset): decoded bytes (COL_DECODE_LIMIT)", value: UInt64(cost),
                                 limit: UInt64(DecodeLimit.bytes))
        }
        if e.isAbsent { return .nulls(type: .null, count: Int(e.rowCount)) }
        guard !isSnapshot else { throw .snapshotHasNoData(path: path) }
        let stored = try file.read(at: Int(e.offset), count: Int(e.storedLength))
        let crc = CRC32C.checksum(stored)
        guard crc == e.checksum else {
            throw .checksumMismatch(path: path, what: what, offset: Int(e.offset), expected: e.checksum, actual: crc)
        }
        var page: [UInt8] = []
        let ok = stored.withUnsafeBytes { BlockCompressor().decompress($0, codec: e.codec, rawLength: Int(e.rawLength), into: &page) }
        guard ok else {
            throw .corrupt(path: path, what: what, offset: Int(e.offset), detail: "does not decompress to \(e.rawLength) bytes")
        }
        let v: ColumnVector
        do throws(BinaryDecodingError) {
            // The directory's decoded size bounds the text before it is gathered, and must match after.
            let fixedPart = DecodedSize.arrowBytes(type: e.physicalType, rows: Int(e.rowCount), nulls: Int(e.nullCount), stringBytes: 0)
            v = try PageDecoder.decode(page, type: e.physicalType, rows: Int(e.rowCount), encoding: e.encoding,
                                       maxStringBytes: max(Int(e.decodedBytes) - fixedPart, 0))
        } catch {
            throw ColFileError.from(error, path: path, what: what + " page").relocated(base: Int(e.offset))
        }
        guard v.nullCount == Int(e.nullCount) else {
            throw .corrupt(path: path, what: what, offset: Int(e.offset), detail: "\(v.nullCount) nulls, the directory says \(e.nullCount)")
        }
        guard v.decodedBytes == Int(e.decodedBytes) else {
            throw .corrupt(path: path, what: what, offset: Int(e.offset), detail: "decodes to \(v.decodedBytes) bytes, the directory says \(e.decodedBytes)")
        }
        return v
    }

    /// Reads one column of one chunk, upcast to the column's logical type.
    public func readColumn(chunk c: Int, column j: Int) throws(ColFileError) -> ColumnVector {
        let v = try readStoredColumn(chunk: c, column: j)
        return v.upcast(to: schema.columns[j].type)
    }
}

extension ColFileError {
    /// Page offsets are relative to the decompressed page; report them as "block at X, page byte Y".
    func relocated(base: Int) -> ColFileError {
        if case let .corrupt(path, what, offset, detail) = self {
            return .corrupt(path: path, what: what, offset: base, detail: "\(detail) (page byte \(offset))")
        }
        return self
    }
}
