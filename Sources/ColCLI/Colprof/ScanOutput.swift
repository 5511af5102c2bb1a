import ColFormat
import ColScan
import ColText

/// Prints scan results as a table, CSV or NDJSON, or explains a scan (for `colprof scan`).
enum ScanOutput {
    enum Format: String, Sendable {
        case table, csv, ndjson, none
    }

    /// Decodes the scan's columns in every chunk it keeps, on every core (`Scan.forEachChunk`),
    /// and reports only what was decoded and how fast (`colprof scan --format none`).
    static func decodeAll(_ scan: DatasetScan) throws(ScanError) -> String {
        let clock = ContinuousClock()
        let start = clock.now
        var rows = 0
        var bytes = 0
        var nulls = 0
        try scan.forEachChunk { _, _, columns, count throws(ScanError) in
            rows += count
            for c in columns {
                bytes += c.decodedBytes
                nulls += c.nullCount
            }
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let m = scan.metrics
        let rate = seconds > 0 ? Double(bytes) / seconds / 1e6 : 0
        return """
            columns: \(scan.columnNames.count) (\(scan.columnNames.joined(separator: ", ")))
            \(m.parts > 1 ? "parts: \(m.parts) total, \(m.partsPruned) pruned by statistics\n" : "")chunks: \(m.chunks) total, \(m.chunksInPrunedParts + m.chunksPruned) pruned by statistics, \(m.chunksRead) decoded
            rows: \(m.rowsRead) decoded, \(rows) matched
            values: \(rows * scan.columnNames.count) (\(nulls) null), \(bytes) bytes decoded
            time: \(fixed(seconds * 1000, 1)) ms, \(fixed(rate, 0)) MB/s decoded, on \(activeProcessorCount) cores

            """
    }

    /// Runs `scan` and hands up to `limit` rendered rows (or, with `explain`, the plan
    /// and what was read) to `sink`, in pieces of about `flushBytes`.
    ///
    /// Every format streams: memory holds one chunk of the scanned columns and one
    /// piece of text, however many rows the scan returns. A table is sized and
    /// printed `tableRows` rows at a time, each block with its own header (as
    /// psql does with FETCH_COUNT), so its memory is bounded too.
    static func write(_ scan: DatasetScan, source: String, format: Format, limit: Int, explain: Bool, flushBytes: Int = 1 << 20, tableRows: Int = 1000,
                             to sink: ([UInt8]) -> Void) throws(ScanError) {
        var rows: [[String?]] = []
        var out: [UInt8] = []
        out.reserveCapacity(flushBytes + 4096)
        var it = scan.makeIterator()
        var written = 0
        let writer = RowWriter(format: format == .ndjson ? .ndjson : .delimited(delimiter: UInt8(ascii: ",")),
                               columnNames: scan.columnNames)
        if format == .csv { writer.appendHeader(to: &out) }
        var scratch: [UInt8] = []
        scanning: while written < limit, let batch = try it.next() {
            if format == .csv || format == .ndjson {
                // A batch at a time, a column at a time; the sink takes pieces of about `flushBytes`.
                let rows = min(batch.count, limit - written)
                var start = 0
                while start < rows {
                    let end = min(rows, start + 4096)
                    if !explain { writer.appendRows(start..<end, of: batch.columns, to: &out) }
                    if out.count >= flushBytes {
                        sink(out)
                        out.removeAll(keepingCapacity: true)
                    }
                    start = end
                }
                written += rows
                continue
            }
            for i in 0..<batch.count {
                guard written < limit else { break scanning }
                written += 1
                if explain { continue }
                if format == .table {
                    rows.append(batch.columns.map { c in
                        guard c.type != .null, c.isValid(i) else { return nil }
                        scratch.removeAll(keepingCapacity: true)
                        c.appendCanonicalText(row: i, to: &scratch)
                        return String(decoding: scratch, as: UTF8.self)
                    })
                    if rows.count >= tableRows {
                        sink(Array(table(names: scan.columnNames, rows: rows).utf8))
                        rows.removeAll(keepingCapacity: true)
                    }
                    continue
                }
            }
        }
        if explain {
            sink(Array(self.explain(scan, source: source, rowsReturned: written, limited: written >= limit).utf8))
        } else if format == .table {
            let last = rows.isEmpty && written > 0 ? "" : table(names: scan.columnNames, rows: rows)
            sink(Array((last + "(\(written) row\(written == 1 ? "" : "s"))\n").utf8))
        } else if !out.isEmpty {
            sink(out)
        }
    }

    /// The plan and what was read. A scan of one file names the file; a dataset's also counts
    /// the parts, and the chunks skipped with the parts pruned.
    static func explain(_ scan: DatasetScan, source: String, rowsReturned: Int, limited: Bool) -> String {
        let m = scan.metrics
        let parts = scan.dataset.parts
        let fileSize = parts.reduce(0) { $0 + $1.fileSize }
        let (bytesRead, reads) = scan.bytesRead
        var lines: [String] = []
        let oneFile = parts.count == 1 && parts.first?.path == source
        if oneFile, let only = parts.first {
            lines.append("file: \(only.path) (\(only.fileSize) bytes, \(only.rowCount) rows, \(m.chunks) chunks)")
        } else {
            lines.append("dataset: \(source) (\(parts.count) part\(parts.count == 1 ? "" : "s"), \(fileSize) bytes, \(scan.dataset.rowCount) rows, \(m.chunks) chunks)")
        }
        lines.append("columns: \(scan.columnNames.joined(separator: ", "))")
        lines.append("filter: \(scan.predicate.map { "\($0)" } ?? "none")")
        let toRead = m.chunks - m.chunksInPrunedParts - m.chunksPruned
        if !oneFile {
            lines.append("parts: \(m.parts) total, \(m.partsPruned) pruned by statistics (\(m.chunksInPrunedParts) chunks), \(m.parts - m.partsPruned) to read")
            lines.append("chunks: \(m.chunks) total, \(m.chunksInPrunedParts) in pruned parts, \(m.chunksPruned) pruned by statistics, \(toRead) to read, \(m.chunksRead) read"
                         + (limited ? " (stopped at the limit)" : ""))
        } else {
            lines.append("chunks: \(m.chunks) total, \(m.chunksInPrunedParts + m.chunksPruned) pruned by statistics, \(toRead) to read, \(m.chunksRead) read"
                         + (limited ? " (stopped at the limit)" : ""))
        }
        lines.append("rows: \(m.rowsRead) read, \(m.rowsMatched) matched, \(rowsReturned) returned")
        let share = fileSize > 0 ? Double(bytesRead) / Double(fileSize) * 100 : 0
        let tenths = Int((share * 10).rounded())
        let footers = parts.count == 1 ? "footer" : "footers"
        lines.append("bytes read: \(bytesRead) of \(fileSize) (\(tenths / 10).\(tenths % 10)%) in \(reads) reads, \(footers) included")
        return lines.joined(separator: "\n") + "\n"
    }

    static func table(names: [String], rows: [[String?]]) -> String {
        func cell(_ s: String?) -> String {
            guard let s else { return "null" }
            let flat = s.map { $0 == "\n" || $0 == "\r" || $0 == "\t" ? " " : $0 }
            return flat.count > 40 ? String(flat.prefix(39)) + "…" : String(flat)
        }
        return TextTable(headers: names, rows: rows.map { $0.map(cell) }).render()
    }
}
