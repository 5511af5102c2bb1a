import ColBytes
import ColFormat

/// Tokenizes records into raw chunks on its own thread (the pipeline's reader for CSV and
/// TSV below `CSVParallelReader.fewestCores` cores, for UTF-16 input, or with
/// `--read-threads 1`): checks each record's width and UTF-8, and hands bad records to the
/// `BadRecordPolicy`. `CSVParallelReader` gives the same chunks from all cores.
final class CSVRecordReader: RecordReader, @unchecked Sendable {
    typealias Chunk = RawChunk

    /// What the reader needs from the converter besides the tokenizer.
    struct Settings: Sendable {
        /// The number of columns every record must have.
        var width: Int
        var chunkRows: Int
        /// A chunk ends when its field bytes plus 4 per value reach this (ConversionOptions.chunkBytes).
        var chunkBytes: Int
        /// Unquoted field values that read as null, besides the empty field.
        var nullTokens: Set<[UInt8]>
        var invalidUTF8: InvalidUTF8Policy
        /// Whether plain records take the tokenizer's fast path (`takeRecords`);
        /// false reads every record through the reference `next`.
        var fastPath = true
    }

    private let tokenizer: CSVTokenizer
    private var rec: CSVRecord
    /// True when `rec` holds the first record, already read, that is data (no header).
    private let replayFirst: Bool
    private let settings: Settings
    private let badRecords: BadRecordPolicy
    private let queue: ChunkQueue<RawChunk>

    init(tokenizer: CSVTokenizer, record: CSVRecord, replayFirst: Bool, settings: Settings, badRecords: BadRecordPolicy,
         queue: ChunkQueue<RawChunk>) {
        self.tokenizer = tokenizer
        rec = record
        self.replayFirst = replayFirst
        self.settings = settings
        self.badRecords = badRecords
        self.queue = queue
    }

    func readAll() throws(IngestError) -> ProducerStats {
        let handOff = CSVChunkHandOff(settings: settings, source: tokenizer.source, queue: queue, badRecords: badRecords)
        var loop = CSVRecordLoop(settings: settings, file: tokenizer.source.name)
        loop.record = rec
        var chunk = handOff.newChunk()
        var chunkBytes = 0
        _ = try loop.read(tokenizer, replayFirst: replayFirst, into: &chunk, chunkBytes: &chunkBytes,
                          rowLimit: settings.chunkRows, byteLimit: settings.chunkBytes, cancelled: { handOff.cancelled },
                          bad: handOff.reject, full: handOff.full)
        return handOff.finish(chunk)
    }
}

/// How both CSV readers pass their work on: full chunks as they fill, the last one at the end
/// of the input, and bad records to the policy.
struct CSVChunkHandOff {
    let settings: CSVRecordReader.Settings
    let source: ByteSource
    let queue: ChunkQueue<RawChunk>
    let badRecords: BadRecordPolicy

    /// Whether the conversion was stopped.
    var cancelled: Bool { queue.cancelled }

    /// A chunk buffer: a recycled one when one is free.
    func newChunk() -> RawChunk { CSVRecordLoop.newChunk(settings, queue: queue, rows: settings.chunkRows) }

    /// Hands on a full chunk and puts the next buffer in its place; false once the conversion was cancelled.
    func full(_ chunk: inout RawChunk) -> Bool {
        chunk.inputBytes = source.rawBytesRead
        guard queue.put(.chunk(chunk)) else { return false }
        chunk = newChunk()
        return true
    }

    /// A bad record, to the policy (`row`, where it came in a chunk, does not matter here).
    func reject(_ error: IngestError, line: Int, raw: [UInt8], row: Int) throws(IngestError) {
        try badRecords.reject(error, line: line, raw: raw)
    }

    /// Hands on the last, partial chunk, and returns the end-of-input figures.
    func finish(_ chunk: RawChunk) -> ProducerStats {
        if chunk.rows > 0 && !queue.cancelled {
            var last = chunk
            last.inputBytes = source.rawBytesRead
            _ = queue.put(.chunk(last))
        }
        return ProducerStats(rejected: badRecords.rejectedRecords, inputBytes: source.rawBytesRead, hash: source.hasher.finalize())
    }
}

/// The record loop both CSV readers share: reads every record of a tokenizer into
/// chunks, plain records through the tokenizer's fast path and the others through
/// `next`, the reference; checks width and UTF-8, and hands bad records on.
struct CSVRecordLoop {
    let settings: CSVRecordReader.Settings
    let file: String
    /// The record `next` reads into (the converter's first record when it is data).
    var record = CSVRecord()
    private var fixed: [UInt8] = []
    private var spans: [CSVFieldSpan] = []
    private var scratch: [UInt8] = []

    init(settings: CSVRecordReader.Settings, file: String) {
        self.settings = settings
        self.file = file
    }

    /// A chunk buffer: a recycled one from `queue`, or a new one reserved for `rows` rows.
    static func newChunk(_ settings: CSVRecordReader.Settings, queue: ChunkQueue<RawChunk>?, rows: Int) -> RawChunk {
        if let c = queue?.reuse() { return c }
        var c = RawChunk(columns: (0..<settings.width).map { _ in RawColumn() }, rows: 0, lines: [])
        // The rows a chunk holds if its values are short (4 bytes, plus the 4 of their offset,
        // as `chunkBytes` counts them), so wide input does not reserve more than its budget; the
        // buffers grow from there, and a recycled chunk keeps what it grew to.
        let reserved = min(rows, max(64, settings.chunkBytes / (8 * max(settings.width, 1))))
        c.lines.reserveCapacity(reserved)
        for j in 0..<settings.width { c.columns[j].fields.reserve(rows: reserved, bytes: 4 * reserved) }
        return c
    }

    /// How a read ended.
    enum End {
        /// At the end of the tokenizer's input.
        case input
        /// At an unclosed quote, which ends the input (after `bad` was told).
        case unclosedQuote
        /// `full` returned false, or `cancelled` became true.
        case stopped
    }

    /// Reads records from `tokenizer` into `chunk`, which ends (`full` is called) at `rowLimit`
    /// rows or when `chunkBytes` reaches `byteLimit`; `full` hands it on and puts the next buffer
    /// in its place, or returns false to stop. Bad records go to `bad` with their line, raw text,
    /// and the rows of `chunk` before them.
    mutating func read(_ tokenizer: CSVTokenizer, replayFirst: Bool, into chunk: inout RawChunk, chunkBytes: inout Int,
                       rowLimit: Int, byteLimit: Int, cancelled: () -> Bool,
                       bad: (IngestError, Int, [UInt8], Int) throws(IngestError) -> Void,
                       full: (inout RawChunk) throws(IngestError) -> Bool) throws(IngestError) -> End {
        let width = settings.width
        var replay = replayFirst
        let limits = CSVFastPathLimits(width: width, rowLimit: rowLimit, byteLimit: byteLimit,
                                       nullTokens: settings.nullTokens, longestNullToken: settings.nullTokens.map(\.count).max() ?? 0)
        while !cancelled() {
            // Next record.
            if replay {
                replay = false
            } else {
                if settings.fastPath {
                    // Plain records go straight into the columns; `next` reads the first one that is not.
                    if tokenizer.takeRecords(into: &chunk, limits: limits, chunkBytes: &chunkBytes, spans: &spans, scratch: &scratch) > 0,
                       chunk.rows == rowLimit || chunkBytes >= byteLimit {
                        chunkBytes = 0
                        guard try full(&chunk) else { return .stopped }
                        continue
                    }
                }
                do {
                    guard try tokenizer.next(&record) else { return .input }
                } catch {
                    // A failed read or undecodable UTF-16 is not a bad record: skipping it
                    // would drop the rest of the input and still exit 0.
                    if tokenizer.sourceFailed { throw error }
                    let line = tokenizer.line
                    if case let .malformed(_, m) = error, m.starts(with: "unclosed quote") {
                        try bad(error, line, record.raw, chunk.rows)
                        return .unclosedQuote
                    }
                    try tokenizer.skipToLineEnd(raw: &record.raw)
                    try bad(error, line, record.raw, chunk.rows)
                    continue
                }
            }
            // Width.
            if record.count != width {
                let column = record.count > width ? record.columns[width] : (record.columns.last ?? 1)
                let e = IngestError.malformed(SourceLocation(file: file, line: record.line, column: column, offset: nil),
                                              "expected \(width) field\(width == 1 ? "" : "s"), found \(record.count)")
                try bad(e, record.line, record.raw, chunk.rows)
                continue
            }
            // UTF-8.
            if hasHighBit(record.bytes) {
                var invalid: IngestError?
                for i in 0..<width {
                    let r = record.range(i)
                    if let at = firstInvalidUTF8(record.bytes[r]) {
                        if settings.invalidUTF8 == .replace {
                            fixed = replacingInvalidUTF8(Array(record.bytes[r]))
                            var rebuilt = Array(record.bytes[0..<r.lowerBound]) + fixed
                            let delta = fixed.count - r.count
                            rebuilt += record.bytes[r.upperBound...]
                            record.bytes = rebuilt
                            for k in i..<width { record.ends[k] += delta }
                        } else {
                            invalid = .malformed(SourceLocation(file: file, line: record.line, column: record.columns[i] + at, offset: nil),
                                                 "invalid UTF-8 in field \(i + 1) (byte \(at + 1) of the field); use \(setting: .invalidUTF8Replace) to substitute U+FFFD")
                            break
                        }
                    }
                }
                if let invalid {
                    try bad(invalid, record.line, record.raw, chunk.rows)
                    continue
                }
            }
            // Append.
            let nullTokens = settings.nullTokens
            record.bytes.withUnsafeBytes { all in
                for j in 0..<width {
                    let r = record.range(j)
                    if r.isEmpty && !record.quoted[j] {
                        chunk.columns[j].appendNull()
                    } else if !record.quoted[j] && !nullTokens.isEmpty && nullTokens.contains(Array(all[r])) {
                        chunk.columns[j].appendNull()
                    } else {
                        chunk.columns[j].append(UnsafeRawBufferPointer(rebasing: all[r]))
                    }
                }
            }
            chunk.lines.append(record.line)
            if chunk.keepsRecordBytes { chunk.recordBytes.append(record.bytes.count + 4 * width) }
            chunk.rows += 1
            chunkBytes += record.bytes.count + 4 * width
            if chunk.rows == rowLimit || chunkBytes >= byteLimit {
                chunkBytes = 0
                guard try full(&chunk) else { return .stopped }
            }
        }
        return .stopped
    }
}
