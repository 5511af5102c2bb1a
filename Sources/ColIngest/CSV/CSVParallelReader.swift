import ColFormat
#if canImport(Glibc)
import Glibc
#endif

// # Reading CSV on every core
//
// Design. The serial reader (CSVRecordReader) tokenizes one record after
// another on one thread. This reader gives the same chunks, record for record
// and error for error, from all cores:
//
// 1. A window of `threads × blockBytes` bytes is read with plain `read`
//    calls into one reused buffer (a file, a pipe or standard input alike),
//    plus the bytes up to the first record boundary after it.
// 2. `CSVBlockSplitter.boundaries` finds the record boundaries that cut the
//    window into one slice per block: the blocks are scanned in parallel for
//    every state they may start in, then chained in order. Exact, no guessing.
// 3. The slices are parsed in parallel, each by its own tokenizer and the
//    shared record loop (CSVRecordLoop) into a fragment: raw columns with no
//    row or byte limit, lines counted from 1, bad records noted with the
//    fragment row they came before. Each field is copied and classified once,
//    on the slice's thread.
// 4. On this thread, in input order, the fragments are cut into chunks by
//    the serial reader's rule (rows, or the bytes each record counts), with
//    their lines moved to the input's, and the bad records go to the policy
//    between the rows they came between. So the chunks, the rejects and the
//    warnings do not depend on the number of threads or on where blocks fall.
//
// A slice must end where its tokenizer ends a record. When one does not (an
// unclosed quote, or a field over `maxFieldBytes` moving the error recovery,
// which the splitter's states do not model), the rest of the input is read by
// one tokenizer from that slice on, as the serial reader would.

/// Reads CSV or TSV into raw chunks with every core (the pipeline's reader for a UTF-8
/// input from `fewestCores` cores, or with `--read-threads`); the chunks are the serial reader's.
final class CSVParallelReader: RecordReader, @unchecked Sendable {
    typealias Chunk = RawChunk

    /// Where the reader starts: what the converter's tokenizer has read and not used.
    struct Start {
        /// Decoded bytes already read, after the header (or after the first record).
        var bytes: [UInt8]
        /// The decoded offset and the line of `bytes`' first byte, a record boundary.
        var offset: Int
        var line: Int
        /// True when the byte that follows may be the LF of a CRLF already counted.
        var pendingLF: Bool
        /// The first record, when it is data (no header): read already, to be taken first.
        var firstRecord: CSVRecord?
    }

    /// A bad record a slice found, and the fragment row it came before.
    private struct BadRecord: Sendable {
        var error: IngestError
        var line: Int
        var raw: [UInt8]
        var row: Int
    }

    /// What a slice's tokenizer made of it.
    private struct Slice: Sendable {
        var fragment: RawChunk
        var bad: [BadRecord] = []
        /// Line breaks in the slice, as the tokenizer counts them.
        var lines = 0
        /// Whether the tokenizer ended where the splitter said the slice ends.
        var endedAtBoundary = true
        /// An error that is not a bad record (none is expected from input in memory).
        var failure: IngestError?
    }

    /// The fewest cores for which reading in parallel is the default. With two, the serial reader
    /// and the converting stage already keep both busy, and the parallel reader's extra copy
    /// (slices into fragments, fragments into chunks) made conversions slower (docs/PERFORMANCE.md).
    static let fewestCores = 3

    /// The threads `colconv` reads CSV with: one per core from `fewestCores` cores, else 1 (serial).
    static var defaultThreads: Int {
        let cores = activeProcessorCount
        return cores >= fewestCores ? cores : 1
    }

    private let source: ByteSource
    private let dialect: CSVDialect
    private let maxFieldBytes: Int
    private let keepRaw: Bool
    private let settings: CSVRecordReader.Settings
    private let badRecords: BadRecordPolicy
    private let queue: ChunkQueue<RawChunk>
    private let splitter: CSVBlockSplitter
    private let threads: Int
    private let blockBytes: Int
    private var start: Start

    init(source: ByteSource, dialect: CSVDialect, maxFieldBytes: Int, keepRaw: Bool, start: Start, settings: CSVRecordReader.Settings,
         threads: Int, blockBytes: Int, badRecords: BadRecordPolicy, queue: ChunkQueue<RawChunk>) {
        self.source = source
        self.dialect = dialect
        self.maxFieldBytes = maxFieldBytes
        self.keepRaw = keepRaw
        self.start = start
        self.settings = settings
        self.threads = max(threads, 1)
        self.blockBytes = max(blockBytes, 1)
        self.badRecords = badRecords
        self.queue = queue
        splitter = CSVBlockSplitter(dialect: dialect)
    }

    private var file: String { source.name }

    func readAll() throws(IngestError) -> ProducerStats {
        let handOff = CSVChunkHandOff(settings: settings, source: source, queue: queue, badRecords: badRecords)
        let settings = settings
        var chunk = handOff.newChunk()
        var chunkBytes = 0
        var stopped = false

        // The first record, when it is data, read already by the converter.
        if let first = start.firstRecord {
            var loop = CSVRecordLoop(settings: settings, file: file)
            loop.record = first
            let none = CSVTokenizer(source: ByteSource(bytes: [], name: file, continuing: true), dialect: dialect, maxFieldBytes: maxFieldBytes)
            stopped = try loop.read(none, replayFirst: true, into: &chunk, chunkBytes: &chunkBytes, rowLimit: settings.chunkRows,
                                    byteLimit: settings.chunkBytes, cancelled: { handOff.cancelled }, bad: handOff.reject, full: handOff.full) == .stopped
        }

        let windowBytes = threads * blockBytes
        var buffer = WindowBuffer(capacity: windowBytes + blockBytes)
        defer { buffer.deallocate() }
        buffer.append(start.bytes)
        start.bytes = []
        var offset = start.offset
        var line = start.line
        var skipLF = start.pendingLF
        var eof = false
        var pool: [RawChunk] = []

        windows: while !stopped && !handOff.cancelled {
            // 1. Read the window, and a block more for the boundary after it.
            while buffer.count < windowBytes + blockBytes && !eof {
                let n = try buffer.fill(from: source, upTo: windowBytes + blockBytes)
                if n == 0 { eof = true }
            }
            if skipLF && buffer.count > 0 {
                if buffer.first == 0x0A {
                    buffer.removeFirst(1)
                    offset += 1
                }
                skipLF = false
                continue
            }
            if buffer.count == 0 { break }

            // 2. The slices' boundaries.
            let windowEnd = min(windowBytes, buffer.count)
            let (starts, chained) = buffer.withBytes { splitter.boundaries($0, start: 0, end: windowEnd, blockSize: blockBytes) }
            var state = chained
            var end: Int?
            var searched = windowEnd
            while end == nil {
                let (found, at) = buffer.withBytes { nextBoundary($0, from: state, start: searched, eof: eof) }
                if let found {
                    end = found
                } else if buffer.count >= max(64 << 20, 4 * windowBytes) {
                    // No record ends in reach (a quoted field of many MiB): one tokenizer reads the rest.
                    try readSerially(from: 0, of: &buffer, offset: offset, line: line, into: &chunk, chunkBytes: &chunkBytes, handOff: handOff)
                    break windows
                } else {
                    state = at
                    searched = buffer.count
                    buffer.reserve(buffer.count * 2)
                    let n = try buffer.fill(from: source, upTo: buffer.capacity)
                    if n == 0 { eof = true }
                }
            }
            let windowStop = end ?? buffer.count
            let isLast = eof && windowStop == buffer.count
            let ends = Array(starts.dropFirst()) + [windowStop]

            // 3. The slices, in parallel.
            while pool.count < starts.count {
                var fragment = CSVRecordLoop.newChunk(settings, queue: nil, rows: 1 << 12)
                fragment.keepsRecordBytes = true
                pool.append(fragment)
            }
            let fragments = pool
            let base = UInt(bitPattern: buffer.baseAddress)
            let size = buffer.count
            let bufferOffset = offset
            let slices = parallelMap(starts.count) { k in
                let bytes = UnsafeBufferPointer(start: UnsafePointer<UInt8>(bitPattern: base), count: size)
                return parseSlice(Array(bytes[starts[k]..<ends[k]]), offset: bufferOffset + starts[k], into: fragments[k])
            }

            // 4. In order: rows into chunks, bad records to the policy.
            let fragmentsParsed = slices.map(\.fragment)
            var pieces: [Piece] = []
            for (k, slice) in slices.enumerated() {
                if let failure = slice.failure { throw failure }
                let lastOfInput = isLast && k == slices.count - 1
                let crlfCut = buffer.withBytes { b in ends[k] < b.count && ends[k] > 0 && b[ends[k] - 1] == 0x0D && b[ends[k]] == 0x0A }
                if !lastOfInput && (!slice.endedAtBoundary || crlfCut) {
                    // The tokenizer did not stop where the splitter cut: one tokenizer reads the rest.
                    join(pieces, of: fragmentsParsed, into: &chunk)
                    try readSerially(from: starts[k], of: &buffer, offset: offset + starts[k], line: line, into: &chunk,
                                     chunkBytes: &chunkBytes, handOff: handOff)
                    break windows
                }
                var row = 0
                for bad in slice.bad {
                    guard take(k, fragmentsParsed, rows: row..<bad.row, lineBase: line - 1, pieces: &pieces, into: &chunk,
                                   chunkBytes: &chunkBytes, handOff: handOff) else {
                        break windows
                    }
                    try badRecords.reject(bad.error.shifted(lines: line - 1), line: bad.line + line - 1, raw: bad.raw)
                    row = bad.row
                }
                guard take(k, fragmentsParsed, rows: row..<slice.fragment.rows, lineBase: line - 1, pieces: &pieces, into: &chunk,
                               chunkBytes: &chunkBytes, handOff: handOff) else {
                    break windows
                }
                line += slice.lines
            }
            join(pieces, of: fragmentsParsed, into: &chunk)
            for k in fragmentsParsed.indices {
                var fragment = fragmentsParsed[k]
                fragment.reset()
                pool[k] = fragment
            }
            buffer.removeFirst(windowStop)
            offset += windowStop
            if isLast { break }
        }
        return handOff.finish(chunk)
    }

    /// The first record boundary at or after `start` for a run in `state` there; at the end of
    /// the bytes read, the end of the input when it is the end (the last record ends there),
    /// else nil with the state reached.
    private func nextBoundary(_ p: UnsafeBufferPointer<UInt8>, from state: CSVBlockSplitter.State, start: Int,
                              eof: Bool) -> (Int?, CSVBlockSplitter.State) {
        var s = state
        for i in start..<p.count {
            if CSVBlockSplitter.isBoundary(s, before: p[i]) { return (i, s) }
            s = splitter.next(s, p[i])
        }
        return (eof ? p.count : nil, s)
    }

    /// Parses one slice, which starts at a record boundary at decoded `offset`, into `fragment`.
    private func parseSlice(_ bytes: [UInt8], offset: Int, into fragment: RawChunk) -> Slice {
        let tokenizer = CSVTokenizer(source: ByteSource(bytes: [], name: file, continuing: true), dialect: dialect,
                                     maxFieldBytes: maxFieldBytes, firstBlock: bytes, line: 1, offset: offset)
        tokenizer.keepRaw = keepRaw
        var loop = CSVRecordLoop(settings: settings, file: file)
        var slice = Slice(fragment: fragment)
        var bad: [BadRecord] = []
        var ignored = 0
        do {
            let ended = try loop.read(tokenizer, replayFirst: false, into: &slice.fragment, chunkBytes: &ignored, rowLimit: .max, byteLimit: .max,
                                      cancelled: { false }, bad: { error, line, raw, row in
                                          bad.append(BadRecord(error: error, line: line, raw: raw, row: row))
                                      }, full: { _ in true })
            slice.endedAtBoundary = ended == .input && tokenizer.endedAtLineBreak
        } catch {
            slice.failure = error
        }
        slice.bad = bad
        slice.lines = tokenizer.line - 1
        return slice
    }

    /// Rows of a slice's fragment on their way into the chunk being filled.
    private struct Piece {
        var fragment: Int
        var rows: Range<Int>
        var lineBase: Int
    }

    /// Plans `rows` of fragment `k` into chunks: whole chunks are joined and handed on at once,
    /// the rest waits in `pieces`. Returns false when the conversion was stopped.
    private func take(_ k: Int, _ fragments: [RawChunk], rows: Range<Int>, lineBase: Int, pieces: inout [Piece], into chunk: inout RawChunk,
                      chunkBytes: inout Int, handOff: CSVChunkHandOff) -> Bool {
        var r = rows.lowerBound
        var planned = chunk.rows + pieces.reduce(0) { $0 + $1.rows.count }
        let recordBytes = fragments[k].recordBytes
        while r < rows.upperBound {
            var n = 0
            var full = false
            while r + n < rows.upperBound {
                chunkBytes += recordBytes[r + n]
                n += 1
                if planned + n == settings.chunkRows || chunkBytes >= settings.chunkBytes {
                    full = true
                    break
                }
            }
            pieces.append(Piece(fragment: k, rows: r..<(r + n), lineBase: lineBase))
            planned += n
            r += n
            if full {
                join(pieces, of: fragments, into: &chunk)
                pieces.removeAll()
                planned = 0
                chunkBytes = 0
                guard handOff.full(&chunk) else { return false }
            }
        }
        return true
    }

    /// Appends the pieces to `chunk`, its columns in parallel.
    private func join(_ pieces: [Piece], of fragments: [RawChunk], into chunk: inout RawChunk) {
        guard !pieces.isEmpty else { return }
        chunk.columns.withUnsafeMutableBufferPointer { columns in
            let base = UInt(bitPattern: columns.baseAddress)
            _ = parallelMap(columns.count) { j in
                guard let column = UnsafeMutablePointer<RawColumn>(bitPattern: base)?.advanced(by: j) else { return 0 }
                for piece in pieces { column.pointee.append(contentsOf: fragments[piece.fragment].columns[j], range: piece.rows) }
                return 0
            }
        }
        for piece in pieces { chunk.appendRowFacts(of: fragments[piece.fragment], range: piece.rows, lineBase: piece.lineBase) }
    }

    /// Reads the rest of the input from `from` in the buffer with one tokenizer, as the serial reader does.
    private func readSerially(from: Int, of buffer: inout WindowBuffer, offset: Int, line: Int, into chunk: inout RawChunk,
                              chunkBytes: inout Int, handOff: CSVChunkHandOff) throws(IngestError) {
        let rest = buffer.withBytes { Array($0[from...]) }
        let tokenizer = CSVTokenizer(source: source, dialect: dialect, maxFieldBytes: maxFieldBytes, firstBlock: rest, line: line, offset: offset)
        tokenizer.keepRaw = keepRaw
        var loop = CSVRecordLoop(settings: settings, file: file)
        _ = try loop.read(tokenizer, replayFirst: false, into: &chunk, chunkBytes: &chunkBytes, rowLimit: settings.chunkRows,
                          byteLimit: settings.chunkBytes, cancelled: { handOff.cancelled }, bad: handOff.reject, full: handOff.full)
    }
}
