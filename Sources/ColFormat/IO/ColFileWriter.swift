import ColBytes
#if canImport(Glibc)
import Glibc
#endif

/// Writes a .col file: append chunks of typed columns, then `finish`.
///
/// The file is written under a temporary name in the destination folder,
/// fsynced, and renamed into place by `finish`; `abort` (or dropping an
/// unfinished writer) removes it, so a failed write leaves nothing behind.
/// Columns may be added between chunks; earlier chunks read them as null.
/// A chunk may store a column in a narrower type than the file's logical
/// type; each widening is recorded with its chunk and row.
public final class ColFileWriter {
    /// The columns so far, with their logical types.
    public private(set) var columns: [ColumnDescriptor]
    /// Rows appended so far.
    public private(set) var rowCount: UInt64 = 0
    /// The codec, level and forced encoding every chunk is written with.
    public let options: WriterOptions
    /// The destination path (the file appears there at `finish`).
    public var path: String { file.path }

    private let file: AtomicFile
    private var directory: Directory
    /// Each column's statistics over the chunks so far; a box per column, so the encoding
    /// tasks of one chunk (one per column) merge into them in parallel.
    private var fileStatistics: [FileStatisticsBox]
    /// Each chunk's compacted statistics, one zstd frame per chunk, kept on disk until the footer.
    private let chunkStatisticsSpill: SpillFile
    /// Per chunk: offset and length of its frame in the spill file, its raw length, and its column count.
    private var chunkStatisticsFrames: [(offset: Int, length: Int, raw: Int, columns: Int)] = []
    private let statisticsCompressor = BlockCompressor()
    private var widenings: [WideningEvent] = []
    /// Each chunk's order record (docs/FORMAT.md §2.7), a few bytes per column.
    private var chunkOrders = ByteWriter()
    private var finished = false
    /// Roles the user gave, by column name; they are stored as declared, and every other
    /// column's role is inferred from its statistics (docs/PROFILE.md, "Roles").
    public var declaredRoles: [String: ColumnRole] = [:]
    /// True for a snapshot: chunks are described, not written (docs/FORMAT.md §1.4).
    private var isSnapshot = false
    /// The columns' names, as bytes: a name appears once in a file.
    private var names: Set<[UInt8]>
    /// A snapshot's roles, given whole by `finishSnapshot`.
    private var givenRoles: [ColumnRoleRecord]?

    /// Creates the temporary file next to `path`.
    public init(path: String, columns: [ColumnDescriptor] = [], options: WriterOptions = WriterOptions()) throws(ColFileError) {
        var names = Set<[UInt8]>()
        for (j, c) in columns.enumerated() {
            try Self.check(c, index: j)
            guard names.insert(Array(c.name.utf8)).inserted else { throw Self.repeated(c.name, index: j) }
        }
        self.names = names
        guard columns.count <= Layout.maxColumns else {
            throw .invalidArgument("\(columns.count) columns; a .col file holds at most \(Layout.maxColumns)")
        }
        self.options = options
        self.columns = columns.map { ColumnDescriptor(name: $0.name, type: .null, nullable: false, sourcePath: $0.sourcePath) }
        file = try AtomicFile(path: path)
        chunkStatisticsSpill = try SpillFile(in: file.stagingDirectory, for: path)
        directory = Directory(columnCount: columns.count)
        fileStatistics = columns.map { _ in FileStatisticsBox(ColumnStatistics(type: .null)) }
        var head = ByteWriter(capacity: Layout.headSize)
        Head.serialize(into: &head)
        try file.write(head.bytes)
    }

    deinit { if !finished { file.abort() } }

    // MARK: snapshots

    /// A writer of a snapshot (docs/FORMAT.md §1.4): the footer of some data, with no data
    /// blocks. `columns` have their final types. Describe each chunk with
    /// `appendChunkDescription`, then call `finishSnapshot`.
    public static func snapshot(path: String, columns: [ColumnDescriptor]) throws(ColFileError) -> ColFileWriter {
        let w = try ColFileWriter(path: path, columns: columns)
        w.columns = columns
        w.isSnapshot = true
        return w
    }

    /// Describes the next chunk of a snapshot: each column's directory entry (its block offset is
    /// written as 0), its compact statistics and its order. Checks what a reader checks.
    public func appendChunkDescription(_ entries: [DirectoryEntry], statistics: [ColumnStatistics],
                                       orders: [ValueOrder]) throws(ColFileError) {
        guard isSnapshot, !finished else { throw .invalidArgument("appendChunkDescription is for an unfinished snapshot") }
        guard entries.count == columns.count, statistics.count == columns.count, orders.count == columns.count else {
            throw .invalidArgument("a chunk description of \(entries.count) columns, the snapshot has \(columns.count)")
        }
        guard let rows = entries.first.map({ Int($0.rowCount) }), rows > 0 else { throw .invalidArgument("a chunk of no rows") }
        var blob = ByteWriter(capacity: 256 * columns.count)
        var described: [DirectoryEntry] = []
        described.reserveCapacity(entries.count)
        for (j, e) in entries.enumerated() {
            guard Int(e.rowCount) == rows, statistics[j].rowCount == UInt64(rows), e.physicalType.canUpcast(to: columns[j].type) else {
                throw .invalidArgument("column \(columns[j].name): a chunk description that does not fit the chunk or the column's type")
            }
            var d = e
            d.offset = 0
            described.append(d)
            statistics[j].serialize(into: &blob)
        }
        ChunkOrderSection.appendChunk(orders, to: &chunkOrders)
        directory.appendChunk(firstRow: rowCount, rows: rows, entries: described)
        let frame = try zstdFrame(blob.bytes)
        let at = try chunkStatisticsSpill.append(frame)
        chunkStatisticsFrames.append((at, frame.count, blob.count, columns.count))
        rowCount += UInt64(rows)
    }

    /// Writes a snapshot's footer: each column's statistics over the whole data (with its
    /// HyperLogLog sketch, when known), roles and widening events, then renames it into place.
    public func finishSnapshot(statistics: [ColumnStatistics], roles: [ColumnRoleRecord], widenings: [WideningEvent],
                               provenance: Provenance) throws(ColFileError) {
        guard isSnapshot else { throw .invalidArgument("finishSnapshot is for a snapshot") }
        guard statistics.count == columns.count, roles.count == columns.count,
              statistics.allSatisfy({ $0.rowCount == rowCount }) else {
            abort()
            throw .invalidArgument("snapshot statistics that do not match its \(columns.count) columns of \(rowCount) rows")
        }
        for w in widenings {
            guard w.column < columns.count, w.chunk < directory.chunkCount, w.row >= directory.chunkFirstRows[w.chunk],
                  w.row < directory.chunkFirstRows[w.chunk] + UInt64(directory.chunkRowCounts[w.chunk]) else {
                abort()
                throw .invalidArgument("a widening event at chunk \(w.chunk), row \(w.row), outside the snapshot")
            }
        }
        for (j, s) in statistics.enumerated() { fileStatistics[j].value = s }
        self.widenings = widenings
        givenRoles = roles
        try finish(provenance: provenance)
    }

    /// Refuses what a reader would refuse: names and source paths over `Layout.maxNameBytes`.
    static func check(_ c: ColumnDescriptor, index j: Int) throws(ColFileError) {
        for (what, text) in [("name", c.name), ("source path", c.sourcePath)] where text.utf8.count > Layout.maxNameBytes {
            throw .invalidArgument("column \(j + 1): a \(what) of \(text.utf8.count) bytes (limit \(Layout.maxNameBytes))")
        }
    }

    /// Adds a column; rows already written read as null in it. Returns its index.
    /// Throws when the name is too long or the file already has `Layout.maxColumns` columns.
    @discardableResult
    public func addColumn(_ column: ColumnDescriptor) throws(ColFileError) -> Int {
        try Self.check(column, index: columns.count)
        guard !names.contains(Array(column.name.utf8)) else { throw Self.repeated(column.name, index: columns.count) }
        guard columns.count < Layout.maxColumns else {
            throw .invalidArgument("column \(columns.count + 1): a .col file holds at most \(Layout.maxColumns) columns")
        }
        columns.append(ColumnDescriptor(name: column.name, type: .null, nullable: rowCount > 0, sourcePath: column.sourcePath))
        names.insert(Array(column.name.utf8))
        directory.addColumns(1)
        var s = ColumnStatistics(type: .null)
        s.rowCount = rowCount
        s.nullCount = rowCount
        fileStatistics.append(FileStatisticsBox(s))
        return columns.count - 1
    }

    /// Encodes (columns in parallel) and appends one chunk. `chunk` has one
    /// vector per column, all of the same row count. `firstRowOfType` may give,
    /// per column, the row within the chunk of the first value that needed the
    /// chunk's type (recorded if the chunk widens the column); it defaults to 0.
    public func append(_ chunk: [ColumnVector], firstRowOfType: [Int]? = nil,
                       ingestion: [IngestionStatistics]? = nil) throws(ColFileError) {
        guard !finished, !isSnapshot else { throw .invalidArgument("append after finish, or to a snapshot") }
        guard chunk.count == columns.count else {
            throw .invalidArgument("chunk has \(chunk.count) columns, the file has \(columns.count)")
        }
        let rows = chunk.first?.count ?? 0
        guard rows > 0 else { return }
        guard chunk.allSatisfy({ $0.count == rows }) else { throw .invalidArgument("columns of a chunk differ in row count") }
        guard rows <= Layout.maxChunkRows else { throw .invalidArgument("chunk of \(rows) rows is too large") }
        for v in chunk where v.type.isVariableLength && v.bytes.count > Int(UInt32.max) {
            throw .invalidArgument("a string column of one chunk holds more than 4 GiB")
        }
        let encode = encoder()
        let checksText = !options.textIsValidated
        let results = parallelMap(chunk.count) { j -> (EncodedColumn?, textIsValid: Bool) in
            guard !checksText || Self.textIsValid(chunk[j]) else { return (nil, false) }
            return (encode(j, chunk[j]), true)
        }
        var encoded: [EncodedColumn] = []
        for (j, e) in results.enumerated() {
            guard e.textIsValid else { throw Self.notUTF8(columns[j].name) }
            guard let e = e.0 else { throw Self.blockTooLarge(columns[j].name) }
            encoded.append(e)
        }
        try append(encoded: encoded, rows: rows, firstRowOfType: firstRowOfType, ingestion: ingestion)
    }

    /// One column of a chunk produced by `append(rows:_:)`.
    public struct ChunkColumn: Sendable {
        /// The column's values in the chunk, in their physical type.
        public var vector: ColumnVector
        /// The row within the chunk of the first value that needed the vector's type.
        public var firstRowOfType: Int
        /// How the values were typed at ingestion, when known.
        public var ingestion: IngestionStatistics?

        /// A produced column.
        public init(vector: ColumnVector, firstRowOfType: Int = 0, ingestion: IngestionStatistics? = nil) {
            self.vector = vector
            self.firstRowOfType = firstRowOfType
            self.ingestion = ingestion
        }
    }

    /// Appends a chunk whose columns are produced by `make`, which runs for
    /// every column in parallel together with that column's encoding.
    public func append(rows: Int, _ make: @Sendable (Int) -> ChunkColumn) throws(ColFileError) {
        guard !finished, !isSnapshot else { throw .invalidArgument("append after finish, or to a snapshot") }
        guard rows > 0 else { return }
        guard rows <= Layout.maxChunkRows else { throw .invalidArgument("chunk of \(rows) rows is too large") }
        let encode = encoder()
        let checksText = !options.textIsValidated
        let produced = parallelMap(columns.count) { j -> (EncodedColumn?, ChunkColumn, textIsValid: Bool) in
            let c = make(j)
            guard c.vector.count == rows, !(c.vector.type.isVariableLength && c.vector.bytes.count > Int(UInt32.max)) else {
                return (nil, c, true)
            }
            guard !checksText || Self.textIsValid(c.vector) else { return (nil, c, false) }
            return (encode(j, c.vector), c, true)
        }
        var encoded: [EncodedColumn] = []
        for (j, p) in produced.enumerated() {
            guard p.1.vector.count == rows else {
                throw .invalidArgument("column \(columns[j].name): \(p.1.vector.count) rows where the chunk has \(rows)")
            }
            guard p.textIsValid else { throw Self.notUTF8(columns[j].name) }
            guard let e = p.0 else { throw Self.blockTooLarge(columns[j].name) }
            encoded.append(e)
        }
        let ingestion = produced.compactMap(\.1.ingestion)
        try append(encoded: encoded, rows: rows, firstRowOfType: produced.map(\.1.firstRowOfType),
                   ingestion: ingestion.count == produced.count ? ingestion : nil)
    }

    /// Whether a string column's values are each UTF-8, as a reader requires (a json column's
    /// text is not checked, as a reader does not check it either).
    static func textIsValid(_ v: ColumnVector) -> Bool {
        v.type != .string || PageDecoder.isValidUTF8(v.bytes, offsets: v.offsets)
    }

    /// The error for a column name used twice: a reader finds columns by name.
    static func repeated(_ name: String, index j: Int) -> ColFileError {
        .invalidArgument("column \(j + 1): the name '\(name)' is already a column's; names in a .col file are unique")
    }

    /// The error for a string column with a value that is not UTF-8: the file would not read back.
    static func notUTF8(_ column: String) -> ColFileError {
        .invalidArgument("column \(column): a string value is not UTF-8 (store bytes that are not text in a json column, or replace them)")
    }

    /// The error for a column chunk too large to store as one block.
    static func blockTooLarge(_ column: String) -> ColFileError {
        .invalidArgument("column \(column): one chunk of it would be a block over \(Layout.maxBlockBytes) bytes, "
                         + "the most a reader accepts; smaller chunks (--chunk-bytes, --chunk-rows) keep it readable")
    }

    /// The task that encodes column j of a chunk, run for every column in parallel: it
    /// computes the statistics, encodes and compresses the values, merges the statistics
    /// into the column's file statistics and serializes the chunk's compacted statistics, so
    /// the chunk's full sketches (a dense HyperLogLog is 16 KiB) are freed column by column
    /// instead of being held for every column until the chunk is written. A column's file
    /// statistics are only touched by its own task. After a failed `append` the writer can
    /// only be aborted (the converters do).
    private func encoder() -> @Sendable (Int, ColumnVector) -> EncodedColumn? {
        let options = self.options
        let exactLimit = ColumnStatistics.exactDistinctLimit(columns: columns.count)
        let types = columns.map(\.type)
        let files = fileStatistics
        return { j, vector in
            guard let e = encodeColumn(vector, options: options, exactLimit: exactLimit) else { return nil }
            files[j].value.merge(e.statistics, as: types[j].widened(with: e.entry.physicalType))
            files[j].evidence.add(e.statistics, order: e.statistics.order)
            var w = ByteWriter(capacity: 256)
            e.statistics.compacted().serialize(into: &w)
            return EncodedColumn(stored: e.stored, entry: e.entry, compactedStatistics: w.bytes, order: e.statistics.order ?? ValueOrder())
        }
    }

    func append(encoded: [EncodedColumn], rows: Int, firstRowOfType: [Int]?, ingestion: [IngestionStatistics]?) throws(ColFileError) {
        let chunkIndex = directory.chunkCount
        var entries: [DirectoryEntry] = []
        var blob = ByteWriter(capacity: encoded.reduce(0) { $0 + $1.compactedStatistics.count })
        entries.reserveCapacity(encoded.count)
        ChunkOrderSection.appendChunk(encoded.map(\.order), to: &chunkOrders)
        for (j, col) in encoded.enumerated() {
            var entry = col.entry
            entry.offset = UInt64(file.offset)
            try file.write(col.stored)
            entries.append(entry)
            let physical = col.entry.physicalType
            let logical = columns[j].type.widened(with: physical)
            if logical != columns[j].type && columns[j].type != .null {
                let at = firstRowOfType?[j] ?? 0
                widenings.append(WideningEvent(column: j, chunk: chunkIndex, row: rowCount + UInt64(at),
                                               from: columns[j].type, to: logical))
            }
            columns[j].type = logical
            if col.entry.nullCount > 0 { columns[j].nullable = true }
            blob.writeRaw(col.compactedStatistics)
            if let ingestion, j < ingestion.count {
                let box = fileStatistics[j]
                if box.value.ingestion == nil { box.value.ingestion = ingestion[j] } else {
                    box.value.ingestion?.merge(ingestion[j])
                }
            }
        }
        directory.appendChunk(firstRow: rowCount, rows: rows, entries: entries)
        let frame = try zstdFrame(blob.bytes)
        let at = try chunkStatisticsSpill.append(frame)
        chunkStatisticsFrames.append((at, frame.count, blob.count, encoded.count))
        rowCount += UInt64(rows)
    }

    /// Writes the footer and the tail, fsyncs, and renames the file into place.
    public func finish(provenance: Provenance = Provenance()) throws(ColFileError) {
        guard !finished else { throw .invalidArgument("finish called twice") }
        do {
            try writeFooter(provenance: provenance)
            try file.commit()
            finished = true
        } catch {
            file.abort()
            finished = true
            throw error
        }
    }

    /// Abandons the file: the temporary file is removed and nothing reaches the destination.
    public func abort() {
        guard !finished else { return }
        finished = true
        file.abort()
    }

    /// Streams the chunk-statistics section from the spill file: a frame with the
    /// chunk and column counts, then each chunk's frame, plus a frame of null
    /// statistics for columns added after that chunk.
    private func writeChunkStatistics() throws(ColFileError) -> SectionEntry {
        let start = file.offset
        var crc: UInt32 = 0
        var raw = 0
        func emit(_ frame: [UInt8], rawLength: Int) throws(ColFileError) {
            crc = frame.withUnsafeBytes { CRC32C.checksum($0, previous: crc) }
            raw += rawLength
            try file.write(frame)
        }
        var header = ByteWriter(capacity: 8)
        header.write(UInt32(directory.chunkCount))
        header.write(UInt32(columns.count))
        try emit(try zstdFrame(header.bytes), rawLength: header.count)
        var absent = ByteWriter()
        for (c, f) in chunkStatisticsFrames.enumerated() {
            try emit(try chunkStatisticsSpill.read(at: f.offset, count: f.length), rawLength: f.raw)
            guard f.columns < columns.count else { continue }
            absent.reset()
            var nulls = ColumnStatistics(type: .null)
            nulls.rowCount = UInt64(directory.chunkRowCounts[c])
            nulls.nullCount = nulls.rowCount
            nulls.distinctCount = 0
            nulls.distinctExact = true
            for _ in f.columns..<columns.count { nulls.serialize(into: &absent) }
            try emit(try zstdFrame(absent.bytes), rawLength: absent.count)
        }
        return SectionEntry(kind: SectionKind.chunkStatistics.rawValue, codec: .zstd, checksum: crc, offset: UInt64(start),
                            storedLength: UInt64(file.offset - start), rawLength: UInt64(raw))
    }

    /// `bytes` as one zstd frame, even when compression does not pay (sections of frames need every part framed).
    private func zstdFrame(_ bytes: [UInt8]) throws(ColFileError) -> [UInt8] {
        guard let frame = bytes.withUnsafeBytes({ statisticsCompressor.frame($0, level: 3) }) else {
            throw .io(path: path, operation: "zstd compression of chunk statistics", errno: ENOMEM)
        }
        return frame
    }

    /// Each column's role: declared, or inferred from the evidence of its chunks.
    private func roles() -> [ColumnRoleRecord] {
        columns.indices.map { j in
            let box = fileStatistics[j]
            let order = box.value.order ?? ValueOrder()
            if let declared = declaredRoles[columns[j].name] { return ColumnRoleRecord(role: declared, origin: .declared, order: order) }
            return ColumnRoleRecord(role: box.evidence.role(type: columns[j].type, merged: box.value), origin: .inferred, order: order)
        }
    }

    private func writeFooter(provenance: Provenance) throws(ColFileError) {
        let names = Set(columns.map(\.name))
        if let unknown = declaredRoles.keys.sorted().first(where: { !names.contains($0) }) {
            throw .invalidArgument("a role is declared for '\(unknown)', which is not a column (columns: \(columns.map(\.name).joined(separator: ", ")))")
        }
        let footerOffset = file.offset
        let schema = Schema(columns: columns, widenings: widenings)
        var sections: [(SectionKind, [UInt8], Codec)] = []
        // The HyperLogLog sketches, which only merging needs, go in their own section, before the
        // sections a reader needs at open, so those stay one contiguous read (docs/FORMAT.md §1.3).
        var w = ByteWriter(capacity: 1 << 16)
        w.writeVarint(fileStatistics.count)
        for box in fileStatistics {
            if let hll = box.value.hll {
                w.write(UInt8(1))
                hll.serialize(into: &w)
            } else {
                w.write(UInt8(0))
            }
        }
        sections.append((.distinctSketches, w.bytes, .zstd))
        w = ByteWriter(capacity: 16 + chunkOrders.count)
        ChunkOrderSection.serialize(chunks: directory.chunkCount, columns: columns.count, body: chunkOrders.bytes, into: &w)
        sections.append((.chunkOrder, w.bytes, .zstd))
        w = ByteWriter(capacity: 4096)
        schema.serialize(into: &w)
        sections.append((.schema, w.bytes, .none))
        w = ByteWriter(capacity: 64 + directory.entries.count * Layout.directoryEntrySize)
        directory.serialize(into: &w)
        sections.append((.directory, w.bytes, .none))
        w = ByteWriter(capacity: 1 << 16)
        w.writeVarint(fileStatistics.count)
        for box in fileStatistics {
            var s = box.value
            s.hll = nil
            s.serialize(into: &w)
        }
        // lz4, not zstd: every profile decompresses this section, and lz4 does it several times faster.
        sections.append((.fileStatistics, w.bytes, .lz4))
        w = ByteWriter(capacity: 1024)
        provenance.serialize(into: &w)
        sections.append((.provenance, w.bytes, .none))
        w = ByteWriter(capacity: 16 + columns.count * 8)
        RolesSection.serialize(givenRoles ?? roles(), into: &w)
        sections.append((.roles, w.bytes, .none))
        var table: [SectionEntry] = []
        // With one chunk the chunk statistics repeat the file statistics: the section is left out.
        // The reader refuses a section over `Layout.maxSectionBytes`: refuse to write one.
        if directory.chunkCount > 1 {
            let entry = try writeChunkStatistics()
            guard entry.rawLength <= UInt64(Layout.maxSectionBytes) else {
                throw .invalidArgument("the chunk statistics would be \(entry.rawLength) bytes (limit \(Layout.maxSectionBytes)); "
                                       + "fewer columns, or larger chunks (--chunk-rows), keep it readable")
            }
            table.append(entry)
        }
        for (kind, raw, _) in sections where raw.count > Layout.maxSectionBytes {
            throw .invalidArgument("the \(kind) would be \(raw.count) bytes (limit \(Layout.maxSectionBytes)); "
                                   + "fewer or shorter column names, or fewer chunks, keep it readable")
        }
        // Section payloads first, then the table, then the tail.
        let compressor = BlockCompressor()
        for (kind, raw, requested) in sections {
            let codec = raw.withUnsafeBytes { compressor.compress($0, codec: requested, level: 3) }
            let stored = compressor.output
            table.append(SectionEntry(kind: kind.rawValue, codec: codec, checksum: CRC32C.checksum(stored),
                                      offset: UInt64(file.offset), storedLength: UInt64(stored.count), rawLength: UInt64(raw.count)))
            try file.write(stored)
        }
        w = ByteWriter(capacity: 4 + table.count * Layout.sectionEntrySize)
        w.write(UInt32(table.count))
        for e in table { e.serialize(into: &w) }
        let tableCRC = CRC32C.checksum(w.bytes)
        try file.write(w.bytes)
        var tail = ByteWriter(capacity: Layout.tailSize)
        Tail(footerOffset: UInt64(footerOffset), footerLength: UInt64(file.offset - footerOffset), tableLength: UInt32(w.count),
             major: Layout.majorVersion, minor: Layout.minorVersion, requiredFeatures: isSnapshot ? Layout.featureSnapshot : 0,
             optionalFeatures: (directory.chunkCount > 1 ? Layout.featureChunkStatistics : 0) | Layout.featureDistinctSketches
                | Layout.featureChunkOrder | Layout.featureRoles,
             tableChecksum: tableCRC)
            .serialize(into: &tail)
        try file.write(tail.bytes)
    }
}

/// One column's file statistics, merged into by that column's encoding task only
/// (`ColFileWriter.encoder`), never by two threads at once.
final class FileStatisticsBox: @unchecked Sendable {
    var value: ColumnStatistics
    /// The evidence for the column's role, chunk by chunk.
    var evidence = RoleEvidence(segments: .chunks)
    init(_ value: ColumnStatistics) { self.value = value }
}
