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
    /// core at a time, and writes the blocks in order: memory holds one decoded chunk and one
    /// window of blocks' text.
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
                let texts = parallelMap(group.count) { k -> [UInt8] in
                    let from = (group.lowerBound + k) * blockRows
                    var text: [UInt8] = []
                    writer.appendRows(from..<min(rows, from + blockRows), of: chunkColumns, to: &text)
                    return text
                }
                for text in texts { try sink.write(text) }
                first = group.upperBound
            }
        }
    }

    /// The rows rendered by one thread at a time.
    static let blockRows = 8192
}

/// An output file written atomically, or standard output.
final class OutputSink {
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
