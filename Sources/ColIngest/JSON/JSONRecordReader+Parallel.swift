import ColFormat

// # Reading NDJSON on every core
//
// Design. The serial reader scans one record after another on one thread.
// For a stream of objects (NDJSON) read from UTF-8, `readStreamInParallel`
// gives the same chunks, record for record and error for error, from all
// cores, like CSVParallelReader does for CSV:
//
// 1. A window of `threads × sliceBytes` bytes is read into one reused buffer,
//    plus the bytes up to the first line break after it.
// 2. The window is cut into slices after the first line break past each
//    slice's nominal start. RFC 8259 forbids raw line breaks in strings, so in
//    NDJSON every line break ends a record and there is no state to chain.
// 3. Each slice is parsed, in parallel, by a slice reader: a JSONRecordReader
//    in slice mode (`slice` set), with its own scanner and its own path
//    table. Its columns are numbered in its own order of first sight, its bad
//    records are kept with the row they came before, and its lines count from 1.
// 4. On this thread, in input order, each slice's new columns are found in
//    (or added to) the input's path table: the serial order of first sight is
//    the slices' orders of first sight, one slice after another. The rows are
//    cut into chunks by the serial rule (rows, or the record bytes plus 4 per
//    column), and joined column by column in parallel; each field's tag
//    carries what the statistics count (JSONRawColumn.append(contentsOf:)).
//    Bad records go to the policy between the rows they came between.
//
// A slice is trusted only where the serial scanner would have ended a record
// at its end. It is not trusted, and one scanner reads the rest of the input
// from that slice on, as the serial reader does, when: a record runs past the
// slice's end (a record over several lines, as in pretty-printed JSON); a bad
// record's recovery (skip to the next line that starts with `{`) runs past it
// and the next slice does not start with `{`; or a hard error (too many
// columns, a name too long, a record over `maxRecordBytes`) stopped the slice.

/// What a slice reader found in its slice, for the join.
struct SliceFacts {
    /// A bad record, and the slice row it came before.
    struct BadRecord {
        var error: IngestError
        var line: Int
        var raw: [UInt8]
        var row: Int
    }

    var bad: [BadRecord] = []
    /// The rows whose record repeated a key, with the replaced path node (of the slice reader's table).
    var duplicates: [(row: Int, node: Int32)] = []
    /// For each of the slice reader's columns, the row of the window where it was first seen.
    var firstRows: [Int] = []
    /// For each of the slice reader's columns, the input's column (-1 until it is joined).
    var global: [Int] = []
    /// The slice reader's first column that is new in this window.
    var firstColumnOfWindow = 0
    /// A record failed at the slice's end (it may go on in the next slice).
    var failedAtEnd = false
    /// A bad record's recovery ran to the slice's end.
    var recoveredToEnd = false
    /// A hard error stopped the slice.
    var failure: IngestError?
    /// Line breaks in the slice.
    var lines = 0
}

extension JSONRecordReader {
    /// The threads `colconv` reads NDJSON with: one per core. Unlike CSV's (CSVParallelReader.fewestCores),
    /// this holds from 2 cores: scanning JSON costs more than converting it, so the one reader thread was
    /// the bottleneck, and on 2 cores two readers took 5% less wall time for 5% more CPU
    /// (docs/PERFORMANCE.md, session 10).
    static var defaultThreads: Int { activeProcessorCount }

    /// A reader for slices of this reader's input.
    private func sliceReader() -> JSONRecordReader {
        let reader = JSONRecordReader(source: ByteSource(bytes: [], name: file, continuing: true), json: json, chunkRows: .max,
                                      chunkBytes: .max, badRecords: badRecords, queue: ChunkQueue(depth: 1))
        reader.slice = SliceFacts()
        reader.chunk = reader.newChunk()
        return reader
    }

    /// Parses one slice, which starts at a record boundary at decoded `offset`; `lineStart` is
    /// where its first line starts, relative to the slice (0, or less for the first).
    private func parse(_ bytes: [UInt8], offset: Int, lineStart: Int) {
        chunk.reset()
        bytesInChunk = 0
        buffer = bytes
        begin = 0
        base = offset
        final = true
        line = 1
        self.lineStart = lineStart
        var facts = SliceFacts()
        facts.firstRows = slice?.firstRows ?? []
        facts.global = slice?.global ?? []
        facts.firstColumnOfWindow = columnCount
        slice = facts
        do { try readStream() } catch { slice?.failure = error }
        slice?.lines = line - 1
    }

    /// Rows of a slice on their way into the chunk being filled.
    private struct Piece: @unchecked Sendable {
        var reader: JSONRecordReader
        var rows: Range<Int>
        var lineBase: Int
    }

    /// The pieces planned into the chunk being filled, and not yet joined.
    private struct Plan {
        var pieces: [Piece] = []
        /// The rows of `pieces`.
        var rows = 0
        /// For each column made while planning, the first piece it takes rows from (the rows
        /// before that piece were made null with it).
        var firstPiece: [Int] = []
    }

    /// Reads the rest of a stream of objects on `threads` threads, from `buffer[begin...]`,
    /// a record's start. Returns at the end of the input, when the conversion was cancelled, or
    /// where a slice could not be trusted: then `buffer`, `begin`, `base`, `line`, `lineStart`
    /// and `final` are set for the serial loop to go on from there.
    func readStreamInParallel(threads: Int, sliceBytes: Int) throws(IngestError) {
        let windowBytes = threads * sliceBytes
        let newline = UInt8(ascii: "\n")
        var window = WindowBuffer(capacity: windowBytes + sliceBytes)
        defer { window.deallocate() }
        window.append(Array(buffer[begin...]))
        var offset = base + begin
        var firstLineStart = lineStart - begin
        var eof = final
        buffer = []
        begin = 0
        var readers: [JSONRecordReader] = []

        while !queue.cancelled {
            // 1. Read the window, and a slice more for the line break after it.
            while window.count < windowBytes + sliceBytes && !eof {
                if try window.fill(from: source, upTo: windowBytes + sliceBytes) == 0 { eof = true }
            }
            let windowLineStart = firstLineStart
            firstLineStart = 0
            if window.count == 0 {
                final = true
                return
            }

            // 2. The window ends after the first line break from its nominal end.
            var stop = window.count
            var from = min(windowBytes, window.count) - 1
            while true {
                if let found = window.index(of: newline, from: from) {
                    stop = found + 1
                    break
                }
                if eof { break }
                if window.count >= max(64 << 20, 4 * windowBytes) {
                    // No line ends in reach: one scanner reads the rest.
                    resumeSerially(window.bytes(0..<window.count), offset: offset, lineStart: windowLineStart, eof: false)
                    return
                }
                from = window.count
                window.reserve(window.count * 2)
                if try window.fill(from: source, upTo: window.capacity) == 0 { eof = true }
            }
            var starts = [0]
            for k in 1..<max(threads, 1) {
                guard let found = window.index(of: newline, from: k * sliceBytes - 1), found + 1 < stop else { break }
                if found + 1 > starts[starts.count - 1] { starts.append(found + 1) }
            }
            let ends = Array(starts.dropFirst()) + [stop]
            let sliceStarts = starts

            // 3. The slices, in parallel.
            while readers.count < starts.count { readers.append(sliceReader()) }
            let slices = Array(readers[0..<starts.count])
            let address = UInt(bitPattern: window.baseAddress)
            let windowOffset = offset
            _ = parallelMap(starts.count) { k in
                let bytes = UnsafeBufferPointer(start: UnsafePointer<UInt8>(bitPattern: address), count: ends[ends.count - 1])
                slices[k].parse(Array(bytes[sliceStarts[k]..<ends[k]]), offset: windowOffset + sliceStarts[k], lineStart: k == 0 ? windowLineStart : 0)
                return 0
            }

            // 4. In order: new columns, rows into chunks, bad records to the policy.
            let isLast = eof && stop == window.count
            var plan = Plan()
            for (k, reader) in slices.enumerated() {
                guard let facts = reader.slice else { continue }
                let lastOfInput = isLast && k == slices.count - 1
                let next: UInt8? = ends[k] < window.count ? window[ends[k]] : nil
                let endsRecord = lastOfInput || (!facts.failedAtEnd && (!facts.recoveredToEnd || next == UInt8(ascii: "{")))
                guard facts.failure == nil && endsRecord else {
                    join(&plan)
                    resumeSerially(window.bytes(starts[k]..<window.count), offset: offset + starts[k],
                                   lineStart: k == 0 ? windowLineStart : 0, eof: eof)
                    return
                }
                let lineBase = line - 1
                while reader.slice?.global.count ?? .max < reader.columnCount { reader.slice?.global.append(-1) }
                let newColumns = (facts.firstColumnOfWindow..<reader.columnCount).compactMap { l in
                    (reader.slice?.global[l] ?? 0) < 0 ? (column: l, row: facts.firstRows[l]) : nil
                }
                var cursor = Cursor(newColumns: newColumns, duplicates: facts.duplicates)
                var row = 0
                for bad in facts.bad {
                    guard try take(reader, rows: row..<bad.row, lineBase: lineBase, cursor: &cursor, plan: &plan) else { return }
                    try badRecords.reject(bad.error.shifted(lines: lineBase), line: bad.line + lineBase, raw: bad.raw)
                    row = bad.row
                }
                guard try take(reader, rows: row..<reader.chunk.rows, lineBase: lineBase, cursor: &cursor, plan: &plan) else { return }
                line += facts.lines
            }
            join(&plan)
            window.removeFirst(stop)
            offset += stop
            if isLast {
                final = true
                return
            }
        }
    }

    /// Sets the serial loop to read on from `bytes`, a record boundary at decoded `offset`.
    private func resumeSerially(_ bytes: [UInt8], offset: Int, lineStart: Int, eof: Bool) {
        buffer = bytes
        begin = 0
        base = offset
        self.lineStart = lineStart
        final = eof
    }

    /// Where the join is in a slice's column firsts and repeated keys, which it takes row by row.
    private struct Cursor {
        /// The slice reader's columns new in this window and not known to the input, with their first rows.
        var newColumns: [(column: Int, row: Int)]
        var duplicates: [(row: Int, node: Int32)]
        var nextColumn = 0
        var nextDuplicate = 0

        init(newColumns: [(column: Int, row: Int)], duplicates: [(row: Int, node: Int32)]) {
            self.newColumns = newColumns
            self.duplicates = duplicates
        }
    }

    /// Plans `rows` of a slice reader's chunk into chunks, adding the input's columns first seen
    /// in them and counting their repeated keys, as the serial reader does record by record;
    /// whole chunks are joined and handed on at once. Returns false when the conversion was cancelled.
    private func take(_ reader: JSONRecordReader, rows: Range<Int>, lineBase: Int, cursor: inout Cursor,
                      plan: inout Plan) throws(IngestError) -> Bool {
        var start = rows.lowerBound
        var row = start
        while row < rows.upperBound {
            while cursor.nextColumn < cursor.newColumns.count && cursor.newColumns[cursor.nextColumn].row == row {
                let local = cursor.newColumns[cursor.nextColumn].column
                let node = scanner.paths.node(for: reader.scanner.paths.segments(reader.columnNodes[local]))
                var column = Int(scanner.paths.column[Int(node)])
                if column < 0 {
                    column = try addColumn(node, line: reader.chunk.lines[row] + lineBase, nullRows: chunk.rows + plan.rows)
                    while plan.firstPiece.count <= column { plan.firstPiece.append(0) }
                    plan.firstPiece[column] = plan.pieces.count
                }
                reader.slice?.global[local] = column
                cursor.nextColumn += 1
            }
            while cursor.nextDuplicate < cursor.duplicates.count && cursor.duplicates[cursor.nextDuplicate].row == row {
                // The replaced node's column as the input knows it now, which the slice may not.
                let node = scanner.paths.node(for: reader.scanner.paths.segments(cursor.duplicates[cursor.nextDuplicate].node))
                duplicateKeys += 1
                let column = Int(scanner.paths.column[Int(node)])
                if column >= 0 { chunk.columns[column].ingestion.duplicateKeys += 1 }
                cursor.nextDuplicate += 1
            }
            bytesInChunk += reader.chunk.recordBytes[row] + 4 * columnCount
            row += 1
            if isFull(rows: chunk.rows + plan.rows + row - start) {
                plan.pieces.append(Piece(reader: reader, rows: start..<row, lineBase: lineBase))
                plan.rows += row - start
                join(&plan)
                guard handOff() else { return false }
                start = row
            }
        }
        if start < rows.upperBound {
            plan.pieces.append(Piece(reader: reader, rows: start..<rows.upperBound, lineBase: lineBase))
            plan.rows += rows.upperBound - start
        }
        return true
    }

    /// Appends the planned pieces to the chunk, its columns in parallel, and empties the plan.
    private func join(_ plan: inout Plan) {
        let pieces = plan.pieces
        let firstPiece = plan.firstPiece
        plan = Plan()
        guard !pieces.isEmpty else { return }
        let columns = columnCount
        // Each piece's column for each of the input's columns, or -1.
        let locals: [[Int]] = pieces.map { piece in
            var local = [Int](repeating: -1, count: columns)
            for (l, g) in (piece.reader.slice?.global ?? []).enumerated() where g >= 0 { local[g] = l }
            return local
        }
        chunk.columns.withUnsafeMutableBufferPointer { buffer in
            let address = UInt(bitPattern: buffer.baseAddress)
            _ = parallelMap(buffer.count) { j in
                guard let column = UnsafeMutablePointer<JSONRawColumn>(bitPattern: address)?.advanced(by: j) else { return 0 }
                for p in (j < firstPiece.count ? firstPiece[j] : 0)..<pieces.count {
                    let piece = pieces[p]
                    let l = locals[p][j]
                    if l >= 0 {
                        column.pointee.append(contentsOf: piece.reader.chunk.columns[l], range: piece.rows)
                    } else {
                        column.pointee.appendAbsent(piece.rows.count)
                    }
                }
                return 0
            }
        }
        for piece in pieces {
            let lines = piece.reader.chunk.lines
            for row in piece.rows { chunk.lines.append(lines[row] + piece.lineBase) }
            chunk.rows += piece.rows.count
        }
    }
}
