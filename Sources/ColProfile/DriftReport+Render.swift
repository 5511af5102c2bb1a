import ColFormat
import ColText

extension DriftReport {
    /// The version of the drift `--json` schema (docs/PROFILE.md, "JSON").
    public static let formatVersion = 1

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

    func headline() -> [String] {
        let same = baseFingerprint == newFingerprint
        var lines: [String] = []
        if base == new {
            lines.append("drift inside \(base): each chunk against the rest of the file (\(baseRows) rows)")
        } else {
            lines.append("drift: \(base) (\(baseRows) rows, schema \(baseFingerprint)) → \(new) (\(newRows) rows, schema \(newFingerprint))")
            lines.append(same ? "schema: identical fingerprints" : "schema: fingerprints differ")
        }
        return lines
    }

    func verdict(failOn: Severity) -> String {
        let fails = findings.filter { $0.severity == .fail }.count
        let warns = findings.filter { $0.severity == .warn }.count
        let gate = severity >= failOn ? "FAIL" : "PASS"
        return "result: \(gate) (\(fails) failing, \(warns) warning, \(findings.count - fails - warns) ok; gate: --fail-on \(failOn))"
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
            var out = headline().joined(separator: "\n") + "\n\n"
            if shown.isEmpty {
                out += "no drift found\n"
            } else {
                out += TextTable(headers: keep.map { headers[$0] }, rows: shown.map { f in keep.map { cells(f)[$0] } },
                                 rightAligned: Set(keep.enumerated().filter { [1, 3, 4, 5].contains($0.element) }.map(\.offset))).render()
            }
            return out + "\n" + verdict(failOn: failOn) + "\n"
        case .markdown:
            var out = "# Drift report\n\n" + headline().map { "- " + $0 }.joined(separator: "\n") + "\n\n"
            if shown.isEmpty {
                out += "No drift found.\n"
            } else {
                out += "| " + keep.map { headers[$0] }.joined(separator: " | ") + " |\n"
                out += "|" + keep.map { _ in "---|" }.joined() + "\n"
                for f in shown {
                    out += "| " + keep.map { cells(f)[$0].markdownCell }.joined(separator: " | ") + " |\n"
                }
            }
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
                w.array("findings") { w in
                    for f in shown {
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
