#if canImport(Glibc)
import Glibc
#endif
import ColFormat

/// Writes the rows of a .col file back out as delimited text or NDJSON.
///
/// Values are written in their canonical text (docs/FORMAT.md §7). CSV: a
/// null is an empty field and an empty string is `""`, so both survive a
/// round trip; a field is quoted when it is empty or holds the delimiter, a
/// quote, CR or LF. NDJSON: one object per row with the columns as keys in
/// order (flattened paths stay dotted keys); null is `null`, numbers and bools
/// are bare, non-finite doubles, dates and timestamps are strings, json values
/// are embedded as they are.
public enum ColExporter {
    public enum Format: Sendable, Equatable {
        case delimited(delimiter: UInt8)
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
        var line: [UInt8] = []
        line.reserveCapacity(1 << 16)
        var keys: [[UInt8]] = []
        switch format {
        case let .delimited(d):
            for (j, c) in columns.enumerated() {
                if j > 0 { line.append(d) }
                appendField(Array(c.name.utf8), delimiter: d, to: &line, forceQuote: c.name.isEmpty)
            }
            if !columns.isEmpty { line.append(0x0A) }
        case .ndjson:
            for c in columns {
                var k: [UInt8] = []
                CanonicalText.appendJSONString(Array(c.name.utf8), to: &k)
                k.append(UInt8(ascii: ":"))
                keys.append(k)
            }
        }
        var scratch: [UInt8] = []
        for chunk in 0..<reader.directory.chunkCount {
            var vectors: [ColumnVector] = []
            for j in 0..<columns.count {
                do { vectors.append(try reader.readColumn(chunk: chunk, column: j)) } catch { throw .format(error) }
            }
            let rows = Int(reader.directory.chunkRowCounts[chunk])
            for i in 0..<rows {
                switch format {
                case let .delimited(d):
                    for (j, v) in vectors.enumerated() {
                        if j > 0 { line.append(d) }
                        guard v.type != .null, v.isValid(i) else { continue }
                        scratch.removeAll(keepingCapacity: true)
                        v.appendCanonicalText(row: i, to: &scratch)
                        appendField(scratch, delimiter: d, to: &line, forceQuote: scratch.isEmpty)
                    }
                case .ndjson:
                    line.append(UInt8(ascii: "{"))
                    for (j, v) in vectors.enumerated() {
                        if j > 0 { line.append(UInt8(ascii: ",")) }
                        line.append(contentsOf: keys[j])
                        if let s = v.scalar(at: i) { CanonicalText.appendJSON(s, to: &line) } else { line.append(contentsOf: Array("null".utf8)) }
                    }
                    line.append(UInt8(ascii: "}"))
                }
                line.append(0x0A)
                if line.count >= 1 << 16 {
                    try sink.write(line)
                    line.removeAll(keepingCapacity: true)
                }
            }
        }
        try sink.write(line)
    }

    static func appendField(_ bytes: [UInt8], delimiter: UInt8, to out: inout [UInt8], forceQuote: Bool) {
        let needs = forceQuote || bytes.contains { $0 == delimiter || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
        guard needs else { out.append(contentsOf: bytes); return }
        out.append(0x22)
        for b in bytes {
            if b == 0x22 { out.append(0x22) }
            out.append(b)
        }
        out.append(0x22)
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
