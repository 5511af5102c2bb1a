// Snapshots: the footer of a file, a folder or several files, kept as a small .col file
// without data blocks (docs/PROFILE.md, "Snapshots"; docs/FORMAT.md §1.4).
//
// Design note. A baseline for a drift gate must be small enough to commit next to the
// pipeline, and mean exactly what the data meant. A snapshot is therefore not a new format
// but a .col file whose directory describes the chunks (rows, nulls, types, sizes) without
// holding them: every reader of footers — profile, drift, datasets — takes it unchanged,
// and a scan refuses it by its required feature flag. A snapshot of several files is their
// dataset: the chunks of every part in order, the columns merged by name, the statistics and
// sketches merged as `Dataset` merges them, and the roles inferred over the files.

import ColFormat
import ColSketches

/// Writes snapshots of datasets.
public enum Snapshot {
    /// Writes the snapshot of `dataset` to `path` atomically, recording `tool` (e.g. "colprof 0.1.0").
    public static func write(_ dataset: Dataset, to path: String, tool: String) throws(ProfileError) {
        let columns = dataset.columns.map {
            ColumnDescriptor(name: $0.name, type: $0.type, nullable: $0.nullable, sourcePath: $0.sourcePath)
        }
        let writer: ColFileWriter
        do { writer = try ColFileWriter.snapshot(path: path, columns: columns) } catch { throw .unreadable(path: path, error) }
        var decisions: [(subject: String, decision: String)] = []
        for part in dataset.parts {
            let r = part.reader
            let chunks: [[ColumnStatistics]]
            let orders: [[ValueOrder]]?
            do {
                chunks = try r.chunkStatistics()
                orders = try r.chunkOrders()
            } catch {
                writer.abort()
                throw .unreadable(path: part.path, error)
            }
            // The part's columns in the dataset's order (nil: the part lacks the column).
            let map: [Int?] = dataset.columns.map { r.schema.columnIndexByName[Array($0.name.utf8)] }
            for c in 0..<r.directory.chunkCount {
                let rows = Int(r.directory.chunkRowCounts[c])
                var entries: [DirectoryEntry] = []
                var statistics: [ColumnStatistics] = []
                var chunkOrders: [ValueOrder] = []
                for j in map {
                    if let j {
                        entries.append(r.directory.entry(chunk: c, column: j))
                        statistics.append(chunks[c][j])
                        chunkOrders.append(orders?[c][j] ?? ValueOrder())
                    } else {
                        entries.append(DirectoryEntry.absent(rows: rows))
                        var nulls = ColumnStatistics(type: .null)
                        nulls.rowCount = UInt64(rows)
                        nulls.nullCount = UInt64(rows)
                        nulls.distinctCount = 0
                        nulls.distinctExact = true
                        statistics.append(nulls)
                        chunkOrders.append(ValueOrder())
                    }
                }
                do { try writer.appendChunkDescription(entries, statistics: statistics, orders: chunkOrders) } catch {
                    writer.abort()
                    throw .unreadable(path: path, error)
                }
            }
            let p = r.provenance
            var origin = "\(part.rowCount) rows"
            if !p.source.isEmpty { origin += "; source \(p.source)" }
            if let size = p.sourceSize, let hash = p.sourceHash { origin += " (\(size) bytes, xxh64 \(Fingerprint(hash)))" }
            if !p.tool.isEmpty { origin += " by \(p.tool)" }
            if !p.createdAt.isEmpty { origin += " at \(p.createdAt)" }
            decisions.append((part.path, origin))
        }
        var statistics: [ColumnStatistics] = []
        for k in dataset.columns.indices {
            var s = dataset.columns[k].statistics
            if s.hll == nil { s.hll = try dataset.distinctSketch(k) }
            statistics.append(s)
        }
        let provenance = Provenance(
            source: dataset.parts.count == 1 ? dataset.parts[0].path : "\(dataset.parts.count) files",
            sourceSize: UInt64(dataset.fileBytes), tool: tool + " snapshot", createdAt: Provenance.now(),
            options: [("snapshot", "data"), ("parts", String(dataset.parts.count))], decisions: decisions)
        do {
            // The dataset counts widening events from its start already; the schema lists them in chunk order.
            let widenings = dataset.columns.flatMap(\.widenings).sorted { ($0.chunk, $0.row, $0.column) < ($1.chunk, $1.row, $1.column) }
            try writer.finishSnapshot(statistics: statistics, roles: dataset.columns.map(\.role), widenings: widenings,
                                      provenance: provenance)
        } catch {
            throw .unreadable(path: path, error)
        }
    }
}
