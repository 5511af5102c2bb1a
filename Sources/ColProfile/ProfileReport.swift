import ColBytes
import ColFormat
import ColText

/// How a report is printed.
public enum ReportFormat: String, Sendable, CaseIterable {
    case table, json, markdown
}

/// A dataset's profile from its footers: per-column statistics, sizes, the
/// memory estimate and load advice (docs/PROFILE.md).
public struct ProfileReport: Sendable {
    /// The version of the `--json` schema (docs/PROFILE.md, "JSON").
    public static let formatVersion = 1

    /// The profiled dataset.
    public let dataset: Dataset
    /// Its estimated size in memory.
    public let memory: MemoryEstimate
    /// How to load it, given the memory available.
    public let advice: LoadAdvice
    /// The columns shown, as indices into `dataset.columns`.
    public let shown: [Int]

    /// Profiles `dataset`, showing `columns` (all when nil); throws on an unknown column name.
    public init(dataset: Dataset, layout: InMemoryLayout, availableBytes: UInt64, columns: [String]? = nil) throws(ProfileError) {
        self.dataset = dataset
        memory = MemoryEstimate(dataset, layout: layout)
        if let columns {
            var shown: [Int] = []
            for name in columns {
                guard let k = dataset.column(named: name) else {
                    throw .unknownColumn(name, columns: dataset.columns.map(\.name))
                }
                shown.append(k)
            }
            self.shown = shown
        } else {
            shown = Array(dataset.columns.indices)
        }
        let estimate = memory
        let needed = shown.reduce(UInt64(0)) { $0.saturatingAdding(estimate.columns[$1].allocatedBytes) }
        advice = LoadAdvice(neededBytes: needed, availableBytes: availableBytes)
    }

    // MARK: - Values

    struct Row {
        var name, type, role, nulls, min, max, distinct, mean, std, p5, p50, p95, top, stored, decoded, ratio, memory: String
    }

    static func text(_ s: Scalar?, exact: Bool = true, limit: Int = 24) -> String {
        guard let s else { return "" }
        var t = s.description
        if t.count > limit { t = String(t.prefix(limit - 1)) + "…" }
        return exact ? t : t + (s.type.isVariableLength ? "" : "~")
    }

    static func number(_ v: Double?, _ type: LogicalType) -> String {
        guard let v, v.isFinite else { return "" }
        if type == .date || type == .timestamp { return Drift.render(v, type) }
        return compactNumber(v)
    }

    /// The distinct count, an estimate capped at the number of values.
    static func distinct(_ s: ColumnStatistics) -> UInt64? {
        guard let d = s.distinctCount else { return nil }
        return s.distinctExact ? d : min(d, s.valueCount)
    }

    /// A standard deviation in the column's units (days for dates and timestamps).
    static func spread(_ v: Double?, _ type: LogicalType) -> String {
        guard let v, v.isFinite, type.isNumeric else { return "" }
        switch type {
        case .date: return compactNumber(v) + " d"
        case .timestamp: return compactNumber(v / Double(CanonicalText.microsPerDay)) + " d"
        default: return compactNumber(v)
        }
    }

    func row(_ k: Int) -> Row {
        let c = dataset.columns[k]
        let s = c.statistics
        var type = c.type.name
        if let w = c.widenings.last { type += " (from \(w.from.name) @\(w.row))" }
        let nullShare = s.rowCount > 0 ? Double(s.nullCount) / Double(s.rowCount) : 0
        var distinct = ""
        let values = s.valueCount
        if let d = Self.distinct(s) { distinct = (s.distinctExact ? "" : "≈") + String(d) }
        var top = ""
        if let f = s.frequent, c.type != .null {
            // An incomplete sketch's counts are estimates: show only values whose guaranteed count
            // (count − overcount) is at least 1% of the values.
            top = f.top(3).filter { f.isExact || Double($0.count - min($0.error, $0.count)) >= 0.01 * Double(values) }.map { e in
                let share = values > 0 ? Double(e.count) / Double(values) : 0
                return Self.text(e.item, limit: 14) + " " + fixed(share * 100, 0) + "%"
            }.joined(separator: ", ")
        }
        let std = s.moments?.sampleStandardDeviation
        let q = s.quantiles?.quantiles([0.05, 0.5, 0.95]) ?? [nil, nil, nil]
        let quantile = { (i: Int) -> String in Self.number(q[i], c.type) }
        let ratio = c.storedBytes > 0 ? fixed(Double(c.decodedBytes) / Double(c.storedBytes), 1) + "×" : ""
        let role = c.role.role == .none && c.role.origin == .inferred ? "" : c.role.role.description + (c.role.origin == .declared ? " (declared)" : "")
        return Row(name: c.name, type: type, role: role, nulls: percent(nullShare), min: Self.text(s.min, exact: s.minExact),
                   max: Self.text(s.max, exact: s.maxExact), distinct: distinct,
                   mean: c.type.isVariableLength || c.type == .null ? "" : Self.number(s.moments?.mean, c.type == .bool ? .float64 : c.type),
                   std: Self.spread(std, c.type),
                   p5: quantile(0), p50: quantile(1), p95: quantile(2), top: top,
                   stored: formatSize(c.storedBytes), decoded: formatSize(c.decodedBytes), ratio: ratio,
                   memory: formatSize(memory.columns[k].bytes))
    }

    // MARK: - Rendering

    /// The report as text in the given format.
    public func render(_ format: ReportFormat) -> String {
        switch format {
        case .table: return table()
        case .markdown: return markdown()
        case .json: return json()
        }
    }

    var headers: [String] {
        ["column", "type", "role", "null", "min", "max", "distinct", "mean", "std", "p5", "p50", "p95", "top values", "stored", "decoded", "ratio",
         "memory"]
    }

    func cells(_ r: Row) -> [String] {
        [r.name, r.type, r.role, r.nulls, r.min, r.max, r.distinct, r.mean, r.std, r.p5, r.p50, r.p95, r.top, r.stored, r.decoded, r.ratio, r.memory]
    }

    var totalStored: UInt64 { shown.reduce(0) { $0.saturatingAdding(dataset.columns[$1].storedBytes) } }
    var totalDecoded: UInt64 { shown.reduce(0) { $0.saturatingAdding(dataset.columns[$1].decodedBytes) } }

    func summaryLines() -> [String] {
        let d = dataset
        var lines: [String] = []
        let ratio = totalStored > 0 ? fixed(Double(totalDecoded) / Double(totalStored), 1) + "×" : "-"
        lines.append("\(d.rowCount) rows × \(d.columns.count) columns in \(d.chunkCount) chunk\(d.chunkCount == 1 ? "" : "s"), "
                     + "\(d.parts.count == 1 ? "file" : "\(d.parts.count) files") \(formatSize(UInt64(d.fileBytes)))"
                     + (d.parts.first { $0.readAs != nil }.flatMap(\.readAs).map { " (\($0))" }
                        ?? (d.parts.contains { $0.reader.isSnapshot } ? " (snapshot: statistics without data)" : "")) + "; "
                     + "columns \(formatSize(totalStored)) stored, \(formatSize(totalDecoded)) decoded (\(ratio))")
        lines.append("schema \(d.schema.fingerprint)  types \(d.schema.typesFingerprint)")
        for part in d.parts {
            let p = part.reader.provenance
            var line = d.parts.count > 1 ? "part \(part.path): \(part.rowCount) rows, \(formatSize(UInt64(part.fileSize))), schema \(part.reader.schema.fingerprint); " : ""
            line += "source \(p.source.isEmpty ? "-" : p.source)"
            if let size = p.sourceSize { line += " (\(formatSize(size))" + (p.sourceHash.map { ", xxh64 \(Fingerprint($0))" } ?? "") + ")" }
            if !p.tool.isEmpty { line += " by \(p.tool)" }
            if !p.createdAt.isEmpty { line += " at \(p.createdAt)" }
            lines.append(line)
            if !p.options.isEmpty { lines.append("  options: " + p.options.map { "\($0.key)=\($0.value)" }.joined(separator: " ")) }
            let inferred = p.decisions.filter { !$0.subject.hasPrefix("column ") }
            if !inferred.isEmpty { lines.append("  decisions: " + inferred.map { "\($0.subject): \($0.decision)" }.joined(separator: "; ")) }
        }
        return lines
    }

    func memoryLines() -> [String] {
        let a = advice
        let why: String
        switch a.strategy {
        case .eager: why = "at most \(Int(LoadAdvice.eagerLimit * 100))% of safe memory"
        case .lazy: why = "over \(Int(LoadAdvice.eagerLimit * 100))% of safe memory: read only the columns you need"
        case .stream: why = "over \(Int(LoadAdvice.streamLimit * 100))% of safe memory: stream it in batches"
        }
        var lines = [
            "memory (\(memory.layout.rawValue) layout): \(formatSize(shown.reduce(0) { $0 + memory.columns[$1].bytes })) of buffers, "
                + "\(formatSize(a.neededBytes)) allocated",
            "advice: \(a.strategy.rawValue): needs \(formatSize(a.neededBytes)) = \(fixed(a.ratio * 100, 0))% of safe memory "
                + "\(formatSize(a.safeBytes)) (\(Int(LoadAdvice.safeFraction * 100))% of \(formatSize(a.availableBytes)) available); \(why)",
        ]
        if a.strategy != .eager {
            let largest = shown.sorted { memory.columns[$0].allocatedBytes > memory.columns[$1].allocatedBytes }.prefix(3)
            lines.append("largest columns: " + largest.map { "\(dataset.columns[$0].name) \(formatSize(memory.columns[$0].allocatedBytes))" }
                .joined(separator: ", "))
        }
        return lines
    }

    func table() -> String {
        var out = summaryLines().joined(separator: "\n") + "\n\n"
        // A wide file's rows (quantiles, top values, text) are built on every core.
        let shown = self.shown
        let rows = shown.count >= 256 ? parallelMap(shown.count) { cells(row(shown[$0])) } : shown.map { cells(row($0)) }
        out += TextTable(headers: headers, rows: rows, rightAligned: [3, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16]).render()
        out += "\n" + memoryLines().joined(separator: "\n") + "\n"
        return out
    }

    func markdown() -> String {
        var out = "# Profile of \(dataset.parts.map(\.path).joined(separator: ", "))\n\n"
        out += summaryLines().map { "- " + $0.drop { $0 == " " } }.joined(separator: "\n") + "\n\n"
        out += "| " + headers.joined(separator: " | ") + " |\n"
        out += "|" + headers.map { _ in "---|" }.joined() + "\n"
        for k in shown {
            out += "| " + cells(row(k)).map(\.markdownCell).joined(separator: " | ") + " |\n"
        }
        out += "\n" + memoryLines().map { "- " + $0 }.joined(separator: "\n") + "\n"
        return out
    }

    func json() -> String {
        var w = JSONWriter()
        let d = dataset
        w.object { w in
            w.string("format", "colprof.profile")
            w.int("format_version", UInt64(Self.formatVersion))
            w.int("row_count", d.rowCount)
            w.int("chunk_count", d.chunkCount)
            w.int("file_bytes", d.fileBytes)
            w.int("stored_bytes", totalStored)
            w.int("decoded_bytes", totalDecoded)
            w.string("schema_fingerprint", d.schema.fingerprint.description)
            w.string("types_fingerprint", d.schema.typesFingerprint.description)
            w.array("files") { w in
                for part in d.parts {
                    w.object { w in
                        let p = part.reader.provenance
                        w.string("path", part.path)
                        w.int("row_count", part.rowCount)
                        w.int("chunk_count", part.chunkCount)
                        w.int("file_bytes", part.fileSize)
                        w.string("schema_fingerprint", part.reader.schema.fingerprint.description)
                        w.object("provenance") { w in
                            w.string("source", p.source)
                            w.int("source_bytes", p.sourceSize)
                            w.string("source_xxh64", p.sourceHash.map { Fingerprint($0).description })
                            w.string("tool", p.tool)
                            w.string("created_at", p.createdAt)
                            w.object("options") { w in for o in p.options { w.string(o.key, o.value) } }
                            w.array("decisions") { w in
                                for x in p.decisions { w.object { w in w.string("subject", x.subject); w.string("decision", x.decision) } }
                            }
                        }
                    }
                }
            }
            w.array("columns") { w in
                for k in shown { columnJSON(&w, k) }
            }
            w.object("memory") { w in
                w.string("layout", memory.layout.rawValue)
                w.int("estimated_bytes", shown.reduce(0) { $0 + memory.columns[$1].bytes })
                w.int("allocated_bytes", advice.neededBytes)
                w.int("available_bytes", advice.availableBytes)
                w.int("safe_bytes", advice.safeBytes)
                w.double("ratio", advice.ratio)
                w.string("advice", advice.strategy.rawValue)
                w.double("safe_fraction", LoadAdvice.safeFraction)
                w.double("eager_limit", LoadAdvice.eagerLimit)
                w.double("stream_limit", LoadAdvice.streamLimit)
            }
        }
        return w.text
    }

    func columnJSON(_ w: inout JSONWriter, _ k: Int) {
        let c = dataset.columns[k]
        let s = c.statistics
        w.object { w in
            w.string("name", c.name)
            w.string("type", c.type.name)
            w.bool("nullable", c.nullable)
            w.string("source_path", c.sourcePath)
            w.string("role", c.role.role.description)
            w.string("role_origin", c.role.origin.description)
            w.object("order") { w in
                w.int("steps", c.role.order.steps)
                w.int("ascending", c.role.order.ascending)
                w.int("descending", c.role.order.descending)
            }
            w.array("widenings") { w in
                for e in c.widenings {
                    w.object { w in w.int("row", e.row); w.string("from", e.from.name); w.string("to", e.to.name) }
                }
            }
            w.int("row_count", s.rowCount)
            w.int("null_count", s.nullCount)
            w.int("nan_count", s.nanCount)
            w.scalar("min", s.min)
            w.bool("min_exact", s.min != nil && s.minExact)
            w.scalar("max", s.max)
            w.bool("max_exact", s.max != nil && s.maxExact)
            w.int("distinct_count", Self.distinct(s))
            w.bool("distinct_exact", s.distinctCount != nil && s.distinctExact)
            let numeric = c.type.isNumeric || c.type == .bool
            w.double("mean", numeric ? s.moments?.mean : nil)
            w.double("std", numeric ? s.moments?.sampleStandardDeviation : nil)
            w.object("quantiles") { w in
                let keys = ["p5", "p25", "p50", "p75", "p95"]
                let values = s.quantiles?.quantiles([0.05, 0.25, 0.5, 0.75, 0.95]) ?? keys.map { _ in nil }
                for (key, value) in zip(keys, values) { w.double(key, value) }
            }
            w.array("top_values") { w in
                for e in s.frequent?.top(10) ?? [] {
                    w.object { w in w.scalar("value", e.item); w.int("count", e.count); w.int("max_overcount", e.error) }
                }
            }
            w.int("length_min", s.lengthMin)
            w.int("length_max", s.lengthMax)
            w.int("stored_bytes", c.storedBytes)
            w.int("decoded_bytes", c.decodedBytes)
            w.int("memory_bytes", memory.columns[k].bytes)
        }
    }
}
