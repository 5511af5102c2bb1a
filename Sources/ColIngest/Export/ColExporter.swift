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

    static func write(_ reader: ColFileReader, format: Format, to sink: OutputSink) throws(IngestError) {
        let columns = reader.schema.columns
        let rowFormat: RowWriter.Format
        switch format {
        case let .delimited(d): rowFormat = .delimited(delimiter: d)
        case .ndjson: rowFormat = .ndjson
        }
        var writer = RowWriter(format: rowFormat, columnNames: columns.map(\.name))
        var line: [UInt8] = []
        line.reserveCapacity(1 << 16)
        writer.appendHeader(to: &line)
        for chunk in 0..<reader.directory.chunkCount {
            var vectors: [ColumnVector] = []
            for j in 0..<columns.count {
                do { vectors.append(try reader.readColumn(chunk: chunk, column: j)) } catch { throw .format(error) }
            }
            let rows = Int(reader.directory.chunkRowCounts[chunk])
            for i in 0..<rows {
                writer.appendRow(i, of: vectors, to: &line)
                if line.count >= 1 << 16 {
                    try sink.write(line)
                    line.removeAll(keepingCapacity: true)
                }
            }
        }
        try sink.write(line)
    }
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
