#if canImport(Glibc)
import Glibc
#endif
import ColFormat
import ColText
import Foundation

/// Options of the JSON reader.
public struct JSONOptions: Sendable {
    /// Joins the keys of a flattened path (`geo.lat`).
    public var flattenSeparator = "."
    /// Objects nested deeper than this many keys are kept whole as json (0: no limit).
    public var maxDepth = 0
    /// The deepest nesting of arrays and objects accepted.
    public var maxNesting = 512
    /// The most columns a conversion may create.
    public var maxColumns = 10_000
    /// The largest record, in bytes.
    public var maxRecordBytes = 64 << 20
    /// Whether an empty input is a table with no rows (NDJSON) rather than an error (JSON).
    public var emptyIsTable = false
    public var invalidUTF8 = InvalidUTF8Policy.fail

    public init() {}
}

/// Converts a JSON array of records, one JSON object, or NDJSON to .col in
/// one streaming pass (docs/JSON.md).
///
/// The layout follows `CSVConverter`: a reader thread scans records into raw
/// chunks while the calling thread converts and encodes the previous chunk.
/// The input's first value decides its shape: `[` is an array whose elements
/// are rows; `{` starts a stream of objects, one row each (a single object is
/// a one-row table, NDJSON is many); anything else is not a table.
public enum JSONConverter {
    public static func convert(input: String, output: String, json: JSONOptions = JSONOptions(),
                               options: ConversionOptions = ConversionOptions()) throws(IngestError) -> ConversionSummary {
        guard json.maxNesting >= 1, json.maxNesting <= 100_000 else { throw .usage("--max-nesting must be between 1 and 100000") }
        guard json.maxDepth >= 0 else { throw .usage("--max-depth must be 0 (no limit) or more") }
        guard !json.flattenSeparator.isEmpty else { throw .usage("--flatten-separator must not be empty") }
        let source = try ByteSource(path: input)
        let rejects = try RejectsFile(path: options.rejectsPath)
        let writer: ColFileWriter
        do { writer = try ColFileWriter(path: output, columns: [], options: options.writer) } catch { throw .format(error) }

        let queue = ChunkQueue<JSONChunk>(depth: CSVConverter.queueDepth)
        let reader = JSONRecordReader(source: source, json: json, chunkRows: max(options.chunkRows, 1), onError: options.onError,
                                      rejects: rejects, warning: options.warning, queue: queue, file: input)
        let thread = Thread { reader.run() }
        thread.stackSize = 1 << 22
        thread.start()

        var decisions: [(subject: String, decision: String)] = [("encoding", source.encoding.rawValue)]
        var run = ConversionRun(input: input, output: output, inputSize: source.size, options: options)
        var failure: IngestError?
        loop: while true {
            switch queue.take() {
            case let .chunk(chunk):
                for d in chunk.newColumns { writer.addColumn(d) }
                do {
                    try writer.append(rows: chunk.rows) { j in
                        let (vector, firstRow) = chunk.columns[j].finish()
                        return ColFileWriter.ChunkColumn(vector: vector, firstRowOfType: firstRow, ingestion: chunk.columns[j].ingestion)
                    }
                } catch {
                    failure = .format(error)
                    break loop
                }
                run.chunkWritten(rows: chunk.rows, inputBytes: chunk.inputBytes)
                queue.recycle(consume chunk)
            case let .failed(error):
                failure = error
                break loop
            case let .finished(stats):
                decisions.append(("shape", reader.shape))
                decisions.append(("rows", "\(run.rows) converted, \(stats.rejected) rejected (--on-error \(options.onError.rawValue))"))
                if reader.duplicateKeys > 0 {
                    decisions.append(("duplicate keys", "\(reader.duplicateKeys) value(s) replaced by a later repeat of their key (the last one wins)"))
                }
                for c in writer.columns {
                    decisions.append(("column \(c.name)", "\(c.type.name) from \(c.sourcePath.isEmpty ? "non-object rows" : c.sourcePath)"))
                }
                do {
                    return try run.finish(writer: writer, rejects: rejects, stats: stats, rejected: stats.rejected, decisions: decisions)
                } catch {
                    failure = error
                    break loop
                }
            }
        }
        throw abandon(queue: queue, writer: writer, rejects: rejects, failure: failure)
    }
}

/// Reads records on its own thread and hands raw chunks to the converter.
final class JSONRecordReader: @unchecked Sendable {
    private let source: ByteSource
    private let json: JSONOptions
    private let separator: [UInt8]
    private let chunkRows: Int
    private let onError: ErrorPolicy
    private let rejects: RejectsFile?
    private let warning: (@Sendable (String) -> Void)?
    private let queue: ChunkQueue<JSONChunk>
    private let file: String

    private var scanner: JSONScanner
    /// Input not yet consumed is `buffer[begin...]`; `base` is the input offset of `buffer[0]`.
    private var buffer: [UInt8] = []
    private var begin = 0
    private var base = 0
    private var final = false
    /// The line at `begin` and the buffer offset where it starts.
    private var line = 1
    private var lineStart = 0
    /// Where the last successful step started.
    private var attemptStart = 0

    private var chunk = JSONChunk()
    private var columnCount = 0
    private var columnNames: Set<[UInt8]> = []
    /// The record that last set each column.
    private var columnStamp: [Int] = []
    private var records = 0
    private var rejected = 0
    /// Read by the converter after the reader finished.
    private(set) var duplicateKeys = 0
    private(set) var shape = "empty"

    init(source: ByteSource, json: JSONOptions, chunkRows: Int, onError: ErrorPolicy, rejects: RejectsFile?,
         warning: (@Sendable (String) -> Void)?, queue: ChunkQueue<JSONChunk>, file: String) {
        self.source = source
        self.json = json
        separator = Array(json.flattenSeparator.utf8)
        self.chunkRows = chunkRows
        self.onError = onError
        self.rejects = rejects
        self.warning = warning
        self.queue = queue
        self.file = file
        scanner = JSONScanner(maxNesting: json.maxNesting, flattenDepth: json.maxDepth,
                              replaceInvalidUTF8: json.invalidUTF8 == .replace)
    }

    /// A failure that stops the conversion whatever the error policy.
    struct Stop: Error {
        let error: IngestError
    }

    func run() {
        do {
            chunk = newChunk()
            try readAll()
            if chunk.rows > 0 {
                chunk.inputBytes = source.rawBytesRead
                guard queue.put(.chunk(chunk)) else { return }
            }
            _ = queue.put(.finished(ProducerStats(rejected: rejected, inputBytes: source.rawBytesRead, hash: source.hasher.finalize())))
        } catch {
            _ = queue.put(.failed(error.error))
        }
    }

    // MARK: - Buffer

    /// Reads the next block. Returns false at the end of the input.
    private func refill() throws(Stop) -> Bool {
        if final { return false }
        if begin > 0 {
            buffer.removeSubrange(0..<begin)
            base += begin
            lineStart -= begin
            begin = 0
        }
        guard buffer.count <= json.maxRecordBytes else {
            throw Stop(error: .malformed(location(at: 0, line: line, lineStart: lineStart),
                                         "a record is larger than \(formatBytes(json.maxRecordBytes)) (--max-field-bytes)"))
        }
        let block: ArraySlice<UInt8>
        do { block = try source.nextBlock() } catch { throw Stop(error: error) }
        if block.isEmpty { final = true } else { buffer.append(contentsOf: block) }
        return true
    }

    /// The outcome of one step of the scanner.
    private enum Step {
        case done
        case failed(at: Int, line: Int, lineStart: Int, message: String)
    }

    /// Runs `body` on the buffer from `begin`, reading more input and
    /// starting over whenever the scanner needs it. On success the scanner's
    /// position and line become the reader's.
    private func step(_ body: (inout JSONScanner) throws(JSONFailure) -> Void) throws(Stop) -> Step {
        while true {
            var outcome: Step?
            var needMore = false
            attemptStart = begin
            buffer.withUnsafeBufferPointer { buf in
                scanner.begin(buf, at: begin, final: final)
                scanner.line = line
                scanner.lineStart = lineStart
                do throws(JSONFailure) {
                    try body(&scanner)
                    outcome = .done
                } catch {
                    switch error {
                    case .needMore: needMore = true
                    case let .syntax(at, message): outcome = .failed(at: at, line: scanner.line, lineStart: scanner.lineStart, message: message)
                    }
                }
            }
            if let outcome {
                if case .done = outcome {
                    begin = scanner.i
                    line = scanner.line
                    lineStart = scanner.lineStart
                }
                return outcome
            }
            if needMore, try refill() { continue }
            // Unreachable: the scanner asks for more only before the end of the input.
            return .failed(at: scanner.i, line: scanner.line, lineStart: scanner.lineStart, message: "unexpected end of input")
        }
    }

    private func location(at offset: Int, line: Int, lineStart: Int) -> SourceLocation {
        SourceLocation(file: file, line: line, column: offset - lineStart + 1, offset: base + offset)
    }

    // MARK: - Records

    private func readAll() throws(Stop) {
        // The first value decides the shape.
        var first: UInt8 = 0
        var empty = false
        _ = try step { s throws(JSONFailure) in
            s.skipWhitespace()
            if s.atEnd { empty = true; return }
            if s.atBufferEnd { throw .needMore }
            first = s.current
        }
        if empty {
            guard json.emptyIsTable else {
                throw Stop(error: .malformed(location(at: begin, line: line, lineStart: lineStart), "no JSON value: the input is empty"))
            }
            return
        }
        switch first {
        case UInt8(ascii: "["):
            shape = "a JSON array: each element is a row"
            begin += 1
            try readArray()
        case UInt8(ascii: "{"):
            shape = "JSON objects: each top-level object is a row (one object, or NDJSON)"
            try readStream()
        default:
            // Validate the value first: invalid JSON gets its own located error.
            let start = location(at: begin, line: line, lineStart: lineStart)
            if case let .failed(at, l, ls, m) = try step({ s throws(JSONFailure) in
                try s.parseRecord(allowValue: true)
                s.skipWhitespace()
                if s.atBufferEnd && !s.atEnd { throw .needMore }
                if !s.atEnd { throw .syntax(at: s.i, "unexpected \(JSONScanner.describe(s.current)) after the top-level value") }
            }) {
                throw Stop(error: .malformed(location(at: at, line: l, lineStart: ls), m))
            }
            let what = first == UInt8(ascii: "\"") ? "a string" : (first == UInt8(ascii: "-") || first &- 0x30 < 10) ? "a number"
                : first == UInt8(ascii: "t") || first == UInt8(ascii: "f") ? "a bool" : first == UInt8(ascii: "n") ? "null" : "not JSON"
            throw Stop(error: .malformed(start,
                                         "not a table: the top-level value is \(what), not an array of records, an object or NDJSON"))
        }
    }

    /// Elements of a top-level array: objects are flattened, other values go to `value`.
    private func readArray() throws(Stop) {
        scanner.baseDepth = 1
        var closed = false
        if case let .failed(at, l, ls, m) = try step({ s throws(JSONFailure) in
            let b = try s.peekToken("inside the top-level array")
            if b == UInt8(ascii: "]") { s.i += 1; closed = true }
        }) {
            throw Stop(error: .malformed(location(at: at, line: l, lineStart: ls), m))
        }
        while !closed {
            if case let .failed(at, l, ls, m) = try step({ s throws(JSONFailure) in
                try s.parseRecord(allowValue: true)
            }) {
                // A syntax error leaves no record boundary to resume at.
                throw Stop(error: .malformed(location(at: at, line: l, lineStart: ls), m))
            }
            try finishRecord()
            if case let .failed(at, l, ls, m) = try step({ s throws(JSONFailure) in
                let b = try s.peekToken("inside the top-level array")
                if b == UInt8(ascii: "]") { closed = true } else if b != UInt8(ascii: ",") {
                    throw .syntax(at: s.i, "expected ',' or ']' after an array element, found \(JSONScanner.describe(b))")
                }
                s.i += 1
            }) {
                throw Stop(error: .malformed(location(at: at, line: l, lineStart: ls), m))
            }
            if queue.cancelled { return }
        }
        // Only whitespace may follow.
        if case let .failed(at, l, ls, m) = try step({ s throws(JSONFailure) in
            s.skipWhitespace()
            if s.atEnd { return }
            if s.atBufferEnd { throw .needMore }
            throw .syntax(at: s.i, "unexpected \(JSONScanner.describe(s.current)) after the top-level array")
        }) {
            throw Stop(error: .malformed(location(at: at, line: l, lineStart: ls), m))
        }
    }

    /// Top-level objects, each followed by a newline or the end (NDJSON).
    private func readStream() throws(Stop) {
        while !queue.cancelled {
            var end = false
            _ = try step { s throws(JSONFailure) in
                s.skipWhitespace()
                if s.atEnd { end = true; return }
                if s.atBufferEnd { throw .needMore }
            }
            if end { return }
            let outcome = try step { s throws(JSONFailure) in
                try s.parseRecord(allowValue: false)
                // The rest of the line must be blank.
                while true {
                    if s.atEnd { return }
                    if s.atBufferEnd { throw .needMore }
                    let b = s.current
                    if b == 0x20 || b == 0x09 || b == 0x0D { s.i += 1; continue }
                    if b == 0x0A { return }
                    throw .syntax(at: s.i, "expected a newline after a record (NDJSON holds one record per line), found \(JSONScanner.describe(b))")
                }
            }
            if case let .failed(at, l, ls, m) = outcome {
                // Resume at the next line, after the record's first, that starts with '{':
                // in NDJSON that is the next record, whatever broke this one.
                let loc = location(at: at, line: l, lineStart: ls)
                let recordLine = scanner.recordLine
                // The reader is still at the record's start (a failed step moves nothing).
                _ = try step { s throws(JSONFailure) in
                    var lineBegins = false
                    while true {
                        if s.atEnd { return }
                        if s.atBufferEnd { throw .needMore }
                        let b = s.current
                        if lineBegins && b == UInt8(ascii: "{") { return }
                        lineBegins = b == 0x0A
                        s.i += 1
                        if lineBegins {
                            s.line += 1
                            s.lineStart = s.i
                        }
                    }
                }
                let raw = Array(buffer[attemptStart..<begin])
                try reject(.malformed(loc, m), line: recordLine, raw: raw)
                continue
            }
            try finishRecord()
        }
    }

    /// Commits the parsed record as a row, or rejects it for a soft error.
    private func finishRecord() throws(Stop) {
        let recordLine = scanner.recordLine
        if let soft = scanner.softError {
            let loc = SourceLocation(file: file, line: soft.line, column: soft.column, offset: base + soft.at)
            try reject(.malformed(loc, soft.message), line: recordLine, raw: Array(buffer[scanner.recordStart..<begin]))
            return
        }
        records += 1
        // New columns first (rare), then every leaf in one pass over the scanner's entries.
        for e in 0..<scanner.entryNode.count where scanner.entryKind[e] != JSONKind.removed {
            let node = scanner.entryNode[e]
            if scanner.paths.column[Int(node)] < 0 { _ = try addColumn(node, line: recordLine) }
        }
        buffer.withUnsafeBufferPointer { buf in
            scanner.begin(buf, at: begin, final: final)
            scanner.commit(into: &chunk.columns, stamps: &columnStamp, record: records)
        }
        for node in scanner.replaced {
            duplicateKeys += 1
            let col = Int(scanner.paths.column[Int(node)])
            if col >= 0 { chunk.columns[col].ingestion.duplicateKeys += 1 }
        }
        for j in 0..<columnCount where columnStamp[j] != records { chunk.columns[j].appendAbsent() }
        chunk.lines.append(recordLine)
        chunk.rows += 1
        if chunk.rows == chunkRows {
            chunk.inputBytes = source.rawBytesRead
            guard queue.put(.chunk(chunk)) else { return }
            chunk = newChunk()
        }
    }

    private func newChunk() -> JSONChunk {
        var c = queue.reuse() ?? JSONChunk()
        c.lines.reserveCapacity(chunkRows)
        while c.columns.count < columnCount { c.columns.append(JSONRawColumn(nullRows: 0, capacity: chunkRows)) }
        return c
    }

    /// A new column for `node`; rows before it read as null.
    private func addColumn(_ node: Int32, line recordLine: Int) throws(Stop) -> Int {
        guard columnCount < json.maxColumns else {
            throw Stop(error: .malformed(SourceLocation(file: file, line: recordLine, column: 0, offset: nil),
                                         "more than \(json.maxColumns) columns; keep deep objects whole with --max-depth, or raise --max-columns"))
        }
        var name: [UInt8] = []
        for (k, segment) in scanner.paths.segments(node).enumerated() {
            if k > 0 { name += separator }
            name += segment
        }
        if columnNames.contains(name) {
            var k = 2
            while columnNames.contains(name + Array("_\(k)".utf8)) { k += 1 }
            name += Array("_\(k)".utf8)
        }
        columnNames.insert(name)
        let col = columnCount
        columnCount += 1
        scanner.paths.column[Int(node)] = Int32(col)
        columnStamp.append(0)
        chunk.columns.append(JSONRawColumn(nullRows: chunk.rows, capacity: chunkRows))
        chunk.newColumns.append(ColumnDescriptor(name: String(decoding: name, as: UTF8.self), sourcePath: scanner.paths.pointer(node)))
        return col
    }

    /// Handles a bad record: fail stops, skip and warn count it.
    private func reject(_ error: IngestError, line recordLine: Int, raw: [UInt8]) throws(Stop) {
        guard onError != .fail else { throw Stop(error: error) }
        rejected += 1
        if onError == .warn { warning?(error.description) }
        var message = error.description
        if case let .malformed(_, m) = error { message = m }
        rejects?.add(line: recordLine, error: message, record: raw)
    }
}
