import Foundation
import TestSupport
import Testing

/// Runs the built binaries and compares their output with golden files in
/// Fixtures/cli. Set UPDATE_GOLDEN=1 to rewrite the golden files.
enum CLI {
    static let root = Paths.root

    static func binary(_ name: String) -> String { builtTool(name) }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ tool: String, _ args: [String], in dir: String, environment: [String: String] = [:]) throws -> Result {
        try runProcess(binary(tool), args, in: dir, environment: environment)
    }

    /// Runs any program (e.g. `/usr/bin/env python3 …`) in `dir`, with `environment` added to this process's.
    static func runProcess(_ executable: String, _ args: [String], in dir: String, environment: [String: String] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        var env = ProcessInfo.processInfo.environment
        env["COLUMNS"] = "100"
        env.merge(environment) { _, added in added }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// Replaces run-dependent numbers (time, throughput, memory, temp paths) with placeholders.
    static func mask(_ s: String, scratch: String) -> String {
        var t = s.replacingOccurrences(of: scratch, with: "$TMP")
        for (pattern, replacement) in [(#"in [0-9.]+ s"#, "in <t> s"), (#"→ [0-9.]+ (B|KiB|MiB|GiB) \([0-9.]+×\)"#, "→ <size> (<ratio>×)"), (#"[0-9.]+ MB/s"#, "<r> MB/s"), (#"peak RSS [0-9.]+ MiB"#, "peak RSS <m> MiB")] {
            t = t.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return t
    }

    static func golden(_ name: String, _ actual: String) throws -> (String, String) {
        let path = "\(root)/Fixtures/cli/\(name)"
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try actual.write(toFile: path, atomically: true, encoding: .utf8)
        }
        return (try String(contentsOfFile: path, encoding: .utf8), actual)
    }
}


@Suite("colconv, the built binary")
struct ColconvCLITests {
    @Test("--help lists every option with an example")
    func help() throws {
        let s = Scratch()
        let r = try CLI.run("colconv", ["--help"], in: s.path)
        #expect(r.status == 0)
        let (expected, actual) = try CLI.golden("colconv-help.txt", r.stdout)
        #expect(actual == expected)
        for option in ["--codec", "--level", "--chunk-rows", "--delimiter", "--quote", "--header", "--null-values", "--schema",
                       "--on-error", "--rejects", "--quiet"] {
            #expect(actual.contains(option), "\(option)")
        }
    }

    @Test("the summary line of a conversion, and --verbose decisions")
    func summary() throws {
        let s = Scratch()
        let r = try CLI.run("colconv", ["\(CLI.root)/Fixtures/demo/orders.csv", "\(s.path)/orders.col", "--verbose"], in: s.path)
        #expect(r.status == 0)
        #expect(r.stdout.isEmpty)
        let (expected, actual) = try CLI.golden("colconv-summary.txt", CLI.mask(r.stderr.replacingOccurrences(of: CLI.root, with: "$ROOT"), scratch: s.path))
        #expect(actual == expected)
        #expect(s.entries == ["orders.col"])
    }

    static let errorCases: [(String, [String])] = [
        ("ragged", ["ragged.csv", "out.col"]),
        ("after-quote", ["after-quote.csv", "out.col"]),
        ("unclosed", ["unclosed.csv", "out.col"]),
        ("latin1", ["latin1.csv", "out.col"]),
        ("long-field", ["long-field.csv", "out.col", "--max-field-bytes", "100"]),
        ("utf16-nobom", ["utf16-nobom.csv", "out.col"]),
        ("missing-input", ["does-not-exist.csv", "out.col"]),
        ("bad-option", ["ragged.csv", "out.col", "--codec", "brotli"]),
        ("unknown-schema-column", ["ragged.csv", "out.col", "--schema", "nope:int64"]),
        ("stdin-without-from", ["-", "out.col"]),
        ("json-syntax", ["broken.json", "out.col"]),
        ("json-csv-option", ["broken.json", "out.col", "--delimiter", ";"]),
    ]

    @Test("one located error of each kind: exit 2, no output file", arguments: errorCases)
    func errors(name: String, args: [String]) throws {
        let s = Scratch()
        for f in try FileManager.default.contentsOfDirectory(atPath: "\(CLI.root)/Fixtures/cli")
        where f.hasSuffix(".csv") || f.hasSuffix(".json") || f.hasSuffix(".ndjson") {
            try FileManager.default.copyItem(atPath: "\(CLI.root)/Fixtures/cli/\(f)", toPath: "\(s.path)/\(f)")
        }
        let before = s.entries
        let r = try CLI.run("colconv", args, in: s.path)
        #expect(r.status == 2)
        let (expected, actual) = try CLI.golden("error-\(name).txt", r.stderr)
        #expect(actual == expected)
        #expect(s.entries == before, "output left behind")
    }

    @Test("--on-error skip with a rejects file")
    func skipWithRejects() throws {
        let s = Scratch()
        try FileManager.default.copyItem(atPath: "\(CLI.root)/Fixtures/cli/ragged.csv", toPath: "\(s.path)/ragged.csv")
        let r = try CLI.run("colconv", ["ragged.csv", "out.col", "--on-error", "warn", "--rejects", "rejects.csv"], in: s.path)
        #expect(r.status == 0)
        let (expected, actual) = try CLI.golden("skip-stderr.txt", CLI.mask(r.stderr, scratch: s.path))
        #expect(actual == expected)
        let rejects = try String(contentsOfFile: "\(s.path)/rejects.csv", encoding: .utf8)
        #expect(rejects == "line,error,record\n3,\"expected 2 fields, found 3\",\"2,too,many\"\n")
        #expect(s.entries == ["out.col", "ragged.csv", "rejects.csv"])
    }

    @Test("JSON: --on-error warn skips bad lines, names them, and writes them to the rejects file")
    func jsonSkipWithRejects() throws {
        let s = Scratch()
        try FileManager.default.copyItem(atPath: "\(CLI.root)/Fixtures/cli/dirty.ndjson", toPath: "\(s.path)/dirty.ndjson")
        let r = try CLI.run("colconv", ["dirty.ndjson", "out.col", "--on-error", "warn", "--rejects", "rejects.csv"], in: s.path)
        #expect(r.status == 0)
        let (expected, actual) = try CLI.golden("json-skip-stderr.txt", CLI.mask(r.stderr, scratch: s.path))
        #expect(actual == expected)
        // The rejected records keep their bytes, invalid UTF-8 included.
        let rejects = try Data(contentsOf: URL(fileURLWithPath: "\(s.path)/rejects.csv"))
        let (e2, a2) = try CLI.golden("json-skip-rejects.csv", String(decoding: rejects, as: UTF8.self))
        #expect(a2 == e2)
        let back = try CLI.run("colconv", ["out.col", "-", "--to", "csv", "-q"], in: s.path)
        #expect(back.stdout == "id,city\n1,Paris\n3,Nice\n5,Lille\n")
    }

    @Test("JSON: nested objects flatten, a late key becomes a column, and NDJSON comes back flattened")
    func jsonFlattening() throws {
        let s = Scratch()
        let r = try CLI.run("colconv", ["\(CLI.root)/Fixtures/cli/events.ndjson", "events.col", "--verbose"], in: s.path)
        #expect(r.status == 0)
        let stderr = CLI.mask(r.stderr.replacingOccurrences(of: CLI.root, with: "$ROOT"), scratch: s.path)
        let (e1, a1) = try CLI.golden("json-flatten-stderr.txt", stderr)
        #expect(a1 == e1)
        let back = try CLI.run("colconv", ["events.col", "-", "--to", "ndjson", "-q"], in: s.path)
        #expect(back.status == 0)
        let (e2, a2) = try CLI.golden("json-flatten-out.ndjson", back.stdout)
        #expect(a2 == e2)
    }

    @Test("back-conversion to CSV and NDJSON, to a file and to stdout")
    func backConversion() throws {
        let s = Scratch()
        _ = try CLI.run("colconv", ["\(CLI.root)/Fixtures/cli/roundtrip.csv", "t.col", "-q"], in: s.path)
        let csv = try CLI.run("colconv", ["t.col", "-", "--to", "csv", "-q"], in: s.path)
        #expect(csv.status == 0)
        let (e1, a1) = try CLI.golden("roundtrip-out.csv", csv.stdout)
        #expect(a1 == e1)
        let nd = try CLI.run("colconv", ["t.col", "t.ndjson", "-q"], in: s.path)
        #expect(nd.status == 0)
        let (e2, a2) = try CLI.golden("roundtrip-out.ndjson", try String(contentsOfFile: "\(s.path)/t.ndjson", encoding: .utf8))
        #expect(a2 == e2)
    }
}
