import ColFormat

/// The ingest path's inner loops, one at a time, for the micro-benchmarks in
/// `bench/micro`, the fuzz targets and the differential tests. Not API: reachable only through `@_spi(Benchmarks) import ColIngest`.
@_spi(Benchmarks) public enum IngestKernels {
    /// Tokenizes every record of the CSV file at `path` (comma, double quote);
    /// returns the number of fields.
    public static func tokenizeCSV(path: String) throws(IngestError) -> Int {
        let tokenizer = CSVTokenizer(source: try ByteSource(path: path), dialect: CSVDialect(), maxFieldBytes: 1 << 24)
        var record = CSVRecord()
        var fields = 0
        while try tokenizer.next(&record) { fields += record.count }
        return fields
    }

    /// Reads every record of the CSV file at `path` (comma, double quote, a
    /// header) into chunks of raw columns as the converter does: plain records
    /// through the fast path, the others through the reference tokenizer (read,
    /// not kept). Returns the data records and how many took the fast path.
    public static func readCSVColumns(path: String, chunkRows: Int = 65_536) throws(IngestError) -> (records: Int, fast: Int) {
        let tokenizer = CSVTokenizer(source: try ByteSource(path: path), dialect: CSVDialect(), maxFieldBytes: 1 << 24)
        var record = CSVRecord()
        guard try tokenizer.next(&record) else { return (0, 0) }
        let width = record.count
        var chunk = RawChunk(columns: (0..<width).map { _ in RawColumn() }, rows: 0, lines: [])
        let limits = CSVFastPathLimits(width: width, rowLimit: chunkRows, byteLimit: 24 << 20, nullTokens: [], longestNullToken: 0)
        var spans: [CSVFieldSpan] = []
        var scratch: [UInt8] = []
        var chunkBytes = 0
        var records = 0
        var fast = 0
        while true {
            let taken = tokenizer.takeRecords(into: &chunk, limits: limits, chunkBytes: &chunkBytes, spans: &spans, scratch: &scratch)
            fast += taken
            records += taken
            if chunk.rows == chunkRows || chunkBytes >= limits.byteLimit {
                chunk.reset()
                chunkBytes = 0
                continue
            }
            guard try tokenizer.next(&record) else { break }
            records += 1
        }
        return (records, fast)
    }

    /// The reading stage of a CSV conversion alone: the file at `path` (sniffed, with its
    /// header) read into raw chunks by the reader `colconv` uses, with `threads` threads (1: the
    /// serial reader) and slices of `sliceBytes`; the chunks are dropped as they come. Returns
    /// the rows and chunks read. It shows how the reading stage scales with cores on its own.
    public static func readCSVChunks(path: String, threads: Int, sliceBytes: Int = 1 << 20) throws(IngestError) -> (rows: Int, chunks: Int) {
        var csv = CSVOptions()
        csv.readThreads = threads
        csv.sliceBytes = sliceBytes
        let options = ConversionOptions()
        let input = try CSVInput(path: path, csv: csv, keepRaw: false)
        let queue = ChunkQueue<RawChunk>(depth: ConversionPipeline.queueDepth)
        let reader = input.reader(csv: csv, settings: CSVRecordReader.Settings(csv: csv, options: options, width: input.columns.count),
                                  badRecords: BadRecordPolicy(options: options, rejects: nil), queue: queue)
        ConversionPipeline.start(reader, queue: queue)
        var rows = 0, chunks = 0
        while true {
            switch queue.take() {
            case let .chunk(chunk):
                rows += chunk.rows
                chunks += 1
                queue.recycle(chunk)
            case let .failed(error):
                throw error
            case .finished:
                return (rows, chunks)
            }
        }
    }

    /// The structural scan the parallel CSV reader makes before it parses (comma, double quote):
    /// the quote state at the end of `bytes`, found by `CSVBlockSplitter`'s run, which jumps
    /// from quote to quote with `memchr`. Returns the state's number.
    public static func scanCSVStructure(_ bytes: [UInt8]) -> UInt8 {
        let splitter = CSVBlockSplitter(dialect: CSVDialect())
        return bytes.withUnsafeBufferPointer { splitter.run($0, from: .recordStart, start: 0, end: $0.count).rawValue }
    }

    /// Validates and flattens every record of NDJSON text held in memory;
    /// returns the number of leaves. A syntax error ends the scan and is returned as nil.
    public static func scanNDJSON(_ text: [UInt8]) -> Int? {
        var scanner = JSONScanner(maxNesting: 64, flattenDepth: 0, replaceInvalidUTF8: false)
        var leaves = 0
        let ok = text.withUnsafeBufferPointer { buffer -> Bool in
            scanner.begin(buffer, at: 0, final: true)
            while true {
                scanner.skipWhitespace()
                if scanner.i >= buffer.count { return true }
                do { try scanner.parseRecord(allowValue: false) } catch { return false }
                leaves += scanner.entries.count
            }
        }
        return ok ? leaves : nil
    }

    /// Type inference: the candidate-type bits of each field, or-ed together.
    public static func classify(_ fields: [[UInt8]]) -> UInt8 {
        var bits: UInt8 = 0
        for f in fields { bits |= f.withUnsafeBytes { ValueParser.classify($0) } }
        return bits
    }

    /// Parses each field as a double; returns the sum (nil fields count 0).
    public static func parseDoubles(_ fields: [[UInt8]]) -> Double {
        var sum = 0.0
        for f in fields { sum += f.withUnsafeBytes { ValueParser.parseDouble($0) } ?? 0 }
        return sum
    }
}

extension IngestKernels {
    /// One record as the CSV tokenizer returns it, for the fuzz targets and the
    /// differential tests: the fields' unescaped bytes, whether each was quoted,
    /// the byte column where each starts, and the record's first line.
    public struct CSVRecordImage: Equatable, Sendable {
        public var fields: [[UInt8]]
        public var quoted: [Bool]
        public var columns: [Int]
        public var line: Int
    }

    /// A record, or the error that ended it (message and location), in input order.
    public enum CSVTokenizerEvent: Equatable, Sendable {
        case record(CSVRecordImage)
        case error(String)
    }

    /// Tokenizes CSV held in memory with the scalar reference tokenizer, the way
    /// the converter does with `--on-error skip`: a malformed record is reported and
    /// skipped to the end of its line, an unclosed quote ends the input.
    public static func tokenizeCSV(_ bytes: [UInt8], delimiter: UInt8 = UInt8(ascii: ","), quote: UInt8? = UInt8(ascii: "\""),
                                   maxFieldBytes: Int = 1 << 16) -> [CSVTokenizerEvent] {
        let source = ByteSource(bytes: bytes, name: "input")
        let tokenizer = CSVTokenizer(source: source, dialect: CSVDialect(delimiter: delimiter, quote: quote), maxFieldBytes: maxFieldBytes)
        return tokenizeAll(tokenizer).events.map { $0.shifted(lines: 0) }
    }

    /// Tokenizes CSV held in memory the way the parallel reader does: cut at the record
    /// boundaries `CSVBlockSplitter.boundaries` finds in blocks of `blockSize` bytes, each slice
    /// tokenized on its own with lines counted from 1, then moved by the lines before it. The
    /// events must be exactly `tokenizeCSV`'s. Returns them with the number of slices tokenized
    /// in parallel and whether a slice that did not end at a line break sent the rest to one tokenizer.
    /// `onAllCores: false` tokenizes the slices one after another (the fuzz target, where the
    /// cuts are under test, not the threads, and one thread keeps each run deterministic).
    public static func tokenizeCSVInParallel(_ bytes: [UInt8], delimiter: UInt8 = UInt8(ascii: ","), quote: UInt8? = UInt8(ascii: "\""),
                                             maxFieldBytes: Int = 1 << 16, blockSize: Int,
                                             onAllCores: Bool = true) -> (events: [CSVTokenizerEvent], slices: Int, fellBack: Bool) {
        let dialect = CSVDialect(delimiter: delimiter, quote: quote)
        // The source that reads the whole input decides the encoding; only UTF-8 is split, as in colconv.
        let source = ByteSource(bytes: bytes, name: "input")
        var decoded: [UInt8] = []
        while let block = try? source.nextBlock(), !block.isEmpty { decoded += block }
        guard source.isUTF8, decoded.count == bytes.count - (source.encoding == .utf8BOM ? 3 : 0) else {
            return (tokenizeCSV(bytes, delimiter: delimiter, quote: quote, maxFieldBytes: maxFieldBytes), 1, false)
        }
        let input = decoded
        let starts = input.withUnsafeBufferPointer {
            CSVBlockSplitter(dialect: dialect).boundaries($0, start: 0, end: $0.count, blockSize: blockSize).offsets
        }
        let ends = Array(starts.dropFirst()) + [input.count]
        let tokenizeSlice = { @Sendable (k: Int) in
            tokenizeAll(CSVTokenizer(source: ByteSource(bytes: [], name: "input", continuing: true), dialect: dialect,
                                     maxFieldBytes: maxFieldBytes, firstBlock: Array(input[starts[k]..<ends[k]]), line: 1, offset: starts[k]))
        }
        let slices = onAllCores ? parallelMap(starts.count, tokenizeSlice) : (0..<starts.count).map(tokenizeSlice)
        var events: [CSVTokenizerEvent] = []
        var line = 1
        for k in 0..<starts.count {
            let next = ends[k]
            if k < starts.count - 1,
               slices[k].unclosedQuote || !slices[k].endedAtLineBreak || (input[next - 1] == 0x0D && input[next] == 0x0A) {
                // The boundary after this slice is not where the one tokenizer would be: go on from here alone.
                let tokenizer = CSVTokenizer(source: ByteSource(bytes: [], name: "input", continuing: true), dialect: dialect,
                                             maxFieldBytes: maxFieldBytes, firstBlock: Array(input[starts[k]...]), line: line, offset: starts[k])
                return (events + tokenizeAll(tokenizer).events.map { $0.shifted(lines: 0) }, k, true)
            }
            events += slices[k].events.map { $0.shifted(lines: line - 1) }
            line += slices[k].lines
        }
        return (events, starts.count, false)
    }

    /// Every record and error of `tokenizer`, recovering from errors as `--on-error skip` does.
    static func tokenizeAll(_ tokenizer: CSVTokenizer) -> (events: [TokenizerEvent], unclosedQuote: Bool, endedAtLineBreak: Bool, lines: Int) {
        let firstLine = tokenizer.line
        var record = CSVRecord()
        var events: [TokenizerEvent] = []
        var unclosed = false
        while true {
            do {
                guard try tokenizer.next(&record) else { break }
                let fields = (0..<record.count).map { Array(record.bytes[record.range($0)]) }
                events.append(.record(CSVRecordImage(fields: fields, quoted: record.quoted, columns: record.columns, line: record.line)))
            } catch {
                events.append(.error(error))
                if case let .malformed(_, m) = error, m.starts(with: "unclosed quote") { unclosed = true; break }
                do { try tokenizer.skipToLineEnd(raw: &record.raw) } catch { events.append(.error(error)); break }
            }
        }
        return (events, unclosed, tokenizer.endedAtLineBreak, tokenizer.line - firstLine)
    }

    /// An event before its lines are final: the error is kept whole, so its location can move.
    enum TokenizerEvent: Sendable {
        case record(CSVRecordImage)
        case error(IngestError)

        /// The event with its line moved `lines` further, as the tests and fuzz targets see it.
        func shifted(lines: Int) -> CSVTokenizerEvent {
            switch self {
            case var .record(image):
                image.line += lines
                return .record(image)
            case let .error(error):
                return .error(error.shifted(lines: lines).description)
            }
        }
    }
}
