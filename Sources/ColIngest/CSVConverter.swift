#if canImport(Glibc)
import Glibc
#endif
import ColFormat
import Foundation

/// Converts CSV or TSV to .col in one streaming pass.
///
/// Pipeline: a producer thread reads, tokenizes and accumulates chunk k+1
/// while the calling thread converts and encodes the columns of chunk k on
/// all cores. A bounded queue holds at most `queueDepth` finished raw chunks,
/// so peak memory depends on the chunk size, not on the input size. The
/// output is written to a temporary file and renamed into place only when the
/// whole input converted; any error removes it.
public enum CSVConverter {
    static let queueDepth = 1

    public static func convert(input: String, output: String, csv: CSVOptions = CSVOptions(),
                               options: ConversionOptions = ConversionOptions()) throws(IngestError) -> ConversionSummary {
        let source = try ByteSource(path: input)
        let first = Array(try source.nextBlock())
        let isTSV = input.hasSuffix(".tsv") || input.hasSuffix(".tab")
        let sniffed = DialectSniffer.sniff(first.prefix(1 << 16), delimiter: csv.delimiter ?? (isTSV ? 0x09 : nil), quote: csv.quote,
                                           header: csv.header, defaultDelimiter: UInt8(ascii: ","),
                                           completeSample: first.count < (1 << 16))
        var decisions: [(subject: String, decision: String)] = [("encoding", source.encoding.rawValue)]
        decisions += sniffed.decisions.map { (subject: $0.0, decision: $0.1) }
        let tokenizer = CSVTokenizer(source: source, dialect: sniffed.dialect, maxFieldBytes: csv.maxFieldBytes, firstBlock: first)
        let rejects = try RejectsFile(path: options.rejectsPath)
        tokenizer.keepRaw = rejects != nil
        var rejected = 0

        // The header, or the width of the first record.
        var rec = CSVRecord()
        var names: [String] = []
        var firstRecordPending = false
        while try tokenizer.next(&rec) {
            if sniffed.dialect.hasHeader {
                for i in 0..<rec.count {
                    let r = rec.range(i)
                    if let bad = firstInvalidUTF8(rec.bytes[r]) {
                        throw .malformed(SourceLocation(file: input, line: rec.line, column: rec.columns[i] + bad, offset: nil),
                                         "invalid UTF-8 in header field \(i + 1)")
                    }
                    names.append(String(decoding: rec.bytes[r], as: UTF8.self))
                }
            } else {
                names = (1...max(rec.count, 1)).map { "column_\($0)" }
                firstRecordPending = true
            }
            break
        }
        let columns = uniqueNames(names, decisions: &decisions)
        for (name, _) in csv.schemaOverrides where !columns.contains(name) {
            throw .usage("--schema names a column '\(name)' that the input does not have (columns: \(columns.joined(separator: ", ")))")
        }
        let overrides = columns.map { csv.schemaOverrides[$0] }

        let writer: ColFileWriter
        do {
            writer = try ColFileWriter(path: output, columns: columns.map { ColumnDescriptor(name: $0) }, options: options.writer)
        } catch {
            throw .format(error)
        }

        // Producer thread: tokenize and accumulate.
        let queue = ChunkQueue<RawChunk>(depth: queueDepth)
        let nullTokens = Set(csv.nullValues.map { Array($0.utf8) })
        let producer = Producer(tokenizer: tokenizer, record: rec, replayFirst: firstRecordPending, width: columns.count,
                                chunkRows: max(options.chunkRows, 1), nullTokens: nullTokens, utf8: csv.invalidUTF8,
                                onError: options.onError, rejects: rejects, warning: options.warning, queue: queue, file: input)
        let thread = Thread { producer.run() }
        thread.stackSize = 1 << 22
        thread.start()

        // Consumer: convert and encode each chunk, in parallel over columns.
        var run = ConversionRun(input: input, output: output, inputSize: source.size, options: options)
        var failure: IngestError?
        loop: while true {
            switch queue.take() {
            case let .chunk(chunk):
                let result = ConvertedChunk()
                do {
                    try writer.append(rows: chunk.rows) { j in
                        let raw = chunk.columns[j]
                        let (type, firstRow) = raw.chosenType(override: overrides[j])
                        let (vector, bad) = raw.finish(as: type)
                        var ingestion = raw.ingestion
                        if !bad.isEmpty {
                            ingestion.rejected += UInt64(bad.count)
                            result.record(column: j, row: bad[0], count: bad.count)
                        }
                        return ColFileWriter.ChunkColumn(vector: vector, firstRowOfType: firstRow, ingestion: ingestion)
                    }
                } catch {
                    failure = .format(error)
                    break loop
                }
                if let (j, row, count) = result.firstBad {
                    let loc = SourceLocation(file: input, line: chunk.lines[row], column: 0, offset: nil)
                    let message = "column '\(columns[j])': value does not parse as \(overrides[j]?.name ?? "its type") (--schema)"
                    if options.onError == .fail {
                        failure = .malformed(loc, message)
                        break loop
                    }
                    rejected += count
                    if options.onError == .warn { options.warning?("\(loc.file):\(loc.line): \(message); \(count) value(s) set to null") }
                }
                run.chunkWritten(rows: chunk.rows, inputBytes: chunk.inputBytes)
                queue.recycle(consume chunk)
            case let .failed(error):
                failure = error
                break loop
            case let .finished(stats):
                rejected += stats.rejected
                decisions.append(("rows", "\(run.rows) converted, \(stats.rejected) rejected (--on-error \(options.onError.rawValue))"))
                for (j, c) in writer.columns.enumerated() {
                    var how = "\(c.type.name)"
                    if let o = overrides[j] { how += " (given by --schema as \(o.name))" }
                    decisions.append(("column \(columns[j])", how))
                }
                do {
                    return try run.finish(writer: writer, rejects: rejects, stats: stats, rejected: rejected, decisions: decisions)
                } catch {
                    failure = error
                    break loop
                }
            }
        }
        throw abandon(queue: queue, writer: writer, rejects: rejects, failure: failure)
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

/// Stops the reader thread and removes every partial output; returns the error to throw.
func abandon<Chunk>(queue: ChunkQueue<Chunk>, writer: ColFileWriter, rejects: RejectsFile?, failure: IngestError?) -> IngestError {
    queue.cancel()
    writer.abort()
    rejects?.discard()
    return failure ?? .io("conversion stopped")
}

/// The bookkeeping both converters share: progress after each chunk, and the end of the file.
struct ConversionRun {
    let started = monotonicSeconds()
    let input: String
    let output: String
    let inputSize: Int?
    let options: ConversionOptions
    private(set) var chunks = 0
    private(set) var rows: UInt64 = 0

    init(input: String, output: String, inputSize: Int?, options: ConversionOptions) {
        self.input = input
        self.output = output
        self.inputSize = inputSize
        self.options = options
    }

    mutating func chunkWritten(rows: Int, inputBytes: Int) {
        chunks += 1
        self.rows += UInt64(rows)
        options.progress?(ConversionProgress(rows: self.rows, inputBytes: inputBytes, inputSize: inputSize,
                                             seconds: monotonicSeconds() - started))
    }

    /// Records provenance, closes the rejects file and finishes the .col file.
    func finish(writer: ColFileWriter, rejects: RejectsFile?, stats: ProducerStats, rejected: Int,
                decisions: [(subject: String, decision: String)]) throws(IngestError) -> ConversionSummary {
        let provenance = Provenance(source: input, sourceSize: UInt64(stats.inputBytes), sourceHash: stats.hash,
                                    tool: options.tool, createdAt: Provenance.now(), options: options.recordedOptions,
                                    decisions: decisions)
        try rejects?.close()
        do { try writer.finish(provenance: provenance) } catch { throw .format(error) }
        var st = stat()
        let outputBytes = output != "-" && stat(output, &st) == 0 ? Int(st.st_size) : 0
        return ConversionSummary(rows: rows, columns: writer.columns.count, chunks: chunks, inputBytes: stats.inputBytes,
                                 outputBytes: outputBytes, seconds: monotonicSeconds() - started, rejectedRecords: rejected,
                                 decisions: decisions, peakRSS: peakResidentBytes())
    }
}

/// Bad values found while converting a chunk (written from parallel tasks).
final class ConvertedChunk: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var firstBad: (Int, Int, Int)?
    func record(column: Int, row: Int, count: Int) {
        lock.lock()
        defer { lock.unlock() }
        if firstBad == nil || (firstBad?.1 ?? 0) > row { firstBad = (column, row, count) }
    }
}

/// What the producer reports at the end.
struct ProducerStats: Sendable {
    var rejected: Int
    var inputBytes: Int
    var hash: UInt64
}

/// A chunk buffer that can be emptied and reused.
protocol RecyclableChunk: Sendable {
    mutating func reset()
}

/// A bounded blocking queue of raw chunks between the producer and the converter.
final class ChunkQueue<Chunk: RecyclableChunk>: @unchecked Sendable {
    enum Item { case chunk(Chunk), failed(IngestError), finished(ProducerStats) }
    private let condition = NSCondition()
    private var items: [Item] = []
    /// Processed chunks handed back for reuse, so steady state allocates no chunk buffers.
    private var spare: [Chunk] = []
    private let depth: Int
    private(set) var cancelled = false

    init(depth: Int) { self.depth = depth }

    func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= depth && !cancelled { condition.wait() }
        if cancelled { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    func take() -> Item {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty { condition.wait() }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    /// Hands a processed chunk back to the producer.
    func recycle(_ chunk: consuming Chunk) {
        var c = chunk
        c.reset()
        condition.lock()
        spare.append(c)
        condition.unlock()
    }

    /// A recycled chunk, if one is available.
    func reuse() -> Chunk? {
        condition.lock()
        defer { condition.unlock() }
        return spare.popLast()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}

/// Rejected records, as CSV: line, error, record.
final class RejectsFile: @unchecked Sendable {
    let path: String
    private let handle: FileHandle
    private let temporary: String
    private var buffer: [UInt8] = Array("line,error,record\n".utf8)

    init?(path: String?) throws(IngestError) {
        guard let path else { return nil }
        self.path = path
        temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
              let h = FileHandle(forWritingAtPath: temporary) else { throw .io("\(path): cannot create the rejects file") }
        handle = h
    }

    func add(line: Int, error: String, record: [UInt8]) {
        CanonicalText.appendInt(Int64(line), to: &buffer)
        buffer.append(UInt8(ascii: ","))
        appendQuoted(Array(error.utf8))
        buffer.append(UInt8(ascii: ","))
        var body = record
        while let last = body.last, last == 0x0A || last == 0x0D { body.removeLast() }
        appendQuoted(body)
        buffer.append(0x0A)
        if buffer.count > 1 << 16 { flush() }
    }

    private func appendQuoted(_ b: [UInt8]) {
        buffer.append(0x22)
        for c in b {
            if c == 0x22 { buffer.append(0x22) }
            buffer.append(c)
        }
        buffer.append(0x22)
    }

    private func flush() {
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws(IngestError) {
        flush()
        try? handle.close()
        guard rename(temporary, path) == 0 else { throw .io("\(path): cannot write the rejects file") }
    }

    func discard() {
        try? handle.close()
        unlink(temporary)
    }
}

/// Tokenizes records into raw chunks on its own thread.
final class Producer: @unchecked Sendable {
    let tokenizer: CSVTokenizer
    var rec: CSVRecord
    let replayFirst: Bool
    let width: Int
    let chunkRows: Int
    let nullTokens: Set<[UInt8]>
    let utf8: InvalidUTF8Policy
    let onError: ErrorPolicy
    let rejects: RejectsFile?
    let warning: (@Sendable (String) -> Void)?
    let queue: ChunkQueue<RawChunk>
    let file: String

    init(tokenizer: CSVTokenizer, record: CSVRecord, replayFirst: Bool, width: Int, chunkRows: Int, nullTokens: Set<[UInt8]>,
         utf8: InvalidUTF8Policy, onError: ErrorPolicy, rejects: RejectsFile?, warning: (@Sendable (String) -> Void)?,
         queue: ChunkQueue<RawChunk>, file: String) {
        self.tokenizer = tokenizer
        self.rec = record
        self.replayFirst = replayFirst
        self.width = width
        self.chunkRows = chunkRows
        self.nullTokens = nullTokens
        self.utf8 = utf8
        self.onError = onError
        self.rejects = rejects
        self.warning = warning
        self.queue = queue
        self.file = file
    }

    private func newChunk() -> RawChunk {
        if let c = queue.reuse() { return c }
        var c = RawChunk(columns: [RawColumn](repeating: RawColumn(), count: width), rows: 0, lines: [])
        c.lines.reserveCapacity(chunkRows)
        for j in 0..<width { c.columns[j].text.reserveCapacity(chunkRows) }
        return c
    }

    /// Handles a bad record: fail stops, skip and warn count it.
    private func reject(_ error: IngestError, line: Int, raw: [UInt8], rejected: inout Int) -> Bool {
        guard onError != .fail else {
            _ = queue.put(.failed(error))
            return false
        }
        rejected += 1
        if onError == .warn { warning?(error.description) }
        var message = error.description
        if case let .malformed(_, m) = error { message = m }
        rejects?.add(line: line, error: message, record: raw)
        return true
    }

    func run() {
        var chunk = newChunk()
        var rejected = 0
        var replay = replayFirst
        var fixed: [UInt8] = []
        while !queue.cancelled {
            // Next record.
            if replay {
                replay = false
            } else {
                do {
                    guard try tokenizer.next(&rec) else { break }
                } catch {
                    let line = tokenizer.line
                    let raw = rec.raw
                    guard reject(error, line: line, raw: raw, rejected: &rejected) else { return }
                    if case let .malformed(_, m) = error, m.hasPrefix("unclosed quote") { break }
                    do { try tokenizer.skipToLineEnd() } catch {
                        _ = queue.put(.failed(error))
                        return
                    }
                    continue
                }
            }
            // Width.
            if rec.count != width {
                let column = rec.count > width ? rec.columns[width] : (rec.columns.last ?? 1)
                let e = IngestError.malformed(SourceLocation(file: file, line: rec.line, column: column, offset: nil),
                                              "expected \(width) field\(width == 1 ? "" : "s"), found \(rec.count)")
                guard reject(e, line: rec.line, raw: rec.raw, rejected: &rejected) else { return }
                continue
            }
            // UTF-8.
            if hasHighBit(rec.bytes) {
                var bad: IngestError?
                for i in 0..<width {
                    let r = rec.range(i)
                    if let at = firstInvalidUTF8(rec.bytes[r]) {
                        if utf8 == .replace {
                            fixed = replacingInvalidUTF8(Array(rec.bytes[r]))
                            var rebuilt = Array(rec.bytes[0..<r.lowerBound]) + fixed
                            let delta = fixed.count - r.count
                            rebuilt += rec.bytes[r.upperBound...]
                            rec.bytes = rebuilt
                            for k in i..<width { rec.ends[k] += delta }
                        } else {
                            bad = .malformed(SourceLocation(file: file, line: rec.line, column: rec.columns[i] + at, offset: nil),
                                             "invalid UTF-8 in field \(i + 1) (byte \(at + 1) of the field); use --invalid-utf8 replace to substitute U+FFFD")
                            break
                        }
                    }
                }
                if let bad {
                    guard reject(bad, line: rec.line, raw: rec.raw, rejected: &rejected) else { return }
                    continue
                }
            }
            // Append.
            rec.bytes.withUnsafeBytes { all in
                for j in 0..<width {
                    let r = rec.range(j)
                    if r.isEmpty && !rec.quoted[j] {
                        chunk.columns[j].appendNull()
                    } else if !rec.quoted[j] && !nullTokens.isEmpty && nullTokens.contains(Array(all[r])) {
                        chunk.columns[j].appendNull()
                    } else {
                        chunk.columns[j].append(UnsafeRawBufferPointer(rebasing: all[r]))
                    }
                }
            }
            chunk.lines.append(rec.line)
            chunk.rows += 1
            if chunk.rows == chunkRows {
                chunk.inputBytes = tokenizer.source.rawBytesRead
                guard queue.put(.chunk(chunk)) else { return }
                chunk = newChunk()
            }
        }
        if chunk.rows > 0 {
            chunk.inputBytes = tokenizer.source.rawBytesRead
            guard queue.put(.chunk(chunk)) else { return }
        }
        _ = queue.put(.finished(ProducerStats(rejected: rejected, inputBytes: tokenizer.source.rawBytesRead,
                                              hash: tokenizer.source.hasher.finalize())))
    }
}

@inline(__always) func hasHighBit(_ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { p in
        var i = 0
        var acc: UInt64 = 0
        while i + 8 <= p.count {
            acc |= p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < p.count { acc |= UInt64(p[i]); i += 1 }
        return acc & 0x8080_8080_8080_8080 != 0
    }
}

/// Replaces every invalid UTF-8 sequence with U+FFFD.
func replacingInvalidUTF8(_ bytes: [UInt8]) -> [UInt8] {
    Array(String(decoding: bytes, as: UTF8.self).utf8)
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Peak resident set size of this process, in bytes.
public func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Int(usage.ru_maxrss) * 1024
}
