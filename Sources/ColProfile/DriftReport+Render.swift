import ColFormat
import ColText

extension DriftReport {
    /// The version of the drift `--json` schema (docs/PROFILE.md, "JSON"). Version 2 lists every
    /// check in `findings`, passing ones and information included; version 1 listed those shown.
    public static let formatVersion = 2

    /// The findings to print: everything with `all`, else those that warn or fail.
    func visible(all: Bool) -> [DriftFinding] { all ? findings : findings.filter { $0.severity > .ok } }

    static func number(_ v: Double?) -> String {
        guard let v else { return "" }
        return fixed(v, 4)
    }

    static func threshold(_ v: Double?) -> String {
        guard let v else { return "" }
        return compactNumber(v)
    }

    func headline(failOn: Severity) -> [String] {
        let same = baseFingerprint == newFingerprint
        var lines: [String] = []
        if base == new {
            lines.append("drift inside \(base): each chunk against the rest of the file, keys and event time against the chunk before (\(baseRows) rows)")
        } else {
            lines.append("drift: \(base) (\(baseRows) rows, schema \(baseFingerprint)) → \(new) (\(newRows) rows, schema \(newFingerprint))")
            lines.append(same ? "schema: identical fingerprints" : "schema: fingerprints differ")
        }
        lines += notes
        lines.append(summary(failOn: failOn))
        if !roles.isEmpty {
            lines.append("roles: " + roles.map { "\($0.column) \($0.role)\($0.origin == .declared ? " (declared)" : "")" }.joined(separator: ", "))
        }
        return lines
    }

    /// The columns with a finding of `severity`, in column order.
    func columns(at severity: Severity) -> [String] {
        var seen = Set<String>(), out: [String] = []
        for f in findings where f.severity == severity && seen.insert(f.column).inserted { out.append(f.column) }
        return out
    }

    /// The finding that fails (or warns) by the widest margin: its value over its threshold; a
    /// finding without a value (a removed column) comes first.
    public var worst: DriftFinding? {
        let top = severity
        guard top > .ok else { return nil }
        func margin(_ f: DriftFinding) -> Double {
            guard let v = f.value, let limit = top == .fail ? f.fail : f.warn, limit > 0 else { return .infinity }
            return v / limit
        }
        return findings.filter { $0.severity == top }.max { margin($0) < margin($1) }
    }

    /// The verdict first: gate, failing and warning columns, the worst finding.
    func summary(failOn: Severity) -> String {
        let gate = severity >= failOn ? "FAIL" : "PASS"
        let failing = columns(at: .fail), warning = columns(at: .warn)
        func count(_ n: Int, _ what: String) -> String { "\(n) column\(n == 1 ? "" : "s") \(what)" }
        var line = "result: \(gate): \(count(failing.count, failing.count == 1 ? "fails" : "fail")), \(count(warning.count, warning.count == 1 ? "warns" : "warn"))"
        if let w = worst {
            line += "; worst: \(w.column)\(w.chunk.map { " chunk \($0)" } ?? "") \(w.metric)"
            if let v = w.value, let limit = w.severity == .fail ? w.fail : w.warn {
                line += " \(Self.number(v)) (\(w.severity == .fail ? "fails" : "warns") at \(Self.threshold(limit)))"
            }
        }
        return line
    }

    func verdict(failOn: Severity) -> String {
        let fails = findings.filter { $0.severity == .fail }.count
        let warns = findings.filter { $0.severity == .warn }.count
        let gate = severity >= failOn ? "FAIL" : "PASS"
        return "result: \(gate) (\(fails) failing, \(warns) warning, \(findings.count - fails - warns) ok; gate: --fail-on \(failOn))"
    }

    /// How many passing checks and information lines are not shown.
    func hiddenLine(all: Bool) -> String? {
        let hidden = all ? 0 : findings.count - visible(all: false).count
        return hidden > 0 ? "\(hidden) passing check\(hidden == 1 ? "" : "s") and information line\(hidden == 1 ? "" : "s") hidden (--all shows them)" : nil
    }

    var headers: [String] { ["column", "chunk", "metric", "value", "warn", "fail", "status", "detail"] }

    func cells(_ f: DriftFinding) -> [String] {
        [f.column, f.chunk.map(String.init) ?? "", f.metric, Self.number(f.value), Self.threshold(f.warn), Self.threshold(f.fail),
         f.severity.description.uppercased(), f.detail]
    }

    /// The report as text, Markdown or JSON.
    public func render(_ format: ReportFormat, all: Bool, failOn: Severity) -> String {
        let shown = visible(all: all)
        var hidden = headers.indices.map { _ in false }
        hidden[1] = !shown.contains { $0.chunk != nil }
        let keep = headers.indices.filter { !hidden[$0] }
        switch format {
        case .table:
            var out = headline(failOn: failOn).joined(separator: "\n") + "\n\n"
            if shown.isEmpty {
                out += "no drift found\n"
            } else {
                out += TextTable(headers: keep.map { headers[$0] }, rows: shown.map { f in keep.map { cells(f)[$0] } },
                                 rightAligned: Set(keep.enumerated().filter { [1, 3, 4, 5].contains($0.element) }.map(\.offset))).render()
            }
            if let hidden = hiddenLine(all: all) { out += hidden + "\n" }
            return out + "\n" + verdict(failOn: failOn) + "\n"
        case .markdown:
            var out = "# Drift report\n\n" + headline(failOn: failOn).map { "- " + $0 }.joined(separator: "\n") + "\n\n"
            if shown.isEmpty {
                out += "No drift found.\n"
            } else {
                out += "| " + keep.map { headers[$0] }.joined(separator: " | ") + " |\n"
                out += "|" + keep.map { _ in "---|" }.joined() + "\n"
                for f in shown {
                    out += "| " + keep.map { cells(f)[$0].markdownCell }.joined(separator: " | ") + " |\n"
                }
            }
            if let hidden = hiddenLine(all: all) { out += "\n" + hidden + "\n" }
            return out + "\n**" + verdict(failOn: failOn) + "**\n"
        case .json:
            var w = JSONWriter()
            w.object { w in
                w.string("format", "colprof.drift")
                w.int("format_version", UInt64(Self.formatVersion))
                w.string("base", base)
                w.string("new", new)
                w.int("base_row_count", baseRows)
                w.int("new_row_count", newRows)
                w.string("base_schema_fingerprint", baseFingerprint.description)
                w.string("new_schema_fingerprint", newFingerprint.description)
                w.bool("schema_identical", baseFingerprint == newFingerprint)
                w.string("severity", severity.description)
                w.string("fail_on", failOn.description)
                w.bool("passed", severity < failOn)
                w.array("failing_columns") { w in for c in columns(at: .fail) { w.string(nil, c) } }
                w.array("warning_columns") { w in for c in columns(at: .warn) { w.string(nil, c) } }
                if let worst {
                    w.object("worst") { w in
                        w.string("column", worst.column)
                        if let c = worst.chunk { w.int("chunk", c) }
                        w.string("metric", worst.metric)
                        w.double("value", worst.value)
                    }
                } else {
                    w.string("worst", nil)
                }
                w.array("notes") { w in for n in notes { w.string(nil, n) } }
                w.array("roles") { w in
                    for r in roles {
                        w.object { w in
                            w.string("column", r.column)
                            w.string("role", r.role.description)
                            w.string("origin", r.origin.description)
                        }
                    }
                }
                // Every check with its verdict, whatever the text report shows.
                w.array("findings") { w in
                    for f in findings {
                        w.object { w in
                            w.string("column", f.column)
                            if let c = f.chunk { w.int("chunk", c) }
                            w.string("metric", f.metric)
                            w.double("value", f.value)
                            w.double("warn", f.warn)
                            w.double("fail", f.fail)
                            w.string("severity", f.severity.description)
                            w.string("detail", f.detail)
                        }
                    }
                }
            }
            return w.text
        }
    }
}
