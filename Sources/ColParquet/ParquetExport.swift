// .col → Parquet (docs/PARQUET.md): one row group per chunk, a flat schema, one data page per
// column chunk, PLAIN values with RLE definition levels, zstd or no compression, column
// statistics from our own, the page index, and our profile in the key-value metadata.
//
// Design note. Memory holds one column of one chunk (read, upcast to the file's type, encoded,
// compressed, written) and the footer's metadata, which grows with row groups × columns, as a
// .col directory does. The file is written under a temporary name and renamed into place,
// like every .col file.

import ColBytes
import ColFormat

/// How a Parquet file is written.
public struct ParquetOptions: Sendable {
    /// zstd (the default) or uncompressed.
    public var codec: ParquetCodec = .zstd
    /// The zstd level.
    public var level: Int32 = 3
    /// The `created_by` string, e.g. "colconv version 0.1.0".
    public var createdBy = "colconv"
    /// Key-value metadata (our schema fingerprint and profile).
    public var keyValues: [(String, String)] = []

    /// The defaults.
    public init() {}
}

/// What an export wrote.
public struct ParquetSummary: Sendable {
    /// Rows written.
    public var rows: UInt64
    /// Row groups (one per chunk).
    public var rowGroups: Int
    /// The file's size in bytes.
    public var bytes: Int
}

/// Writes Parquet files from .col files.
public enum ParquetExport {
    /// The physical type and annotation a logical type is written as.
    static func mapping(_ t: LogicalType) -> (PhysicalType, Annotation?) {
        switch t {
        case .null: (.int32, .null)
        case .bool: (.boolean, nil)
        case .int64: (.int64, nil)
        case .float64: (.double, nil)
        case .string: (.byteArray, .string)
        case .date: (.int32, .date)
        case .timestamp: (.int64, .timestampMicrosUTC)
        case .json: (.byteArray, .json)
        }
    }

    /// A statistic bound, PLAIN-encoded without a length prefix (`zero` is the sign a zero takes:
    /// -0.0 for a minimum, +0.0 for a maximum, as parquet.thrift asks).
    static func bound(_ s: Scalar, minimum: Bool) -> [UInt8]? {
        var out: [UInt8] = []
        switch s {
        case let .bool(b): out.append(b ? 1 : 0)
        case let .int64(v), let .timestamp(v): ParquetPlain.appendLittleEndian(UInt64(bitPattern: v), 8, to: &out)
        case let .float64(d):
            guard !d.isNaN else { return nil }
            let v = d == 0 ? (minimum ? -0.0 : 0.0) : d
            ParquetPlain.appendLittleEndian(v.bitPattern, 8, to: &out)
        case let .date(d): ParquetPlain.appendLittleEndian(UInt64(UInt32(bitPattern: d)), 4, to: &out)
        case let .string(b), let .json(b): out = b
        }
        return out
    }

    /// Column statistics for a chunk, from ours.
    static func statistics(_ s: ColumnStatistics, type: LogicalType) -> PageStatistics {
        var p = PageStatistics()
        p.nullCount = Int64(clamping: s.nullCount)
        if s.distinctExact, let d = s.distinctCount { p.distinctCount = Int64(clamping: d) }
        if type == .float64 { p.nanCount = Int64(clamping: s.nanCount) }
        if type != .null, s.valueCount > 0, let lo = s.min, let hi = s.max, let min = bound(lo, minimum: true), let max = bound(hi, minimum: false) {
            p.minValue = min
            p.maxValue = max
            p.minIsExact = s.minExact
            p.maxIsExact = s.maxExact
        }
        return p
    }

    /// Writes `reader`'s rows to `path` as Parquet.
    public static func write(_ reader: ColFileReader, to path: String, options: ParquetOptions = ParquetOptions()) throws(ColFileError) -> ParquetSummary {
        guard options.codec == .zstd || options.codec == .uncompressed else {
            throw .invalidArgument("Parquet export writes zstd or uncompressed pages")
        }
        let file = try AtomicFile(path: path)
        do {
            let summary = try write(reader, into: file, options: options)
            try file.commit()
            return summary
        } catch {
            file.abort()
            throw error
        }
    }

    /// Compresses and writes one page with its header; returns the bytes written, header
    /// included, before and after compression.
    static func writePage(_ page: [UInt8], kind: PageHeader.Kind, column: String, into file: AtomicFile, options: ParquetOptions,
                          compressor: BlockCompressor) throws(ColFileError) -> (uncompressed: Int64, compressed: Int64) {
        let body: [UInt8]
        if options.codec == .zstd {
            guard let frame = page.withUnsafeBytes({ compressor.frame($0, level: options.level) }) else {
                throw .io(path: file.path, operation: "zstd compression of a Parquet page", errno: 12)
            }
            body = frame
        } else {
            body = page
        }
        guard page.count <= Int(Int32.max), body.count <= Int(Int32.max) else {
            throw .invalidArgument("column \(column): a chunk's Parquet page would be over 2 GiB; smaller chunks (--chunk-rows) keep it writable")
        }
        let header = PageHeader(uncompressedSize: Int32(page.count), compressedSize: Int32(body.count), kind: kind).serialized()
        try file.write(header)
        try file.write(body)
        return (Int64(header.count + page.count), Int64(header.count + body.count))
    }

    /// Rows a chunk column's encodings are compared on.
    static let sampleRows = 16_384

    /// The encoding of a chunk column's data page whose values take the fewest bytes, compressed
    /// as the page will be, judged on the first `sampleRows` rows and scaled to the chunk: PLAIN;
    /// RLE_DICTIONARY when `dictionary` exists (with its dictionary page, compressed, added);
    /// BYTE_STREAM_SPLIT for doubles (random doubles compress better split into byte streams,
    /// decimal-like ones worse). DuckDB chooses by an analyze phase in the same spirit.
    static func chooseEncoding(_ v: ColumnVector, dictionary: ChunkDictionary?, options: ParquetOptions,
                               compressor: BlockCompressor) -> PageEncoding {
        var candidates: [PageEncoding] = [.plain]
        if dictionary != nil { candidates.append(.rleDictionary) }
        if v.type == .float64 { candidates.append(.byteStreamSplit) }
        guard candidates.count > 1 else { return .plain }
        let sample = v.count <= sampleRows ? v : v.slice(0..<sampleRows)
        let present = v.count - v.nullCount, samplePresent = sample.count - sample.nullCount
        guard samplePresent > 0 else { return candidates[1] }
        let scale = Double(present) / Double(samplePresent)
        func size(_ bytes: [UInt8]) -> Int {
            guard options.codec == .zstd else { return bytes.count }
            return bytes.withUnsafeBytes { compressor.frame($0, level: options.level) }?.count ?? bytes.count
        }
        var best = (encoding: PageEncoding.plain, bytes: Double.infinity)
        var values: [UInt8] = []
        for e in candidates {
            values.removeAll(keepingCapacity: true)
            appendValues(sample, encoding: e, dictionary: dictionary, indices: 0..<samplePresent, to: &values)
            var estimate = Double(size(values)) * scale
            if e == .rleDictionary, let dictionary { estimate += Double(size(dictionary.plain)) }
            if estimate < best.bytes { best = (e, estimate) }
        }
        return best.encoding
    }

    /// Appends the values of `v`'s non-null rows in `encoding`: PLAIN; the bit width and hybrid
    /// runs of `dictionary`'s indices `indices`; or BYTE_STREAM_SPLIT (byte k of every value, then byte k + 1).
    static func appendValues(_ v: ColumnVector, encoding: PageEncoding, dictionary: ChunkDictionary?, indices: Range<Int>,
                             to out: inout [UInt8]) {
        switch encoding {
        case .rleDictionary:
            guard let dictionary else { return ParquetPlain.append(v, to: &out) }
            out.append(UInt8(dictionary.bitWidth))
            ParquetPlain.appendHybrid(count: indices.count, bitWidth: dictionary.bitWidth, to: &out) { dictionary.indices[indices.lowerBound + $0] }
        case .byteStreamSplit:
            var plain: [UInt8] = []
            ParquetPlain.append(v, to: &plain)
            let n = plain.count / 8
            let start = out.count
            out += repeatElement(0, count: plain.count)
            out.withUnsafeMutableBufferPointer { o in
                plain.withUnsafeBufferPointer { p in
                    for i in 0..<n {
                        for k in 0..<8 { o[start + k * n + i] = p[i * 8 + k] }
                    }
                }
            }
        default:
            ParquetPlain.append(v, to: &out)
        }
    }

    static func write(_ reader: ColFileReader, into file: AtomicFile, options: ParquetOptions) throws(ColFileError) -> ParquetSummary {
        let magic: [UInt8] = Array("PAR1".utf8)
        try file.write(magic)
        let columns = reader.schema.columns
        let chunkStatistics = try reader.chunkStatistics()
        let compressor = BlockCompressor()
        var rowGroups: [RowGroup] = []
        var indexes: [[(column: ColumnIndex?, offset: OffsetIndex)]] = []
        var page: [UInt8] = []
        for c in 0..<reader.directory.chunkCount {
            let rows = Int(reader.directory.chunkRowCounts[c])
            var chunks: [ColumnChunk] = []
            var groupIndexes: [(column: ColumnIndex?, offset: OffsetIndex)] = []
            var uncompressedTotal: Int64 = 0, compressedTotal: Int64 = 0
            let groupStart = Int64(file.offset)
            for (j, column) in columns.enumerated() {
                let v = try reader.readColumn(chunk: c, column: j)
                let (physical, _) = mapping(column.type)
                let optional = column.nullable || column.type == .null
                // The encoding whose values compress smallest on a sample: PLAIN, RLE_DICTIONARY where
                // a dictionary is possible, BYTE_STREAM_SPLIT for doubles.
                let candidate = ChunkDictionary.build(v)
                let encoding = chooseEncoding(v, dictionary: candidate, options: options, compressor: compressor)
                let dictionary = encoding == .rleDictionary ? candidate : nil
                var totals = (uncompressed: Int64(0), compressed: Int64(0))
                var dictionaryOffset: Int64?
                if let dictionary {
                    dictionaryOffset = Int64(file.offset)
                    let sizes = try writePage(dictionary.plain, kind: .dictionary(values: Int32(dictionary.count)), column: column.name,
                                              into: file, options: options, compressor: compressor)
                    totals = (totals.uncompressed + sizes.uncompressed, totals.compressed + sizes.compressed)
                }
                page.removeAll(keepingCapacity: true)
                if optional {
                    // Definition levels: a 4-byte length, then the hybrid runs.
                    page += [0, 0, 0, 0]
                    ParquetPlain.appendDefinitionLevels(v, to: &page)
                    let length = UInt32(page.count - 4)
                    for k in 0..<4 { page[k] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(k))) }
                }
                appendValues(v, encoding: encoding, dictionary: dictionary, indices: 0..<(dictionary?.indices.count ?? 0), to: &page)
                let pageOffset = Int64(file.offset)
                let sizes = try writePage(page, kind: .data(DataPageHeader(numValues: Int32(rows), encoding: encoding)),
                                          column: column.name, into: file, options: options, compressor: compressor)
                totals = (totals.uncompressed + sizes.uncompressed, totals.compressed + sizes.compressed)
                let stats = c < chunkStatistics.count && j < chunkStatistics[c].count
                    ? chunkStatistics[c][j].upcast(to: column.type) : ColumnStatistics(type: column.type)
                let pstats = statistics(stats, type: column.type)
                var encodings: [PageEncoding] = dictionary == nil ? [encoding] : [.plain, .rleDictionary]
                if optional { encodings.append(.rle) }
                let meta = ColumnMetaData(type: physical, encodings: encodings, path: [column.name], codec: options.codec,
                                          numValues: Int64(rows), totalUncompressedSize: totals.uncompressed,
                                          totalCompressedSize: totals.compressed, dataPageOffset: pageOffset,
                                          dictionaryPageOffset: dictionaryOffset, statistics: pstats)
                uncompressedTotal += meta.totalUncompressedSize
                compressedTotal += meta.totalCompressedSize
                chunks.append(ColumnChunk(metaData: meta))
                // The page index: one data page. A page of NaNs only gets no column index (parquet.thrift, TYPE_ORDER).
                let allNull = stats.nullCount == stats.rowCount
                let columnIndex: ColumnIndex? = !allNull && (pstats.minValue == nil || pstats.maxValue == nil) ? nil
                    : ColumnIndex(nullPages: [allNull], minValues: [allNull ? [] : pstats.minValue ?? []],
                                  maxValues: [allNull ? [] : pstats.maxValue ?? []], nullCounts: [Int64(clamping: stats.nullCount)])
                groupIndexes.append((columnIndex, OffsetIndex(pages: [PageLocation(offset: pageOffset, compressedPageSize: Int32(sizes.compressed),
                                                                                    firstRowIndex: 0)])))
            }
            rowGroups.append(RowGroup(columns: chunks, totalByteSize: uncompressedTotal, numRows: Int64(rows), fileOffset: groupStart,
                                      totalCompressedSize: compressedTotal, ordinal: Int16(exactly: c)))
            indexes.append(groupIndexes)
        }
        // The page index: every column index, then every offset index (as parquet-mr and arrow place them).
        for (g, group) in indexes.enumerated() {
            for (j, index) in group.enumerated() {
                guard let columnIndex = index.column else { continue }
                let bytes = columnIndex.serialized()
                rowGroups[g].columns[j].columnIndexOffset = Int64(file.offset)
                rowGroups[g].columns[j].columnIndexLength = Int32(bytes.count)
                try file.write(bytes)
            }
        }
        for (g, group) in indexes.enumerated() {
            for (j, index) in group.enumerated() {
                let bytes = index.offset.serialized()
                rowGroups[g].columns[j].offsetIndexOffset = Int64(file.offset)
                rowGroups[g].columns[j].offsetIndexLength = Int32(bytes.count)
                try file.write(bytes)
            }
        }
        var schema = [SchemaElement(type: nil, repetition: nil, name: "schema", numChildren: Int32(columns.count), annotation: nil)]
        for column in columns {
            let (physical, annotation) = mapping(column.type)
            schema.append(SchemaElement(type: physical, repetition: column.nullable || column.type == .null ? .optional : .required,
                                        name: column.name, numChildren: nil, annotation: annotation))
        }
        let footer = FileMetaData(schema: schema, numRows: Int64(reader.rowCount), rowGroups: rowGroups, keyValues: options.keyValues,
                                  createdBy: options.createdBy, leafColumns: columns.count).serialized()
        try file.write(footer)
        var tail: [UInt8] = []
        ParquetPlain.appendLittleEndian(UInt64(footer.count), 4, to: &tail)
        try file.write(tail + magic)
        return ParquetSummary(rows: reader.rowCount, rowGroups: rowGroups.count, bytes: file.offset)
    }
}
