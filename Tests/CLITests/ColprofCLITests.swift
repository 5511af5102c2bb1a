import ColFormat
import Foundation
import TestSupport
import Testing

@Suite("colprof, the built binary")
struct ColprofCLITests {
    /// Converts the fixtures named into `.col` files in a scratch folder (relative paths, so provenance is stable).
    func prepare(_ names: [String]) throws -> Scratch {
        let s = Scratch()
        for name in names {
            let source = name == "orders" ? "\(CLI.root)/Fixtures/demo/orders.csv" : "\(CLI.root)/Fixtures/cli/\(name).csv"
            try FileManager.default.copyItem(atPath: source, toPath: "\(s.path)/\(name).csv")
            let r = try CLI.run("colconv", ["\(name).csv", "\(name).col", "-q"], in: s.path)
            #expect(r.status == 0, "\(r.stderr)")
        }
        return s
    }

    /// Masks what changes from run to run: the files' creation times.
    func stable(_ text: String) -> String {
        let time = #"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"#
        return text.replacingOccurrences(of: #"(colconv [^ ]+ at )"# + time, with: "$1<time>", options: .regularExpression)
            .replacingOccurrences(of: #"("created_at": ")"# + time, with: "$1<time>", options: .regularExpression)
    }

    @Test("the profile as a table, JSON and Markdown", arguments: [
        ("profile-table.txt", ["orders.col", "--mem-available", "8GiB"]),
        ("profile.json", ["orders.col", "--json", "--mem-available", "8GiB"]),
        ("profile.md", ["orders.col", "--markdown", "--columns", "city,unit_price,paid", "--layout", "swift", "--mem-available", "1MiB"]),
    ])
    func profile(golden: String, args: [String]) throws {
        let s = try prepare(["orders"])
        let r = try CLI.run("colprof", args, in: s.path)
        #expect(r.status == 0, "\(r.stderr)")
        let (expected, actual) = try CLI.golden(golden, stable(r.stdout))
        #expect(actual == expected)
    }

    @Test("the JSON profile has the documented keys")
    func profileJSON() throws {
        let s = try prepare(["orders"])
        let r = try CLI.run("colprof", ["orders.col", "--json"], in: s.path)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        for key in ["format_version", "row_count", "schema_fingerprint", "columns", "memory"] { #expect(object[key] != nil, "\(key)") }
        let columns = try #require(object["columns"] as? [[String: Any]])
        for key in ["name", "type", "null_count", "min", "max", "distinct_count", "distinct_exact", "memory_bytes"] {
            #expect(columns.allSatisfy { $0[key] != nil }, "\(key)")
        }
        let memory = try #require(object["memory"] as? [String: Any])
        #expect(memory["estimated_bytes"] as? Int == columns.compactMap { $0["memory_bytes"] as? Int }.reduce(0, +))
    }

    @Test("drift: exit 0 with nothing to report, 1 when the gate fails, 2 for usage and corrupt input", arguments: [
        ("drift-same.txt", ["drift", "drift-base.col", "drift-same.col"], Int32(0)),
        ("drift-fail.txt", ["drift", "drift-base.col", "drift-new.col"], Int32(1)),
        ("drift-fail.md", ["drift", "drift-base.col", "drift-new.col", "--markdown"], Int32(1)),
        ("drift-fail.json", ["drift", "drift-base.col", "drift-new.col", "--json"], Int32(1)),
        ("drift-relaxed.txt", ["drift", "drift-base.col", "drift-new.col", "--exclude", "code,score",
                               "--threshold", "null_rate.fail=0.2"], Int32(0)),
        ("drift-warn-gate.txt", ["drift", "drift-base.col", "drift-new.col", "--exclude", "code,score",
                                 "--threshold", "null_rate.fail=0.2", "--fail-on", "warn"], Int32(1)),
        ("drift-usage.txt", ["drift", "drift-base.col", "drift-new.col", "--fail-on", "sometimes"], Int32(2)),
        ("drift-corrupt.txt", ["drift", "drift-base.col", "truncated.col"], Int32(2)),
        ("drift-missing.txt", ["drift", "drift-base.col", "nope.col"], Int32(2)),
    ])
    func drift(golden: String, args: [String], status: Int32) throws {
        let s = try prepare(["drift-base", "drift-same", "drift-new"])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: "\(s.path)/drift-same.col"))
        try bytes.prefix(bytes.count - 20).write(to: URL(fileURLWithPath: "\(s.path)/truncated.col"))
        let r = try CLI.run("colprof", args, in: s.path)
        #expect(r.status == status, "\(r.stderr)")
        let (expected, actual) = try CLI.golden(golden, stable(r.stdout + r.stderr))
        #expect(actual == expected)
    }

    @Test("scan: --explain on sorted data shows chunks pruned; rows as a table and CSV; a --where error points at its character", arguments: [
        ("scan-explain.txt", ["scan", "orders.col", "--columns", "order_id,city", "--where", "order_id >= 104000 and city = \"Lyon\"", "--explain"], Int32(0)),
        ("scan-table.txt", ["scan", "orders.col", "--columns", "order_id,city,unit_price", "--where", "order_id >= 104000 and city = \"Lyon\"", "--limit", "4"], Int32(0)),
        ("scan-csv.txt", ["scan", "orders.col", "--columns", "order_id,note", "--where", "note is not null and order_id < 100020", "--format", "csv"], Int32(0)),
        ("scan-where-error.txt", ["scan", "orders.col", "--where", "city = Lyon"], Int32(2)),
        ("scan-unknown-column.txt", ["scan", "orders.col", "--columns", "nope"], Int32(2)),
    ])
    func scan(golden: String, args: [String], status: Int32) throws {
        let s = Scratch()
        try FileManager.default.copyItem(atPath: "\(CLI.root)/Fixtures/demo/orders.csv", toPath: "\(s.path)/orders.csv")
        // 500-row chunks of data sorted by order_id, so a range on order_id prunes.
        _ = try CLI.run("colconv", ["orders.csv", "orders.col", "-q", "--chunk-rows", "500"], in: s.path)
        let r = try CLI.run("colprof", args, in: s.path)
        #expect(r.status == status, "\(r.stderr)")
        let (expected, actual) = try CLI.golden(golden, r.stdout + r.stderr)
        #expect(actual == expected)
    }

    @Test("snapshots and histories: a baseline without data gates like the data; a scan refuses it; --last needs a history")
    func snapshots() throws {
        let s = try prepare(["drift-base", "drift-same", "drift-new"])
        let snap = try CLI.run("colprof", ["snapshot", "drift-base.col", "-o", "base.colprof"], in: s.path)
        #expect(snap.status == 0, "\(snap.stderr)")
        #expect(snap.stdout.hasPrefix("base.colprof: snapshot of 1 file, 4000 rows × 5 columns in 1 chunks, "))
        let direct = try CLI.run("colprof", ["drift", "drift-base.col", "drift-new.col"], in: s.path)
        let viaSnapshot = try CLI.run("colprof", ["drift", "base.colprof", "drift-new.col"], in: s.path)
        #expect(direct.status == 1 && viaSnapshot.status == 1)
        #expect(viaSnapshot.stdout.replacingOccurrences(of: "base.colprof", with: "drift-base.col") == direct.stdout)
        let scan = try CLI.run("colprof", ["scan", "base.colprof"], in: s.path)
        #expect(scan.status == 2 && scan.stderr.contains("base.colprof: a snapshot holds the statistics and sketches of its data, not the data"))
        // A history of two runs, and a gate against it.
        for (i, name) in ["drift-base.col", "drift-same.col"].enumerated() {
            let r = try CLI.run("colprof", ["snapshot", name, "--append", "-o", "history.colprof", "--label", "run \(i + 1)"], in: s.path)
            #expect(r.status == 0 && r.stdout.hasPrefix("history.colprof: history of \(i + 1) entr"), "\(r.stderr)")
        }
        let gate = try CLI.run("colprof", ["drift", "history.colprof", "drift-new.col", "--last", "2"], in: s.path)
        #expect(gate.status == 1 && gate.stdout.contains("base: the last 2 of 2 entries of the history history.colprof"), "\(gate.stdout)")
        let usage = try CLI.run("colprof", ["drift", "drift-base.col", "drift-new.col", "--last", "2"], in: s.path)
        #expect(usage.status == 2 && usage.stderr.contains("--last needs a history as BASE"))
        let overData = try CLI.run("colprof", ["snapshot", "drift-new.col", "-o", "drift-base.col"], in: s.path)
        #expect(overData.status == 2 && overData.stderr.contains("drift-base.col holds data; a snapshot does not replace it"))
        #expect(try !ColFileReader(path: s.path + "/drift-base.col").isSnapshot)
        let notHistory = try CLI.run("colprof", ["snapshot", "drift-new.col", "--append", "-o", "base.colprof"], in: s.path)
        #expect(notHistory.status == 2 && notHistory.stderr.contains("base.colprof: not a history"))
    }

    @Test("colprof.toml beside the base sets thresholds and exclusions; the command line wins; a bad file is a located error", arguments: [
        ("drift-config.txt", "exclude = [\"code\", \"score\"]\n[thresholds]\n\"null_rate.fail\" = 0.2\n", [String](), Int32(0)),
        ("drift-config-cli.txt", "exclude = [\"code\", \"score\"]\n[thresholds]\n\"null_rate.fail\" = 0.2\n", ["--fail-on", "warn"], Int32(1)),
        ("drift-config-error.txt", "[columns.amount]\nrole = \"measure\"\n", [String](), Int32(2)),
    ])
    func config(golden: String, toml: String, extra: [String], status: Int32) throws {
        let s = try prepare(["drift-base", "drift-new"])
        try FileManager.default.createDirectory(atPath: s.path + "/gate", withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: s.path + "/drift-base.col", toPath: s.path + "/gate/drift-base.col")
        try toml.write(toFile: s.path + "/gate/colprof.toml", atomically: true, encoding: .utf8)
        let r = try CLI.run("colprof", ["drift", "gate/drift-base.col", "drift-new.col"] + extra, in: s.path)
        #expect(r.status == status, "\(r.stderr)")
        let (expected, actual) = try CLI.golden(golden, stable(r.stdout + r.stderr))
        #expect(actual == expected)
    }

    @Test("the nightly gate on three days of flights: ordinary days pass with no options, the storm fails on its delays only", arguments: [
        ("drift-daily-pass.txt", ["drift", "day1.col", "day2.col"], Int32(0)),
        ("drift-daily-storm.txt", ["drift", "day2.col", "day3.col"], Int32(1)),
        ("drift-daily-skipped.txt", ["drift", "day1.col", "day3.col"], Int32(1)),
        ("drift-daily-snapshot.txt", ["drift", "days.colprof", "day3.col"], Int32(1)),
        ("profile-daily.txt", ["days.colprof", "--columns", "flight_id,scheduled,flight_date,dep_delay,booking_ref", "--mem-available", "8GiB"],
         Int32(0)),
    ])
    func daily(golden: String, args: [String], status: Int32) throws {
        let s = Scratch()
        for n in 1...3 {
            try FileManager.default.copyItem(atPath: "\(CLI.root)/Fixtures/daily/day\(n).csv", toPath: "\(s.path)/day\(n).csv")
            let r = try CLI.run("colconv", ["day\(n).csv", "day\(n).col", "-q"], in: s.path)
            #expect(r.status == 0, "\(r.stderr)")
        }
        let snap = try CLI.run("colprof", ["snapshot", "day1.col", "day2.col", "-o", "days.colprof"], in: s.path)
        #expect(snap.status == 0, "\(snap.stderr)")
        let r = try CLI.run("colprof", args, in: s.path)
        #expect(r.status == status, "\(r.stderr)")
        let masked = stable(r.stdout + r.stderr)
            .replacingOccurrences(of: #"(snapshot at )[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"#, with: "$1<time>", options: .regularExpression)
        let (expected, actual) = try CLI.golden(golden, masked)
        #expect(actual == expected)
    }
}
