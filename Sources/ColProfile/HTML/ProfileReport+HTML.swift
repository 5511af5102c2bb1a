// # The profile as one HTML page (`colprof FILE --html report.html`)
//
// One self-contained file: inline CSS and SVG, no script to run, nothing
// fetched. Folding uses `<details>`; dark mode, `prefers-color-scheme`. The
// page embeds the `--json` report in `<script type="application/json"
// id="colprof-data">` for machines. It holds no time of its own, so the same
// input gives the same bytes (goldens pin it).
//
// Size: the column table is cut into pages of `tableRows` columns, all but
// the first folded, and each column's section is folded. For a 1,000-column
// file the page stays within the bound docs/PROFILE.md states ("HTML").

import ColFormat
import ColSketches
import ColText

extension ProfileReport {
    /// Columns per page of the column table.
    static let tableRows = 100
    /// Columns drawn in the chunk strip.
    static let stripColumns = 12
    /// Chunks beyond which the chunk strip is left out (reading every part's chunk statistics would cost more than the report).
    static let stripChunkLimit = 2_000
    /// The quantiles marked on a column's histogram.
    static let marks: [(String, Double)] = [("p1", 0.01), ("p5", 0.05), ("p25", 0.25), ("p50", 0.5), ("p75", 0.75), ("p95", 0.95), ("p99", 0.99)]

    /// The report as one self-contained HTML page; `title` names what was profiled.
    public func html(title: String) throws(ProfileError) -> String {
        var w = HTMLWriter()
        HTMLPage.begin(&w, title: "colprof: \(title)")
        w.element("h1") { w in
            w.text("Profile of ")
            w.element("code", text: title)
        }
        // Each shown column's row (its quantiles come from one merge of its KLL levels), the alerts,
        // and each part's column positions, worked out once for the whole page.
        let rows = shown.map(row)
        let alerts = alertLines()
        let partColumns = dataset.parts.map { $0.reader.schema.columnIndexByName }
        overview(&w)
        alertList(&w, alerts)
        columnTable(&w, rows)
        w.element("h2", [("id", "columns")], text: "Columns")
        // The sections of columns with alerts start open; the others are folded.
        let alerted = Set(alerts.map(\.column))
        for (k, r) in zip(shown, rows) {
            columnSection(&w, k, r, partColumns: partColumns, open: alerted.contains(dataset.columns[k].name))
        }
        try chunks(&w)
        HTMLPage.end(&w, json: json())
        return w.text
    }

    // MARK: - Overview

    func overview(_ w: inout HTMLWriter) {
        let d = dataset
        w.element("section", [("class", "overview")]) { w in
            w.element("h2", text: "Overview")
            w.open("dl", [("class", "facts")])
            func fact(_ name: String, _ value: String) {
                w.element("dt", text: name)
                w.element("dd", text: value)
            }
            fact("rows", String(d.rowCount))
            fact("columns", String(d.columns.count) + (shown.count < d.columns.count ? " (\(shown.count) shown)" : ""))
            fact("chunks", String(d.chunkCount))
            fact(d.parts.count == 1 ? "file" : "files", (d.parts.count == 1 ? "" : "\(d.parts.count) files, ") + formatSize(UInt64(d.fileBytes)))
            let ratio = totalStored > 0 ? " (" + fixed(Double(totalDecoded) / Double(totalStored), 1) + "×)" : ""
            fact("columns stored", formatSize(totalStored))
            fact("columns decoded", formatSize(totalDecoded) + ratio)
            fact("in memory (\(memory.layout.rawValue))", formatSize(advice.neededBytes))
            fact("advice", "\(advice.strategy.rawValue): \(fixed(advice.ratio * 100, 0))% of safe memory (\(formatSize(advice.safeBytes)))")
            fact("schema fingerprint", d.schema.fingerprint.description)
            fact("types fingerprint", d.schema.typesFingerprint.description)
            w.close("dl")
            w.element("details", [("class", "provenance")]) { w in
                w.element("summary", text: "Provenance and load advice")
                w.element("pre", text: (summaryLines() + [""] + memoryLines()).joined(separator: "\n"))
            }
        }
    }

    // MARK: - Alerts

    /// What deserves a look: high null rates, constant and all-distinct columns, widenings, mixed types, rejected values.
    func alertLines() -> [(column: String, text: String, level: String)] {
        var out: [(String, String, String)] = []
        for k in shown {
            let c = dataset.columns[k]
            let s = c.statistics
            guard s.rowCount > 0 else { continue }
            let nullShare = Double(s.nullCount) / Double(s.rowCount)
            if s.nullCount == s.rowCount {
                out.append((c.name, "every value is null", "warn"))
                continue
            }
            if nullShare >= 0.5 { out.append((c.name, "\(percent(nullShare)) null", "warn")) }
            if let d = Self.distinct(s), s.valueCount > 1 {
                if d == 1 && (s.distinctExact || s.min == s.max) {
                    out.append((c.name, "constant: every value is \(Self.text(s.min, limit: 40))", "info"))
                } else if s.valueCount >= 100 && Double(d) >= 0.99 * Double(s.valueCount) && !c.type.isNumeric || s.valueCount >= 100 && d == s.valueCount {
                    out.append((c.name, "all distinct (\(s.distinctExact ? "" : "≈")\(d) of \(s.valueCount) values): an identifier?", "info"))
                }
            }
            for e in c.widenings {
                out.append((c.name, "type widened from \(e.from.name) to \(e.to.name) at row \(e.row)", "warn"))
            }
            if let ing = s.ingestion {
                let kinds = LogicalType.allCases.filter { $0 != .null && $0 != c.type && ing.parsedAs[Int($0.rawValue)] > 0 }
                let mixed = kinds.filter { t in ing.parsedAs[Int(t.rawValue)] < s.valueCount }
                if c.type.isVariableLength && !mixed.isEmpty {
                    let parts = mixed.map { "\(ing.parsedAs[Int($0.rawValue)]) parse as \($0.name)" }
                    out.append((c.name, "mixed types: \(parts.joined(separator: ", ")) of \(s.valueCount) values", "warn"))
                }
                if ing.rejected > 0 { out.append((c.name, "\(ing.rejected) values rejected at ingest", "warn")) }
            }
        }
        return out
    }

    func alertList(_ w: inout HTMLWriter, _ lines: [(column: String, text: String, level: String)]) {
        w.element("section", [("class", "alerts")]) { w in
            w.element("h2", text: "Alerts")
            if lines.isEmpty {
                w.element("p", text: "None: no column is mostly null, constant, all distinct, widened or of mixed types.")
                return
            }
            w.element("ul") { w in
                for a in lines {
                    w.element("li", [("class", a.level)]) { w in
                        w.element("a", [("href", "#col-\(anchor(a.column))")], text: a.column)
                        w.text(": " + a.text)
                    }
                }
            }
        }
    }

    // MARK: - Column table

    /// The table of `shown` columns, whose rows are `rows`, in pages.
    func columnTable(_ w: inout HTMLWriter, _ rows: [Row]) {
        w.element("h2", text: "Column table")
        let pages = stride(from: 0, to: shown.count, by: Self.tableRows).map { $0..<min($0 + Self.tableRows, shown.count) }
        for (p, page) in pages.enumerated() {
            var attributes = [("class", "table-page")]
            if p == 0 { attributes.append(("open", "open")) }
            w.element("details", attributes) { w in
                w.element("summary", text: pages.count == 1 ? "\(shown.count) columns"
                          : "columns \(page.lowerBound + 1)–\(page.upperBound) of \(shown.count)")
                w.element("table", [("class", "columns")]) { w in
                    w.element("thead") { w in
                        w.element("tr") { w in
                            for h in ["column", "type", "null", "distinct", "distribution or top values", "min", "max", "memory"] {
                                w.element("th", text: h)
                            }
                        }
                    }
                    w.element("tbody") { w in
                        for i in page { tableRow(&w, shown[i], rows[i]) }
                    }
                }
            }
        }
    }

    func tableRow(_ w: inout HTMLWriter, _ k: Int, _ r: Row) {
        let c = dataset.columns[k]
        let s = c.statistics
        w.element("tr") { w in
            w.element("td", [("class", "name")]) { w in
                w.element("a", [("href", "#col-\(anchor(c.name))"), ("title", c.name)], text: truncated(c.name, 32))
            }
            w.element("td", text: r.type)
            let nullShare = s.rowCount > 0 ? Double(s.nullCount) / Double(s.rowCount) : 0
            w.element("td", [("class", "num")]) { w in
                w.append(Chart.nullBar(nullShare))
                w.text(" " + r.nulls)
            }
            w.element("td", [("class", "num")], text: distinctText(s))
            w.element("td") { w in
                if c.type.isNumeric && c.type != .bool, let d = Distribution(s, bins: 24) {
                    w.append(Chart.spark(d, title: "\(c.name): distribution from \(Self.text(s.min)) to \(Self.text(s.max))"))
                } else {
                    w.text(r.top)
                }
            }
            w.element("td", [("class", "num")], text: r.min)
            w.element("td", [("class", "num")], text: r.max)
            w.element("td", [("class", "num")], text: r.memory)
        }
    }

    /// The distinct count, exact or estimated with its standard error.
    func distinctText(_ s: ColumnStatistics) -> String {
        guard let d = Self.distinct(s) else { return "" }
        if s.distinctExact { return String(d) }
        let precision = s.hll?.precision ?? HyperLogLog.defaultPrecision
        var registers = 1.0
        for _ in 0..<precision { registers *= 2 }
        return "≈\(d) ±\(fixed(104 / registers.squareRoot(), 1))%"
    }

    // MARK: - One column

    /// Column `k`'s section, from its row `r`; `partColumns` gives each part's column positions by name.
    func columnSection(_ w: inout HTMLWriter, _ k: Int, _ r: Row, partColumns: [[[UInt8]: Int]], open: Bool) {
        let c = dataset.columns[k]
        let s = c.statistics
        var attributes = [("class", "column"), ("id", "col-\(anchor(c.name))")]
        if open { attributes.append(("open", "open")) }
        w.element("details", attributes) { w in
            w.element("summary") { w in
                w.element("code", [("title", c.name)], text: truncated(c.name, 60))
                w.text(" " + r.type + (r.role.isEmpty ? "" : ", " + r.role) + " — " + r.nulls + " null, " + distinctText(s) + " distinct")
            }
            w.element("div", [("class", "column-body")]) { w in
                w.open("dl", [("class", "facts")])
                func fact(_ name: String, _ value: String) {
                    guard !value.isEmpty else { return }
                    w.element("dt", text: name)
                    w.element("dd", text: value)
                }
                fact("rows", String(s.rowCount))
                fact("nulls", "\(s.nullCount) (\(r.nulls))")
                if s.nanCount > 0 { fact("NaN", String(s.nanCount)) }
                fact("distinct", distinctText(s))
                fact("min", r.min)
                fact("max", r.max)
                fact("mean", r.mean)
                fact("std", r.std)
                if let q = s.quantiles, !q.isEmpty, c.type.isNumeric, c.type != .bool {
                    let values = q.quantiles(Self.marks.map(\.1))
                    fact("quantiles", zip(Self.marks, values).map { "\($0.0.0) \(Self.number($0.1, c.type))" }.joined(separator: ", "))
                }
                if let lo = s.lengthMin, let hi = s.lengthMax {
                    let mean = s.lengthTotal.map { s.valueCount > 0 ? ", mean " + fixed(Double($0) / Double(s.valueCount), 1) : "" } ?? ""
                    fact("length (bytes)", "\(lo) … \(hi)\(mean)")
                }
                fact("stored", "\(r.stored) (\(r.ratio.isEmpty ? "-" : r.ratio) from \(r.decoded) decoded)")
                fact("memory", r.memory)
                fact("encodings", encodings(k, partColumns))
                if let ing = s.ingestion { fact("typed at ingest", ingestion(ing, type: c.type)) }
                fact("source", c.sourcePath == c.name ? "" : c.sourcePath)
                w.close("dl")
                w.element("div", [("class", "charts")]) { w in
                    if c.type.isNumeric && c.type != .bool, let d = Distribution(s, bins: 40), let q = s.quantiles {
                        let values = q.quantiles(Self.marks.map(\.1))
                        let marks = zip(Self.marks, values).compactMap { m, v in v.map { (m.0, $0) } }
                        w.append(Chart.histogram(d, type: c.type, marks: marks, title: "\(c.name): histogram from its KLL sketch",
                                                 unit: unit(c.type)))
                    }
                    // A number with a histogram shows its top values only when it has few distinct values.
                    let histogram = c.type.isNumeric && c.type != .bool && s.quantiles.map { !$0.isEmpty } == true
                    if let f = s.frequent, s.valueCount > 0, !histogram || (Self.distinct(s) ?? .max) <= 20 {
                        // As in the text report: an estimated count shows only when its guaranteed part
                        // (count − overcount) is at least 1% of the values.
                        let top = f.top(10).filter { f.isExact || Double($0.count - min($0.error, $0.count)) >= 0.01 * Double(s.valueCount) }
                        if !top.isEmpty {
                            let items = top.map { (label: Self.text($0.item, limit: 60), share: Double($0.count) / Double(s.valueCount), other: Double?.none) }
                            w.append(Chart.shareBars(items, title: "\(c.name): the most frequent values" + (f.isExact ? "" : " (estimated counts)")))
                        }
                    }
                }
            }
        }
    }

    func unit(_ type: LogicalType) -> String {
        switch type {
        case .date: "date"
        case .timestamp: "time (UTC)"
        default: "value"
        }
    }

    /// The encodings and codecs of a column's blocks over every part: "delta ×12, plain ×4; zstd".
    func encodings(_ k: Int, _ partColumns: [[[UInt8]: Int]]) -> String {
        let name = Array(dataset.columns[k].name.utf8)
        var encodings: [Encoding: Int] = [:]
        var codecs: [String: Int] = [:]
        for (p, part) in dataset.parts.enumerated() where !part.reader.isSnapshot {
            guard let j = partColumns[p][name] else { continue }
            for chunk in 0..<part.reader.directory.chunkCount {
                let e = part.reader.directory.entry(chunk: chunk, column: j)
                if e.isAbsent { continue }
                encodings[e.encoding, default: 0] += 1
                codecs[e.codec.description, default: 0] += 1
            }
        }
        guard !encodings.isEmpty else { return "" }
        let e = encodings.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.rawValue < $1.key.rawValue }
            .map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
        let z = codecs.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key).joined(separator: ", ")
        return "\(e); \(z)"
    }

    /// How values were typed at ingest: "1000 int64, 12 null tokens".
    func ingestion(_ i: IngestionStatistics, type: LogicalType) -> String {
        var parts = LogicalType.allCases.filter { $0 != .null && i.parsedAs[Int($0.rawValue)] > 0 }
            .map { "\(i.parsedAs[Int($0.rawValue)]) parse as \($0.name)" }
        if i.nullTokens > 0 { parts.append("\(i.nullTokens) null tokens") }
        if i.emptyStrings > 0 { parts.append("\(i.emptyStrings) empty") }
        if i.rejected > 0 { parts.append("\(i.rejected) rejected") }
        if i.duplicateKeys > 0 { parts.append("\(i.duplicateKeys) duplicate keys") }
        return parts.joined(separator: ", ")
    }

    // MARK: - Chunks

    func chunks(_ w: inout HTMLWriter) throws(ProfileError) {
        let d = dataset
        w.element("h2", [("id", "chunks")], text: "Chunks")
        guard !d.parts.contains(where: { $0.reader.isSnapshot }) || d.parts.count == 1 else {
            w.element("p", text: "\(d.chunkCount) chunks.")
            return
        }
        guard d.chunkCount <= Self.stripChunkLimit else {
            w.element("p", text: "\(d.chunkCount) chunks: more than the \(Self.stripChunkLimit) the strip draws.")
            return
        }
        // Per chunk of every part, in order: rows, bytes, and each shown numeric column's range.
        let numeric = shown.filter { dataset.columns[$0].type.isNumeric && dataset.columns[$0].type != .bool }.prefix(Self.stripColumns)
        var rows: [Double] = []
        var bytes: [Double] = []
        var ranges = [[(lo: Double, hi: Double)?]](repeating: [], count: numeric.count)
        for part in d.parts {
            let r = part.reader
            let stats: [[ColumnStatistics]]
            do { stats = try r.chunkStatistics() } catch { throw .unreadable(path: part.path, error) }
            let index = r.schema.columnIndexByName
            for chunk in 0..<r.directory.chunkCount {
                rows.append(Double(r.directory.chunkRowCounts[chunk]))
                var total = 0.0
                for j in 0..<r.schema.columns.count { total += Double(r.directory.entry(chunk: chunk, column: j).storedLength) }
                bytes.append(total)
                for (n, k) in numeric.enumerated() {
                    guard let j = index[Array(dataset.columns[k].name.utf8)], chunk < stats.count, j < stats[chunk].count,
                          let lo = stats[chunk][j].min?.numericValue, let hi = stats[chunk][j].max?.numericValue else {
                        ranges[n].append(nil)
                        continue
                    }
                    ranges[n].append((lo, hi))
                }
            }
        }
        w.element("p", text: "\(d.chunkCount) chunk\(d.chunkCount == 1 ? "" : "s") in file order: rows and stored bytes per chunk, then each numeric column's range per chunk, so a change inside the file shows.")
        w.element("div", [("class", "strip")]) { w in
            w.append(Chart.ranges(rows.map { (0, $0) }, type: .int64, title: "rows per chunk"))
            w.append(Chart.ranges(bytes.map { (0, $0) }, type: .int64, title: "stored bytes per chunk"))
            for (n, k) in numeric.enumerated() {
                w.append(Chart.ranges(ranges[n], type: dataset.columns[k].type, title: dataset.columns[k].name))
            }
        }
    }
}

/// A fragment identifier for a column: its bytes as hex when it is not plain ASCII.
func anchor(_ name: String) -> String {
    if name.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F || $0 == 0x2D }) {
        return name
    }
    return "x" + name.utf8.map { b in
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: [digits[Int(b >> 4)], digits[Int(b & 15)]], as: UTF8.self)
    }.joined()
}

/// `s` cut to `limit` characters with an ellipsis.
func truncated(_ s: String, _ limit: Int) -> String {
    s.count > limit ? String(s.prefix(limit - 1)) + "…" : s
}
