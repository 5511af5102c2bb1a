import ColFormat

/// Tokenizes records into raw chunks on its own thread (the pipeline's
/// reader for CSV and TSV): checks each record's width and UTF-8, and hands
/// bad records to the `BadRecordPolicy`.
final class CSVRecordReader: RecordReader, @unchecked Sendable {
    typealias Chunk = RawChunk

    /// What the reader needs from the converter besides the tokenizer.
    struct Settings {
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

    private var file: String { tokenizer.source.name }

    private func newChunk() -> RawChunk {
        if let c = queue.reuse() { return c }
        var c = RawChunk(columns: (0..<settings.width).map { _ in RawColumn() }, rows: 0, lines: [])
        // The rows a chunk holds if its values are short (4 bytes, plus the 4 of their offset,
        // as `chunkBytes` counts them), so wide input does not reserve more than its budget; the
        // buffers grow from there, and a recycled chunk keeps what it grew to.
        let reserved = min(settings.chunkRows, max(64, settings.chunkBytes / (8 * max(settings.width, 1))))
        c.lines.reserveCapacity(reserved)
        for j in 0..<settings.width { c.columns[j].fields.reserve(rows: reserved, bytes: 4 * reserved) }
        return c
    }

    func readAll() throws(IngestError) -> ProducerStats {
        let width = settings.width
        var chunk = newChunk()
        var replay = replayFirst
        var fixed: [UInt8] = []
        var chunkBytes = 0
        let limits = CSVFastPathLimits(width: width, rowLimit: settings.chunkRows, byteLimit: settings.chunkBytes,
                                       nullTokens: settings.nullTokens, longestNullToken: settings.nullTokens.map(\.count).max() ?? 0)
        var spans: [CSVFieldSpan] = []
        var scratch: [UInt8] = []
        while !queue.cancelled {
            // Next record.
            if replay {
                replay = false
            } else {
                if settings.fastPath {
                    // Plain records go straight into the columns; `next` reads the first one that is not.
                    if tokenizer.takeRecords(into: &chunk, limits: limits, chunkBytes: &chunkBytes, spans: &spans, scratch: &scratch) > 0,
                       chunk.rows == settings.chunkRows || chunkBytes >= settings.chunkBytes {
                        chunkBytes = 0
                        chunk.inputBytes = tokenizer.source.rawBytesRead
                        guard queue.put(.chunk(chunk)) else { break }
                        chunk = newChunk()
                        continue
                    }
                }
                do {
                    guard try tokenizer.next(&rec) else { break }
                } catch {
                    // A failed read or undecodable UTF-16 is not a bad record: skipping it
                    // would drop the rest of the input and still exit 0.
                    if tokenizer.sourceFailed { throw error }
                    try badRecords.reject(error, line: tokenizer.line, raw: rec.raw)
                    if case let .malformed(_, m) = error, m.starts(with: "unclosed quote") { break }
                    try tokenizer.skipToLineEnd()
                    continue
                }
            }
            // Width.
            if rec.count != width {
                let column = rec.count > width ? rec.columns[width] : (rec.columns.last ?? 1)
                let e = IngestError.malformed(SourceLocation(file: file, line: rec.line, column: column, offset: nil),
                                              "expected \(width) field\(width == 1 ? "" : "s"), found \(rec.count)")
                try badRecords.reject(e, line: rec.line, raw: rec.raw)
                continue
            }
            // UTF-8.
            if hasHighBit(rec.bytes) {
                var bad: IngestError?
                for i in 0..<width {
                    let r = rec.range(i)
                    if let at = firstInvalidUTF8(rec.bytes[r]) {
                        if settings.invalidUTF8 == .replace {
                            fixed = replacingInvalidUTF8(Array(rec.bytes[r]))
                            var rebuilt = Array(rec.bytes[0..<r.lowerBound]) + fixed
                            let delta = fixed.count - r.count
                            rebuilt += rec.bytes[r.upperBound...]
                            rec.bytes = rebuilt
                            for k in i..<width { rec.ends[k] += delta }
                        } else {
                            bad = .malformed(SourceLocation(file: file, line: rec.line, column: rec.columns[i] + at, offset: nil),
                                             "invalid UTF-8 in field \(i + 1) (byte \(at + 1) of the field); use \(setting: .invalidUTF8Replace) to substitute U+FFFD")
                            break
                        }
                    }
                }
                if let bad {
                    try badRecords.reject(bad, line: rec.line, raw: rec.raw)
                    continue
                }
            }
            // Append.
            let nullTokens = settings.nullTokens
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
            chunkBytes += rec.bytes.count + 4 * width
            if chunk.rows == settings.chunkRows || chunkBytes >= settings.chunkBytes {
                chunkBytes = 0
                chunk.inputBytes = tokenizer.source.rawBytesRead
                guard queue.put(.chunk(chunk)) else { break }
                chunk = newChunk()
            }
        }
        if chunk.rows > 0 && !queue.cancelled {
            chunk.inputBytes = tokenizer.source.rawBytesRead
            _ = queue.put(.chunk(chunk))
        }
        return ProducerStats(rejected: badRecords.rejectedRecords, inputBytes: tokenizer.source.rawBytesRead,
                             hash: tokenizer.source.hasher.finalize())
    }
}
