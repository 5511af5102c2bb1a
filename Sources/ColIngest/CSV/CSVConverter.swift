import ColBytes
import ColFormat

/// Options of the CSV reader.
public struct CSVOptions: Sendable {
    /// The delimiter, or nil to sniff it.
    public var delimiter: UInt8?
    /// The quote character: nil to sniff, `.some(nil)` for none.
    public var quote: UInt8??
    /// Whether the first row is a header, or nil to sniff it.
    public var header: Bool?
    /// Unquoted field values read as null, in addition to the empty field.
    public var nullValues: [String] = []
    /// Types forced for named columns instead of inferring them.
    public var schemaOverrides: [String: LogicalType] = [:]
    /// The largest field accepted, in bytes.
    public var maxFieldBytes = 64 << 20
    /// What to do with bytes that are not UTF-8.
    public var invalidUTF8 = InvalidUTF8Policy.fail

    /// Whether plain records take the tokenizer's fast path (tests compare it with the reference).
    var fastPath = true
    /// The read size (tests make it small, so records straddle reads).
    var blockSize = 1 << 20
    /// Threads that parse slices of the input at once (docs/CSV.md, "Reading on every core"): nil
    /// for the default (one per core from three cores, else 1); 1 reads with one tokenizer. The
    /// file written does not depend on it.
    public var readThreads: Int?
    /// The bytes of a slice a thread parses at a time (tests make it tiny).
    @_spi(Benchmarks) public var sliceBytes = 1 << 20

    /// Sniffs the dialect and infers every type.
    public init() {}
}

/// Converts CSV or TSV to .col in one streaming pass (docs/CSV.md): the
/// dialect is sniffed from the first block, the header read here, and the
/// records by a `CSVRecordReader` on its own thread (ConversionPipeline.swift).
public enum CSVConverter {
    /// Converts `input` ("-" for standard input) to the .col file `output`.
    public static func convert(input: String, output: String, csv: CSVOptions = CSVOptions(),
                               options: ConversionOptions = ConversionOptions()) throws(IngestError) -> ConversionSummary {
        let rejects = try RejectsFile(path: options.rejectsPath)
        let opened: CSVInput
        do { opened = try CSVInput(path: input, csv: csv, keepRaw: rejects != nil) } catch {
            rejects?.discard()
            throw error
        }
        let source = opened.source
        var decisions = opened.decisions
        let columns = opened.columns
        for (name, _) in csv.schemaOverrides where !columns.contains(name) {
            rejects?.discard()
            throw .usage("\(setting: .schema) names a column '\(name)' that the input does not have (columns: \(columns.joined(separator: ", ")))")
        }
        let overrides = columns.map { csv.schemaOverrides[$0] }

        let writer: ColFileWriter
        do {
            writer = try ColFileWriter(path: output, columns: columns.map { ColumnDescriptor(name: $0) }, options: options.validatedWriter)
        } catch {
            rejects?.discard()
            throw .format(error)
        }
        writer.declaredRoles = options.roles

        let queue = ChunkQueue<RawChunk>(depth: ConversionPipeline.queueDepth)
        let badRecords = BadRecordPolicy(options: options, rejects: rejects)
        let settings = CSVRecordReader.Settings(csv: csv, options: options, width: columns.count)
        var run = ConversionRun(input: input, output: output, inputSize: source.size, options: options)
        func convert(_ chunk: RawChunk) throws(IngestError) {
            // Types and values of each column, in parallel, together with its encoding.
            let result = ConvertedChunk()
            do throws(ColFileError) {
                try writer.append(rows: chunk.rows) { j in
                    let raw = chunk.columns[j]
                    let (type, firstRow) = raw.chosenType(override: overrides[j])
                    let (vector, bad) = raw.finish(as: type)
                    var ingestion = raw.statistics
                    if !bad.isEmpty {
                        ingestion.rejected += UInt64(bad.count)
                        result.record(column: j, row: bad[0], count: bad.count)
                    }
                    return ColFileWriter.ChunkColumn(vector: vector, firstRowOfType: firstRow, ingestion: ingestion)
                }
            } catch {
                throw .format(error)
            }
            if let (j, row, count) = result.firstBad {
                let location = SourceLocation(file: input, line: chunk.lines[row], column: 0, offset: nil)
                try badRecords.nullValues(count, at: location,
                                          "column '\(columns[j])': value does not parse as \(overrides[j]?.name ?? "its type") (\(setting: .schema))")
            }
            run.chunkWritten(rows: chunk.rows, inputBytes: chunk.inputBytes)
        }
        func finish(_ stats: ProducerStats) throws(IngestError) -> ConversionSummary {
            decisions.append(("rows", "\(run.rows) converted, \(stats.rejected) rejected (--on-error \(options.onError.rawValue))"))
            for (j, c) in writer.columns.enumerated() {
                var how = "\(c.type.name)"
                if let o = overrides[j] { how += " (given by --schema as \(o.name))" }
                decisions.append(("column \(columns[j])", how))
            }
            return try run.finish(writer: writer, rejects: rejects, stats: stats,
                                  rejected: stats.rejected + badRecords.nulledValues, decisions: decisions)
        }

        let reader = opened.reader(csv: csv, settings: settings, badRecords: badRecords, queue: queue)
        return try ConversionPipeline.run(reader, queue: queue, writer: writer, rejects: rejects, convert: convert, finish: finish)
    }

    /// Names for the columns: empty names become `column_N`, repeats get `_2`, `_3`, ….
    static func uniqueNames(_ names: [String], decisions: inout [(subject: String, decision: String)]) -> [String] {
        var seen: Set<String> = []
        var out: [String] = []
        for (i, raw) in names.enumerated() {
            var name = raw.isEmpty ? "column_\(i + 1)" : raw
            if seen.contains(name) {
                var k = 2
                while seen.contains("\(name)_\(k)") { k += 1 }
                name = "\(name)_\(k)"
            }
            if name != raw { decisions.append(("column \(i + 1)", "named '\(name)' (header field was '\(raw)')")) }
            seen.insert(name)
            out.append(name)
        }
        return out
    }
}

/// Bad values found while converting a chunk (written from parallel tasks).
final class ConvertedChunk: @unchecked Sendable {
    private let first = PThreadLocked<(column: Int, row: Int, count: Int)?>(nil)
    /// The bad value on the earliest row: its column, row and how many bad values the column had.
    var firstBad: (Int, Int, Int)? { first.withLock { $0.map { ($0.column, $0.row, $0.count) } } }
    func record(column: Int, row: Int, count: Int) {
        first.withLock {
            if let earlier = $0, earlier.row <= row { return }
            $0 = (column, row, count)
        }
    }
}

extension CSVRecordReader.Settings {
    init(csv: CSVOptions, options: ConversionOptions, width: Int) {
        self.init(width: width, chunkRows: max(options.chunkRows, 1), chunkBytes: options.chunkBytes,
                  nullTokens: Set(csv.nullValues.map { Array($0.utf8) }), invalidUTF8: csv.invalidUTF8, fastPath: csv.fastPath)
    }
}

/// A CSV input opened for reading: the dialect sniffed from the first block, and the header
/// (or the first record, when there is none) read.
struct CSVInput {
    let source: ByteSource
    let dialect: CSVDialect
    let tokenizer: CSVTokenizer
    /// The column names, made unique.
    let columns: [String]
    /// What the sniffer decided, and the renamed columns.
    let decisions: [(subject: String, decision: String)]
    /// The first record when it is data (no header), already read.
    let firstRecord: CSVRecord?

    init(path: String, csv: CSVOptions, keepRaw: Bool) throws(IngestError) {
        source = try ByteSource(path: path, blockSize: csv.blockSize)
        let first = Array(try source.nextBlock())
        let isTSV = path.hasSuffix(".tsv") || path.hasSuffix(".tab")
        let sniffed = DialectSniffer.sniff(first.prefix(1 << 16), delimiter: csv.delimiter ?? (isTSV ? 0x09 : nil), quote: csv.quote,
                                           header: csv.header, defaultDelimiter: UInt8(ascii: ","),
                                           completeSample: first.count < (1 << 16))
        dialect = sniffed.dialect
        var decisions: [(subject: String, decision: String)] = [("encoding", source.encoding.rawValue)]
        decisions += sniffed.decisions.map { (subject: $0.0, decision: $0.1) }
        tokenizer = CSVTokenizer(source: source, dialect: sniffed.dialect, maxFieldBytes: csv.maxFieldBytes, firstBlock: first)
        tokenizer.keepRaw = keepRaw

        // The header, or the width of the first record.
        var rec = CSVRecord()
        var names: [String] = []
        var firstRecord: CSVRecord?
        while try tokenizer.next(&rec) {
            if sniffed.dialect.hasHeader {
                for i in 0..<rec.count {
                    let r = rec.range(i)
                    if let bad = firstInvalidUTF8(rec.bytes[r]) {
                        throw .malformed(SourceLocation(file: path, line: rec.line, column: rec.columns[i] + bad, offset: nil),
                                         "invalid UTF-8 in header field \(i + 1)")
                    }
                    names.append(String(decoding: rec.bytes[r], as: UTF8.self))
                }
            } else {
                names = (1...max(rec.count, 1)).map { "column_\($0)" }
                firstRecord = rec
            }
            guard rec.count <= Layout.maxColumns else {
                throw .malformed(SourceLocation(file: path, line: rec.line, column: 0, offset: nil),
                                 "\(rec.count) fields; a .col file holds at most \(Layout.maxColumns) columns")
            }
            if let i = names.firstIndex(where: { $0.utf8.count > Layout.maxNameBytes }) {
                throw .malformed(SourceLocation(file: path, line: rec.line, column: rec.columns[i], offset: nil),
                                 "header field \(i + 1) is \(names[i].utf8.count) bytes; column names are limited to \(Layout.maxNameBytes) bytes")
            }
            break
        }
        self.firstRecord = firstRecord
        columns = CSVConverter.uniqueNames(names, decisions: &decisions)
        self.decisions = decisions
    }

    /// The reader of the records after the header: on every core (CSVParallelReader) for UTF-8
    /// with more than one thread to use, else one tokenizer (CSVRecordReader).
    func reader(csv: CSVOptions, settings: CSVRecordReader.Settings, badRecords: BadRecordPolicy,
                queue: ChunkQueue<RawChunk>) -> any RecordReader<RawChunk> {
        let threads = csv.readThreads ?? CSVParallelReader.defaultThreads
        if threads > 1 && source.isUTF8 {
            // It goes on from what the header's tokenizer has read.
            let rest = tokenizer.takeRemainingBlock()
            let start = CSVParallelReader.Start(bytes: rest.bytes, offset: rest.offset, line: tokenizer.line, pendingLF: rest.pendingLF,
                                                firstRecord: firstRecord)
            return CSVParallelReader(source: source, dialect: dialect, maxFieldBytes: csv.maxFieldBytes, keepRaw: tokenizer.keepRaw,
                                     start: start, settings: settings, threads: threads, blockBytes: csv.sliceBytes,
                                     badRecords: badRecords, queue: queue)
        }
        return CSVRecordReader(tokenizer: tokenizer, record: firstRecord ?? CSVRecord(), replayFirst: firstRecord != nil, settings: settings,
                               badRecords: badRecords, queue: queue)
    }
}
