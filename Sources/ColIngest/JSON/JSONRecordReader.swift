import ColFormat
import ColText

/// Reads records on its own thread and hands raw chunks to the converter.
final class JSONRecordReader: RecordReader, @unchecked Sendable {
    typealias Chunk = JSONChunk

    let source: ByteSource
    let json: JSONOptions
    private let separator: [UInt8]
    private let chunkRows: Int
    /// A chunk ends when its records' bytes plus 4 per column and row reach this (ConversionOptions.chunkBytes).
    let chunkBytes: Int
    var bytesInChunk = 0
    let badRecords: BadRecordPolicy
    let queue: ChunkQueue<JSONChunk>
    var file: String { source.name }

    var scanner: JSONScanner
    /// Input not yet consumed is `buffer[begin...]`; `base` is the input offset of `buffer[0]`.
    var buffer: [UInt8] = []
    var begin = 0
    var base = 0
    var final = false
    /// The line at `begin` and the buffer offset where it starts.
    var line = 1
    var lineStart = 0
    /// Where the last successful step started.
    private var attemptStart = 0

    var chunk = JSONChunk()
    var columnCount = 0
    private var columnNames: Set<[UInt8]> = []
    /// The record that last set each column.
    private var columnStamp: [Int] = []
    /// The path node of each column.
    private(set) var columnNodes: [Int32] = []
    private var records = 0
    /// Read by the converter after the reader finished.
    var duplicateKeys = 0
    private(set) var shape = "empty"

    /// The threads NDJSON is read with (JSONRecordReader+Parallel.swift), and the bytes of a slice.
    private let threads: Int
    private let sliceBytes: Int
    /// Set when this reader parses one slice for the parallel reader.
    var slice: SliceFacts?

    init(source: ByteSource, json: JSONOptions, chunkRows: Int, chunkBytes: Int, badRecords: BadRecordPolicy, queue: ChunkQueue<JSONChunk>,
         threads: Int = 1, sliceBytes: Int = 1 << 20) {
        self.threads = max(threads, 1)
        self.sliceBytes = max(sliceBytes, 1)
        self.source = source
        self.json = json
        separator = Array(json.flattenSeparator.utf8)
        self.chunkRows = chunkRows
        self.chunkBytes = chunkBytes
        self.badRecords = badRecords
        self.queue = queue
        scanner = JSONScanner(maxNesting: json.maxNesting, flattenDepth: json.maxDepth,
                              replaceInvalidUTF8: json.invalidUTF8 == .replace)
    }

    func readAll() throws(IngestError) -> ProducerStats {
        chunk = newChunk()
        try readRecords()
        if chunk.rows > 0 && !queue.cancelled {
            chunk.inputBytes = source.rawBytesRead
            _ = queue.put(.chunk(chunk))
        }
        return ProducerStats(rejected: badRecords.rejectedRecords, inputBytes: source.rawBytesRead, hash: source.hasher.finalize())
    }

    // MARK: - Buffer

    /// Reads the next block. Returns false at the end of the input.
    private func refill() throws(IngestError) -> Bool {
        if final { return false }
        if begin > 0 {
            buffer.removeSubrange(0..<begin)
            base += begin
            lineStart -= begin
            attemptStart -= begin
            begin = 0
        }
        // The step so far is at least the buffer less the scanner's lookahead (12 bytes at most):
        // past the limit and the slack, it is larger than the limit, however the input was read.
        guard buffer.count <= json.maxRecordBytes + Self.lookahead else { throw tooLarge() }
        let block: ArraySlice<UInt8>
        block = try source.nextBlock()
        if block.isEmpty { final = true } else { buffer.append(contentsOf: block) }
        return true
    }

    /// More than the bytes the scanner may look ahead of where it stops to ask for more.
    private static let lookahead = 16

    /// The error for a step longer than `maxRecordBytes`, located at its start.
    private func tooLarge() -> IngestError {
        .malformed(location(at: attemptStart, line: line, lineStart: lineStart),
                   "a record is larger than \(formatBytes(json.maxRecordBytes)) (\(setting: .maxFieldBytes))")
    }

    /// The outcome of one step of the scanner.
    enum Step {
        case done
        case failed(at: Int, line: Int, lineStart: Int, message: IngestMessage)
    }

    /// Runs `body` on the buffer from `begin`, reading more input and
    /// starting over whenever the scanner needs it. On success the scanner's
    /// position and line become the reader's.
    func step(_ body: (inout JSONScanner) throws(JSONFailure) -> Void) throws(IngestError) -> Step {
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
                // A record (or the blanks or bad lines between two) is refused when it is longer than
                // the limit, wherever the reads fell: so one thread and many refuse the same records.
                if scanner.i - attemptStart > json.maxRecordBytes { throw tooLarge() }
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

    private func readRecords() throws(IngestError) {
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
                throw .malformed(location(at: begin, line: line, lineStart: lineStart), "no JSON value: the input is empty")
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
                throw .malformed(location(at: at, line: l, lineStart: ls), m)
            }
            let what = first == UInt8(ascii: "\"") ? "a string" : (first == UInt8(ascii: "-") || first &- 0x30 < 10) ? "a number"
                : first == UInt8(ascii: "t") || first == UInt8(ascii: "f") ? "a bool" : first == UInt8(ascii: "n") ? "null" : "not JSON"
            throw .malformed(start,
                                         "not a table: the top-level value is \(what), not an array of records, an object or NDJSON")
        }
    }

    /// Elements of a top-level array: objects are flattened, other values go to `value`.
    private func readArray() throws(IngestError) {
        scanner.baseDepth = 1
        var closed = false
        if case let .failed(at, l, ls, m) = try step({ s throws(JSONFailure) in
            let b = try s.peekToken("inside the top-level array")
            if b == UInt8(ascii: "]") { s.i += 1; closed = true }
        }) {
            throw .malformed(location(at: at, line: l, lineStart: ls), m)
        }
        while !closed {
            if case let .failed(at, l, ls, m) = try step({ s throws(JSONFailure) in
                try s.parseRecord(allowValue: true)
            }) {
                // A syntax error leaves no record boundary to resume at.
                throw .malformed(location(at: at, line: l, lineStart: ls), m)
            }
            try finishRecord()
            if case let .failed(at, l, ls, m) = try step({ s throws(JSONFailure) in
                let b = try s.peekToken("inside the top-level array")
                if b == UInt8(ascii: "]") { closed = true } else if b != UInt8(ascii: ",") {
                    throw .syntax(at: s.i, "expected ',' or ']' after an array element, found \(JSONScanner.describe(b))")
                }
                s.i += 1
            }) {
                throw .malformed(location(at: at, line: l, lineStart: ls), m)
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
            throw .malformed(location(at: at, line: l, lineStart: ls), m)
        }
    }

    /// Top-level objects, each followed by a newline or the end (NDJSON).
    func readStream() throws(IngestError) {
        if slice == nil && threads > 1 && source.isUTF8 { try readStreamInParallel(threads: threads, sliceBytes: sliceBytes) }
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
                if at >= buffer.count { slice?.failedAtEnd = true }
                var reachedEnd = false
                // The reader is still at the record's start (a failed step moves nothing).
                _ = try step { s throws(JSONFailure) in
                    var lineBegins = false
                    while true {
                        if s.atEnd { reachedEnd = true; return }
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
                if reachedEnd { slice?.recoveredToEnd = true }
                try reject(.malformed(loc, m), line: recordLine, raw: raw)
                continue
            }
            try finishRecord()
        }
    }

    /// Commits the parsed record as a row, or rejects it for a soft error.
    private func finishRecord() throws(IngestError) {
        let recordLine = scanner.recordLine
        if let soft = scanner.softError {
            let loc = SourceLocation(file: file, line: soft.line, column: soft.column, offset: base + soft.at)
            try reject(.malformed(loc, soft.message), line: recordLine, raw: Array(buffer[scanner.recordStart..<begin]))
            return
        }
        records += 1
        // New columns first (rare), then every leaf in one pass over the scanner's entries.
        for entry in scanner.entries where entry.kind != JSONKind.removed && scanner.paths.column[Int(entry.node)] < 0 {
            _ = try addColumn(entry.node, line: recordLine)
        }
        buffer.withUnsafeBufferPointer { buf in
            scanner.begin(buf, at: begin, final: final)
            scanner.commit(into: &chunk.columns, stamps: &columnStamp, record: records)
        }
        for node in scanner.replaced {
            duplicateKeys += 1
            let col = Int(scanner.paths.column[Int(node)])
            if col >= 0 { chunk.columns[col].ingestion.duplicateKeys += 1 }
            slice?.duplicates.append((row: chunk.rows, node: node))
        }
        for j in 0..<columnCount where columnStamp[j] != records { chunk.columns[j].appendAbsent() }
        chunk.lines.append(recordLine)
        chunk.rows += 1
        if slice != nil { chunk.recordBytes.append(begin - scanner.recordStart) }
        bytesInChunk += begin - scanner.recordStart + 4 * columnCount
        if isFull(rows: chunk.rows) { _ = handOff() }
    }

    /// Whether a chunk of `rows` rows and `bytesInChunk` bytes is full.
    func isFull(rows: Int) -> Bool { rows == chunkRows || bytesInChunk >= chunkBytes }

    /// Hands the full chunk on and starts the next; returns false when the conversion was cancelled.
    func handOff() -> Bool {
        bytesInChunk = 0
        chunk.inputBytes = source.rawBytesRead
        guard queue.put(.chunk(chunk)) else { return false }
        chunk = newChunk()
        return true
    }

    /// Rows reserved up front per column: a chunk's worth, but at most about 4 M slots over
    /// every column, so wide input does not reserve memory for rows it never fills.
    private var reservedRows: Int { Swift.min(slice == nil ? chunkRows : 1 << 12, Swift.max(256, (1 << 22) / Swift.max(columnCount, 1))) }

    func newChunk() -> JSONChunk {
        var c = queue.reuse() ?? JSONChunk()
        c.lines.reserveCapacity(Swift.min(chunkRows, 1 << 16))
        while c.columns.count < columnCount { c.columns.append(JSONRawColumn(nullRows: 0, capacity: reservedRows)) }
        return c
    }

    /// A new column for `node`; the chunk's first `nullRows` rows (by default, every row so far) read as null.
    func addColumn(_ node: Int32, line recordLine: Int, nullRows: Int? = nil) throws(IngestError) -> Int {
        guard columnCount < json.maxColumns else {
            throw .malformed(SourceLocation(file: file, line: recordLine, column: 0, offset: nil),
                                         "more than \(json.maxColumns) columns; keep deep objects whole with \(setting: .maxDepth), or raise \(setting: .maxColumns)")
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
        let pointer = scanner.paths.pointer(node)
        guard name.count <= Layout.maxNameBytes, pointer.utf8.count <= Layout.maxNameBytes else {
            throw .malformed(SourceLocation(file: file, line: recordLine, column: 0, offset: nil),
                             "a key path of \(Swift.max(name.count, pointer.utf8.count)) bytes; column names are limited to \(Layout.maxNameBytes) bytes")
        }
        columnNames.insert(name)
        let col = columnCount
        columnCount += 1
        scanner.paths.column[Int(node)] = Int32(col)
        columnStamp.append(0)
        columnNodes.append(node)
        slice?.firstRows.append(chunk.rows)
        chunk.columns.append(JSONRawColumn(nullRows: nullRows ?? chunk.rows, capacity: reservedRows))
        chunk.newColumns.append(ColumnDescriptor(name: String(decoding: name, as: UTF8.self), sourcePath: pointer))
        return col
    }

    /// Hands a bad record to the policy: fail stops, skip and warn drop it.
    private func reject(_ error: IngestError, line recordLine: Int, raw: [UInt8]) throws(IngestError) {
        if slice != nil {
            slice?.bad.append(SliceFacts.BadRecord(error: error, line: recordLine, raw: raw, row: chunk.rows))
            return
        }
        try badRecords.reject(error, line: recordLine, raw: raw)
    }
}
