// # The drift report as one HTML page (`colprof drift A B --html drift.html`)
//
// The banner says what the exit status says: FAIL exactly when the gate
// fails (exit 1), else WARN or PASS (exit 0). Then the thresholds, the
// schema diff, and one section per column with failing columns first: the
// two distributions overlaid (from the KLL sketches, over the range both
// share), or the top values side by side for other columns, and the checks
// with their values. Same frame and guarantees as the profile page.

import ColFormat
import ColSketches
import ColText

extension DriftReport {
    /// The report as one self-contained HTML page. `base` and `new` are the datasets compared
    /// (`new` nil for drift inside one file); `thresholds` are the defaults the checks used.
    public func html(base baseData: Dataset, new newData: Dataset?, thresholds t: DriftThresholds, failOn: Severity) -> String {
        var w = HTMLWriter()
        HTMLPage.begin(&w, title: "colprof drift: \(base) → \(new)")
        w.element("h1") { w in
            w.text("Drift: ")
            w.element("code", text: base)
            if base != new {
                w.text(" → ")
                w.element("code", text: new)
            } else {
                w.text(" (each chunk against the rest)")
            }
        }
        let failed = severity >= failOn
        let (label, cls) = failed ? ("FAIL", "fail") : severity == .warn ? ("WARN", "warn") : ("PASS", "pass")
        let fails = findings.filter { $0.severity == .fail }.count, warns = findings.filter { $0.severity == .warn }.count
        w.element("div", [("class", "banner \(cls)"), ("role", "status")],
                  text: "\(label): exit \(failed ? 1 : 0) (gate --fail-on \(failOn)); \(fails) failing, \(warns) warning, \(findings.count - fails - warns) ok")
        w.element("p", text: summary(failOn: failOn))
        w.element("pre", text: headline(failOn: failOn).joined(separator: "\n"))
        thresholdTable(&w, t)
        if let newData { schemaDiff(&w, baseData, newData) }
        w.element("h2", text: "Columns, failing first")
        let order = columnOrder()
        if order.isEmpty { w.element("p", text: "No column was checked.") }
        for column in order { columnSection(&w, column, baseData, newData) }
        HTMLPage.end(&w, json: render(.json, all: true, failOn: failOn))
        return w.text
    }

    /// Columns by their worst finding, failing first, then in the order found.
    func columnOrder() -> [String] {
        var worst: [String: Severity] = [:]
        var order: [String] = []
        for f in findings {
            if worst[f.column] == nil { order.append(f.column) }
            worst[f.column] = max(worst[f.column] ?? .ok, f.severity)
        }
        return order.enumerated().sorted { a, b in
            let x = worst[a.element] ?? .ok, y = worst[b.element] ?? .ok
            return x != y ? x > y : a.offset < b.offset
        }.map(\.element)
    }

    func thresholdTable(_ w: inout HTMLWriter, _ t: DriftThresholds) {
        w.element("details", [("class", "thresholds")]) { w in
            w.element("summary", text: "Thresholds used (defaults; colprof.toml and --threshold change them, a history learns them)")
            let rows: [(String, Double, Double)] = [
                ("psi", t.psiWarn, t.psiFail), ("ks", t.ksWarn, t.ksFail), ("js", t.jsWarn, t.jsFail), ("null_rate", t.nullWarn, t.nullFail),
                ("distinct", t.distinctWarn, t.distinctFail), ("range", t.rangeWarn, t.rangeFail), ("overlap", t.overlapWarn, t.overlapFail),
                ("gap", t.gapWarn, t.gapFail), ("order", t.orderWarn, t.orderFail), ("length", t.lengthWarn, t.lengthFail),
                ("duplicates", t.duplicatesWarn, t.duplicatesFail),
            ]
            w.element("table") { w in
                w.element("thead") { w in
                    w.element("tr") { w in for h in ["metric", "warn at", "fail at"] { w.element("th", text: h) } }
                }
                w.element("tbody") { w in
                    for (name, warn, fail) in rows {
                        w.element("tr") { w in
                            w.element("td", text: name)
                            w.element("td", [("class", "num")], text: Self.threshold(warn))
                            w.element("td", [("class", "num")], text: Self.threshold(fail))
                        }
                    }
                }
            }
            w.element("p", text: "Distributions are compared when both sides have at least \(t.minimumValues) values.")
        }
    }

    func schemaDiff(_ w: inout HTMLWriter, _ b: Dataset, _ n: Dataset) {
        w.element("h2", text: "Schema")
        var names = b.columns.map(\.name)
        for c in n.columns where b.column(named: c.name) == nil { names.append(c.name) }
        w.element("table", [("class", "schema")]) { w in
            w.element("thead") { w in
                w.element("tr") { w in for h in ["column", "base", "new", "change"] { w.element("th", text: h) } }
            }
            w.element("tbody") { w in
                for name in names {
                    let bc = b.column(named: name).map { b.columns[$0] }, nc = n.column(named: name).map { n.columns[$0] }
                    let change: String, cls: String
                    switch (bc, nc) {
                    case (nil, _): (change, cls) = ("added", "status-warn")
                    case (_, nil): (change, cls) = ("removed", "status-fail")
                    case let (x?, y?) where x.type != y.type: (change, cls) = ("type \(x.type.name) → \(y.type.name)", "status-warn")
                    case let (x?, y?) where x.nullable != y.nullable: (change, cls) = (y.nullable ? "now has nulls" : "now required", "status-warn")
                    default: (change, cls) = ("", "status-ok")
                    }
                    w.element("tr") { w in
                        w.element("td", [("title", name)], text: truncated(name, 40))
                        w.element("td", text: bc.map { $0.type.name } ?? "")
                        w.element("td", text: nc.map { $0.type.name } ?? "")
                        w.element("td", [("class", cls)], text: change.isEmpty ? "same" : change)
                    }
                }
            }
        }
    }

    func columnSection(_ w: inout HTMLWriter, _ column: String, _ baseData: Dataset, _ newData: Dataset?) {
        let mine = findings.filter { $0.column == column }
        let worst = mine.map(\.severity).max() ?? .ok
        var attributes = [("class", "column"), ("id", "col-\(anchor(column))")]
        if worst > .ok { attributes.append(("open", "open")) }
        w.element("details", attributes) { w in
            w.element("summary") { w in
                w.element("span", [("class", "status-\(worst)")], text: worst.description.uppercased())
                w.text(" ")
                w.element("code", [("title", column)], text: truncated(column, 60))
                let fired = mine.filter { $0.severity > .ok }.map(\.metric)
                if !fired.isEmpty { w.text(" — " + fired.joined(separator: ", ")) }
            }
            w.element("div", [("class", "column-body")]) { w in
                if let newData, let k = baseData.column(named: column), let j = newData.column(named: column) {
                    comparison(&w, column, baseData.columns[k], newData.columns[j])
                }
                w.element("table", [("class", "checks")]) { w in
                    w.element("thead") { w in
                        w.element("tr") { w in
                            for h in ["chunk", "metric", "value", "warn", "fail", "status", "detail"] { w.element("th", text: h) }
                        }
                    }
                    w.element("tbody") { w in
                        for f in mine {
                            w.element("tr") { w in
                                w.element("td", [("class", "num")], text: f.chunk.map(String.init) ?? "")
                                w.element("td", text: f.metric)
                                w.element("td", [("class", "num")], text: Self.number(f.value))
                                w.element("td", [("class", "num")], text: Self.threshold(f.warn))
                                w.element("td", [("class", "num")], text: Self.threshold(f.fail))
                                w.element("td", [("class", "status-\(f.severity)")], text: f.severity.description.uppercased())
                                w.element("td", text: f.detail)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The two sides' distributions overlaid, or their top values side by side.
    func comparison(_ w: inout HTMLWriter, _ column: String, _ b: DatasetColumn, _ n: DatasetColumn) {
        let bs = b.statistics, ns = n.statistics
        if b.type == n.type, b.type.isNumeric, b.type != .bool,
           let bLo = bs.min?.numericValue, let bHi = bs.max?.numericValue, let nLo = ns.min?.numericValue, let nHi = ns.max?.numericValue {
            let range = (lo: min(bLo, nLo), hi: max(bHi, nHi))
            if let bd = Distribution(bs, bins: 40, over: range), let nd = Distribution(ns, bins: 40, over: range) {
                w.append(Chart.overlay(base: bd, new: nd, type: b.type, title: "\(column): base and new distributions from their KLL sketches",
                                       unit: b.type == .date ? "date" : b.type == .timestamp ? "time (UTC)" : "value"))
                return
            }
        }
        guard let bf = bs.frequent, let nf = ns.frequent, bs.valueCount > 0, ns.valueCount > 0 else { return }
        let newCounts = Dictionary(nf.top(64).map { ($0.item, $0.count) }, uniquingKeysWith: { a, _ in a })
        let baseCounts = Dictionary(bf.top(64).map { ($0.item, $0.count) }, uniquingKeysWith: { a, _ in a })
        var items = bf.top(10).map(\.item)
        for e in nf.top(10) where !items.contains(e.item) { items.append(e.item) }
        let rows = items.prefix(16).map { item in
            (label: ProfileReport.text(item, limit: 60), share: Double(baseCounts[item] ?? 0) / Double(bs.valueCount),
             other: Double?.some(Double(newCounts[item] ?? 0) / Double(ns.valueCount)))
        }
        w.append(Chart.shareBars(rows, title: "\(column): the most frequent values, base and new"))
    }
}
