#if canImport(Glibc)
import Glibc
#endif
import ColFormat
import ColText

/// Writes the rows of a .col file back out as delimited text or NDJSON, in
/// canonical text (docs/FORMAT.md §7), through ColText's `RowWriter`.
public enum ColExporter {
    /// The text to write.
    public enum Format: Sendable, Equatable {
        /// CSV (`,`), TSV (tab) or any one-byte delimiter.
        case delimited(delimiter: UInt8)
        /// One JSON object per line.
        case ndjson
    }

    /// Exports `input` to `output` ("-" for standard output). Returns the rows written.
    @discardableResult
    public static func export(input: String, output: String, format: Format) throws(IngestError) -> UInt64 {
        let reader: ColFileReader
        do { reader = try ColFileReader(path: input) } catch { throw .format(error) }
        return try export(reader, output: output, format: format)
    }

    /// Writes the rows of the open .col file `reader` to `output` ("-" for standard output); returns the rows written.
    public static func export(_ reader: ColFileReader, output: String, format: Format) throws(IngestError) -> UInt64 {
        let sink = try OutputSink(path: output)
        do {
            try write(reader, format: format, to: sink)
            try sink.commit()
        } catch {
            sink.abort()
            throw error
        }
        return reader.rowCount
    }

    /// Decodes each chunk's columns on every core, then renders its rows in blocks, a block per
    /// core at a time, and writes the blocks in order on another thread while the next blocks
    /// render: memory holds one decoded chunk and two windows of blocks' text, whose buffers are
    /// reused from block to block (a fresh half-megabyte buffer per block cost more in page
    /// faults than the rendering).
    static func write(_ reader: ColFileReader, format: Format, to sink: OutputSink) throws(IngestError) {
        let columns = reader.schema.columns
        let rowFormat: RowWriter.Format
        switch format {
        case let .delimited(d): rowFormat = .delimited(delimiter: d)
        case .ndjson: rowFormat = .ndjson
        }
        let writer = RowWriter(format: rowFormat, columnNames: columns.map(\.name))
        var header: [UInt8] = []
        writer.appendHeader(to: &header)
        try sink.write(header)
        let window = max(1, activeProcessorCount)
        let buffers = (0..<2).map { _ in (0..<window).map { _ in TextBlock() } }
        let pending = PendingWrite()
        var turn = 0
        defer { _ = pending.wait() }
        for chunk in 0..<reader.directory.chunkCount {
            let decoded = parallelMap(columns.count) { j -> Result<ColumnVector, ColFileError> in
                do throws(ColFileError) { return .success(try reader.readColumn(chunk: chunk, column: j)) } catch { return .failure(error) }
            }
            var vectors: [ColumnVector] = []
            for v in decoded {
                switch v {
                case let .success(column): vectors.append(column)
                case let .failure(error): throw .format(error)
                }
            }
            let rows = Int(reader.directory.chunkRowCounts[chunk])
            let blocks = (rows + blockRows - 1) / blockRows
            var first = 0
            while first < blocks {
                let group = first..<min(first + window, blocks)
                let chunkColumns = vectors
                let texts = buffers[turn]
                turn ^= 1
                _ = parallelMap(group.count) { k -> Bool in
                    let from = (group.lowerBound + k) * blockRows
                    texts[k].bytes.removeAll(keepingCapacity: true)
                    writer.appendRows(from..<min(rows, from + blockRows), of: chunkColumns, to: &texts[k].bytes)
                    return true
                }
                // The previous window is written (its buffers are free again) before this one starts.
                if let failure = pending.wait() { throw failure }
                let count = group.count
                pending.start {
                    for k in 0..<count {
                        do throws(IngestError) { try sink.write(texts[k].bytes) } catch { return error }
                    }
                    return nil
                }
                first = group.upperBound
            }
        }
        if let failure = pending.wait() { throw failure }
    }

    /// The rows rendered by one thread at a time.
    static let blockRows = 8192
}

/// One block's text, filled by one rendering task and then read by the writing thread.
final class TextBlock: @unchecked Sendable {
    var bytes: [UInt8] = []
}

/// A write running on its own thread; `wait` returns once it has finished, with its error.
/// One write at a time: `start` is called only after `wait`.
final class PendingWrite: @unchecked Sendable {
    private let condition = PThreadCondition()
    private var running = false
    private var failure: IngestError?

    /// Runs `body` on a new thread (on this one when no thread can be started).
    func start(_ body: @escaping @Sendable () -> IngestError?) {
        condition.lock()
        running = true
        condition.unlock()
        let run: @Sendable () -> Void = { [self] in
            let error = body()
            condition.lock()
            failure = error
            running = false
            condition.broadcast()
            condition.unlock()
        }
        if !startThread(run) { run() }
    }

    /// Waits for the write started last, and returns its error (once).
    func wait() -> IngestError? {
        condition.lock()
        defer { condition.unlock() }
        while running { condition.wait() }
        let error = failure
        failure = nil
        return error
    }
}

/// An output file written atomically, or standard output. Written by one thread at a time.
final class OutputSink: @unchecked Sendable {
    private let file: AtomicFile?

    init(path: String) throws(IngestError) {
        if path == "-" { file = nil } else {
            do { file = try AtomicFile(path: path) } catch { throw .format(error) }
        }
    }

    func write(_ bytes: [UInt8]) throws(IngestError) {
        if let file {
            do { try file.write(bytes) } catch { throw .format(error) }
            return
        }
        let failure = writeFully(1, bytes)
        if failure != 0 { throw .io("stdout: write failed: \(String(cString: strerror(failure)))") }
    }

    func commit() throws(IngestError) {
        do { try file?.commit() } catch { throw .format(error) }
    }

    func abort() { file?.abort() }
}
