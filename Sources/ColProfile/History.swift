// Histories: a rolling record of a dataset's statistics, one entry per run of a pipeline
// (docs/PROFILE.md, "Histories").
//
// Design note. A history is a snapshot whose chunks are entries: each `colprof snapshot
// --append` adds one chunk holding the statistics of everything it was given, merged, with
// full sketches (KLL, top values, and the HyperLogLog of keys and identifiers), and drops the
// oldest entries beyond `--keep`. So every footer reader takes a history as it is: its profile
// merges the entries, and drift inside it compares each entry with the others. Drift against a
// history compares with its last N entries merged, and learns from them how much each metric
// moves from one entry to the next (Deequ's idea): a threshold is raised to the mean of those
// day-to-day values plus three (warn) or five (fail) standard deviations, never lowered, and
// never where the user set it.

import ColBytes
import ColFormat
import ColSketches
import ColText

/// A history file, opened.
public struct History: Sendable {
    /// The file's path.
    public let path: String
    /// The opened file.
    public let reader: ColFileReader
    /// Each entry's label: what it was taken of, and when.
    public let labels: [String]
    /// Each entry's statistics, indexed [entry][column], in the entry's own types.
    public let entries: [[ColumnStatistics]]

    /// The provenance option that marks a history.
    static let marker = (key: "snapshot", value: "history")

    /// Whether an opened file is a history.
    public static func isHistory(_ r: ColFileReader) -> Bool {
        r.isSnapshot && r.provenance.options.contains { $0.key == marker.key && $0.value == marker.value }
    }

    /// Opens a history, refusing any other file.
    public init(path: String) throws(ProfileError) {
        let r: ColFileReader
        do { r = try ColFileReader(path: path) } catch { throw .unreadable(path: path, error) }
        guard Self.isHistory(r) else { throw .notAHistory(path) }
        self.path = path
        reader = r
        do {
            // One entry: the file statistics are the entry's, whole (the chunk statistics of a
            // one-chunk file are derived from them, compacted).
            if r.directory.chunkCount == 1 {
                var whole = try r.statisticsWithSketches()
                let orders = try r.chunkOrders()
                for j in whole.indices {
                    whole[j].ingestion = nil
                    whole[j].order = orders?[0][j]
                }
                entries = [whole]
            } else {
                var chunks = try r.chunkStatistics()
                if let orders = try r.chunkOrders() {
                    for i in chunks.indices { for j in chunks[i].indices { chunks[i][j].order = orders[i][j] } }
                }
                entries = chunks
            }
        } catch {
            throw .unreadable(path: path, error)
        }
        var labels = r.provenance.decisions.map(\.subject)
        labels += (labels.count..<max(labels.count, entries.count)).map { "entry \($0 + 1)" }
        self.labels = Array(labels.prefix(entries.count))
    }

    /// The number of entries.
    public var count: Int { entries.count }

    /// Appends the statistics of `data` as one entry to the history at `path` (created when
    /// missing), keeping the last `keep` entries, and writes it atomically.
    public static func append(_ data: Dataset, to path: String, label: String, keep: Int, tool: String,
                              exists: Bool) throws(ProfileError) {
        guard keep >= 1 else { throw .invalidHistory(path, "--keep must be 1 or more") }
        guard data.rowCount > 0 else { throw .invalidHistory(path, "the data to append holds no rows") }
        guard data.rowCount <= UInt64(Layout.maxChunkRows) else {
            throw .invalidHistory(path, "an entry holds at most \(Layout.maxChunkRows) rows; this one has \(data.rowCount)")
        }
        let old = exists ? try History(path: path) : nil
        // The columns: the history's, then the new ones, matched by name.
        var columns: [ColumnDescriptor] = old?.reader.schema.columns ?? []
        var index = Dictionary(columns.enumerated().map { (Array($0.element.name.utf8), $0.offset) }, uniquingKeysWith: { a, _ in a })
        for c in data.columns where index[Array(c.name.utf8)] == nil {
            index[Array(c.name.utf8)] = columns.count
            columns.append(ColumnDescriptor(name: c.name, type: .null, nullable: true, sourcePath: c.sourcePath))
        }
        // The new entry: the data's merged statistics, with the sketches of keys and identifiers.
        var entry = [ColumnStatistics?](repeating: nil, count: columns.count)
        for (k, c) in data.columns.enumerated() {
            var s = c.statistics
            if c.role.role == .key || c.role.role == .identifier {
                if s.hll == nil { s.hll = try data.distinctSketch(k) }
            } else {
                s.hll = nil
            }
            s.order = c.role.order
            entry[index[Array(c.name.utf8)] ?? 0] = s
        }
        var kept: [(label: String, rows: UInt64, statistics: [ColumnStatistics?], orders: [ValueOrder])] = []
        if let old {
            for (i, e) in old.entries.enumerated() {
                var row = [ColumnStatistics?](repeating: nil, count: columns.count)
                for j in e.indices where !old.reader.directory.entry(chunk: i, column: j).isAbsent { row[j] = e[j] }
                let o = (0..<columns.count).map { j in j < e.count ? (e[j].order ?? ValueOrder()) : ValueOrder() }
                kept.append((old.labels[i], old.reader.directory.chunkRowCounts.indices.contains(i) ? UInt64(old.reader.directory.chunkRowCounts[i]) : 0,
                             row, o))
            }
        }
        kept.append((label, data.rowCount, entry, entry.map { $0?.order ?? ValueOrder() }))
        kept.removeFirst(max(0, kept.count - keep))
        // Types and nullability over the kept entries.
        for j in columns.indices {
            var t = LogicalType.null
            var nullable = false
            for e in kept {
                if let s = e.statistics[j] {
                    t = t.widened(with: s.type)
                    nullable = nullable || s.nullCount > 0
                } else {
                    nullable = true
                }
            }
            columns[j].type = t
            columns[j].nullable = nullable
        }
        let writer: ColFileWriter
        do { writer = try ColFileWriter.snapshot(path: path, columns: columns) } catch { throw .unreadable(path: path, error) }
        var merged = columns.map { ColumnStatistics(type: $0.type) }
        var evidence = columns.map { _ in RoleEvidence(segments: .files) }
        var totals = columns.map { _ in ValueOrder() }
        for e in kept {
            let rows = Int(e.rows)
            var entries: [DirectoryEntry] = []
            var statistics: [ColumnStatistics] = []
            for j in columns.indices {
                var s: ColumnStatistics
                if let given = e.statistics[j] {
                    s = given
                } else {
                    s = ColumnStatistics(type: .null)
                    s.rowCount = e.rows
                    s.nullCount = e.rows
                    s.distinctCount = 0
                    s.distinctExact = true
                }
                let absent = e.statistics[j] == nil
                entries.append(absent ? DirectoryEntry.absent(rows: rows)
                    : DirectoryEntry.described(rows: rows, nullCount: Int(clamping: s.nullCount), physicalType: s.type,
                                               decodedBytes: s.decodedBytes))
                statistics.append(s)
                merged[j].merge(s, as: columns[j].type)
                evidence[j].add(s, order: e.orders[j])
                totals[j].merge(e.orders[j])
            }
            do { try writer.appendChunkDescription(entries, statistics: statistics, orders: e.orders) } catch {
                writer.abort()
                throw .unreadable(path: path, error)
            }
        }
        let declared = Dictionary(data.columns.filter { $0.role.origin == .declared }.map { ($0.name, $0.role.role) },
                                  uniquingKeysWith: { a, _ in a })
        let roles = columns.indices.map { j -> ColumnRoleRecord in
            if let d = declared[columns[j].name] { return ColumnRoleRecord(role: d, origin: .declared, order: totals[j]) }
            return ColumnRoleRecord(role: evidence[j].role(type: columns[j].type, merged: merged[j]), origin: .inferred, order: totals[j])
        }
        let provenance = Provenance(source: kept.last?.label ?? label, tool: tool + " snapshot --append", createdAt: Provenance.now(),
                                    options: [marker, ("keep", String(keep)), ("entries", String(kept.count))],
                                    decisions: kept.map { ($0.label, "\($0.rows) rows") })
        do {
            try writer.finishSnapshot(statistics: merged, roles: roles, widenings: [], provenance: provenance)
        } catch {
            throw .unreadable(path: path, error)
        }
    }

    /// The last `n` entries (all with nil) merged into a dataset: the base that drift compares with.
    public func window(last n: Int?) -> Dataset {
        let first = max(0, entries.count - (n ?? entries.count))
        let part = DatasetPart(path: path, reader: reader)
        var columns: [DatasetColumn] = []
        var rows: UInt64 = 0
        for i in first..<entries.count { rows +|= entries[i].first?.rowCount ?? 0 }
        let roles = (try? reader.roles()) ?? []
        for (j, c) in reader.schema.columns.enumerated() {
            var s = ColumnStatistics(type: c.type)
            var distincts: [UInt64] = []
            var chunksWithNulls = 0
            for i in first..<entries.count {
                s.merge(entries[i][j], as: c.type)
                if let d = entries[i][j].distinctCount { distincts.append(d) }
                if entries[i][j].nullCount > 0 { chunksWithNulls += 1 }
            }
            distincts.sort()
            var column = DatasetColumn(name: c.name, type: c.type, nullable: c.nullable, sourcePath: c.sourcePath, statistics: s,
                                       chunks: entries.count - first, chunksWithNulls: chunksWithNulls)
            for i in first..<entries.count { column.decodedBytes +|= entries[i][j].decodedBytes }
            if j < roles.count { column.role = roles[j] }
            column.typicalDistinct = distincts.isEmpty ? nil : distincts[distincts.count / 2]
            columns.append(column)
        }
        return Dataset(parts: [part], columns: columns, rowCount: rows)
    }

    /// Per column and metric, the warn and fail thresholds learnt from the day-to-day values over
    /// the last `n` entries (all with nil): mean + 3σ and mean + 5σ of each metric between
    /// consecutive entries. Needs three entries or more.
    public func learntThresholds(last n: Int?, thresholds t: DriftThresholds,
                                 roles overrides: [String: ColumnRole]) -> [String: [String: (warn: Double, fail: Double)]] {
        let first = max(0, entries.count - (n ?? entries.count))
        guard entries.count - first >= 3 else { return [:] }
        let roles = (try? reader.roles()) ?? []
        var values: [String: [String: [Double]]] = [:]
        for i in (first + 1)..<entries.count {
            for (j, c) in reader.schema.columns.enumerated() {
                let b = entries[i - 1][j].upcast(to: c.type), nw = entries[i][j].upcast(to: c.type)
                guard b.valueCount > 0, nw.valueCount > 0 else { continue }
                let role = overrides[c.name] ?? (j < roles.count ? roles[j].role : .none)
                let found = Drift.checks(column: c.name, type: c.type, role: role, base: b, new: nw, baseOrder: b.order,
                                         newOrder: nw.order, baseSketch: b.hll, newSketch: nw.hll, thresholds: t)
                for f in found {
                    if let v = f.value, v.isFinite { values[c.name, default: [:]][f.metric, default: []].append(v) }
                }
            }
        }
        var out: [String: [String: (warn: Double, fail: Double)]] = [:]
        for (column, metrics) in values {
            for (metric, vs) in metrics where vs.count >= 2 {
                let mean = vs.reduce(0, +) / Double(vs.count)
                let variance = vs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(vs.count - 1)
                let sd = variance.squareRoot()
                out[column, default: [:]][metric] = (mean + 3 * sd, mean + 5 * sd)
            }
        }
        return out
    }
}

extension DriftReport {
    /// Raises each finding's thresholds to those learnt from a history (never lowering them, and
    /// leaving those set by name: `thresholds.explicit`, or a column's own in `columnThresholds`),
    /// and recomputes its severity.
    public mutating func apply(learnt: [String: [String: (warn: Double, fail: Double)]], thresholds: DriftThresholds,
                               columnThresholds: [String: DriftThresholds] = [:]) {
        for i in findings.indices {
            let f = findings[i]
            guard let v = f.value, let warn = f.warn, let fail = f.fail, let l = learnt[f.column]?[f.metric] else { continue }
            let explicit = (columnThresholds[f.column] ?? thresholds).explicit
            let w = explicit.contains(f.metric + ".warn") ? warn : max(warn, l.warn)
            let x = explicit.contains(f.metric + ".fail") ? fail : max(fail, l.fail)
            guard w != warn || x != fail else { continue }
            findings[i] = DriftFinding(column: f.column, metric: f.metric, value: v, warn: w, fail: x,
                                       detail: f.detail + " (thresholds learnt from the history)", chunk: f.chunk)
        }
    }
}
