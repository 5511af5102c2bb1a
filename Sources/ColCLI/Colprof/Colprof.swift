import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import ColBytes
import ColFormat
import ColProfile
import ColScan
import ColText

/// `colprof`: profiles .col files from their footers, gates on drift, and scans.
/// Exit status: 0 success (no failing drift), 1 drift fails the gate, 2 usage, I/O or corrupt input.
public struct Colprof: ParsableCommand {
    static let version = "0.1.0"

    /// The command's name, help text, version and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "colprof",
        abstract: "Profile .col files from their footers, estimate their memory, and gate on drift.",
        discussion: """
        Examples:
          colprof orders.col
          colprof parts/ --json
          colprof orders.col --columns price,city --layout swift
          colprof drift yesterday.col today.col --fail-on warn
          colprof drift orders.col
          colprof snapshot landing/ -o baseline.colprof
          colprof drift baseline.colprof today.col
          colprof scan orders.col --columns city,unit_price --where 'unit_price > 100 and city = "Paris"' --limit 5

        Exit status: 0 on success; 1 when drift fails the gate; 2 for usage, I/O or corrupt input.
        """,
        version: version,
        subcommands: [Profile.self, DriftCommand.self, SnapshotCommand.self, ScanCommand.self],
        defaultSubcommand: Profile.self)

    /// An empty command, for the argument parser to fill.
    public init() {}

    /// Runs colprof with the process's arguments and exits with its status.
    public static func main() {
        CommandRunner.main(Colprof.self, tool: "colprof")
    }
}

struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON (a versioned schema, docs/PROFILE.md).")
    var json = false

    @Flag(help: "Print Markdown.")
    var markdown = false

    @Option(help: ArgumentHelp("Only these columns. Example: --columns price,city", valueName: "a,b"))
    var columns: String?

    var format: ReportFormat { json ? .json : markdown ? .markdown : .table }

    var columnList: [String]? { columns.map { $0.split(separator: ",").map(String.init) } }

    func validate() throws {
        if json && markdown { throw ValidationError("choose one of --json and --markdown") }
    }
}

struct Profile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Profile .col files (or folders of them, merged) from their footers. The default subcommand.")

    @Argument(help: "The .col files or folders to profile as one dataset.")
    var paths: [String]

    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("The in-memory layout to estimate: arrow, arrow-large, arrow-dict, swift. Example: --layout swift",
                               valueName: "layout"))
    var layout: String = "arrow"

    @Option(help: ArgumentHelp("The memory available, instead of MemAvailable in /proc/meminfo. Example: --mem-available 8GiB",
                               valueName: "size"))
    var memAvailable: String?

    @Flag(help: "Print on stderr how long opening the footers, merging them and rendering the report took.")
    var timings = false

    @Option(help: ArgumentHelp("Also write the profile as one self-contained HTML page with plots (docs/PROFILE.md, \"HTML\"). Example: --html report.html",
                               valueName: "path"))
    var html: String?

    func run() throws {
        guard let layout = InMemoryLayout(rawValue: layout) else {
            throw UsageError("--layout takes \(InMemoryLayout.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let available: UInt64
        if let memAvailable {
            guard let v = parseSize(memAvailable) else { throw UsageError("--mem-available takes a size such as 8GiB or 512MiB") }
            available = v
        } else {
            available = LoadAdvice.availableMemory() ?? 0
        }
        let clock = ContinuousClock()
        let start = clock.now
        let parts = try ParquetInputs.parts(paths, tool: "colprof")
        let opened = clock.now
        let footerBytes = parts.reduce(0) { $0 + $1.reader.bytesRead }
        let dataset = try Dataset(parts: parts)
        let merged = clock.now
        let report = try ProfileReport(dataset: dataset, layout: layout, availableBytes: available, columns: output.columnList)
        if let html { try writeReport(try report.html(title: paths.joined(separator: " ")), to: html) }
        print(report.render(output.format), terminator: "")
        if timings {
            func ms(_ d: Duration) -> String {
                fixed(Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15, 1)
            }
            let sketchBytes = parts.reduce(0) { $0 + $1.reader.bytesRead } - footerBytes
            let columns = parts.reduce(0) { $0 + $1.reader.schema.columns.count }
            printError("timings: open \(parts.count) footer\(parts.count == 1 ? "" : "s") \(ms(opened - start)) ms (\(footerBytes) bytes read); "
                       + "merge \(columns) part columns \(ms(merged - opened)) ms (\(sketchBytes) bytes of sketches read); "
                       + "report \(ms(clock.now - merged)) ms")
        }
    }
}

struct DriftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Compare two .col files or folders (or each chunk of one file with the rest) for schema and distribution drift.")

    @Argument(help: "The reference: a .col file or a folder of them.")
    var base: String

    @Argument(help: "The new data; without it, each chunk of BASE is compared with the rest of BASE.")
    var new: String?

    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("The severity that fails the gate (exit 1): fail (the default) or warn. Example: --fail-on warn",
                               valueName: "level"))
    var failOn: String?

    @Option(help: ArgumentHelp("Change a threshold (repeatable). Example: --threshold psi.fail=0.3", valueName: "metric.level=value"))
    var threshold: [String] = []

    @Option(help: ArgumentHelp("Leave these columns out. Example: --exclude created_at,seq", valueName: "a,b"))
    var exclude: String?

    @Option(help: ArgumentHelp("Give a column a role, instead of the stored or inferred one (repeatable): key, event_time, partition, identifier or none. Example: --role seq=key",
                               valueName: "column=role"))
    var role: [String] = []

    @Option(help: ArgumentHelp("When BASE is a history: compare with its last N entries (default: all), and learn the thresholds from them. Example: --last 7",
                               valueName: "n"))
    var last: Int?

    @Option(help: ArgumentHelp("Roles, thresholds and exclusions per column (docs/PROFILE.md); default: colprof.toml beside BASE, if there is one. Example: --config gate.toml",
                               valueName: "path"))
    var config: String?

    @Flag(help: "Show every check, information included, not only those that warn or fail.")
    var all = false

    @Option(help: ArgumentHelp("Also write the report as one self-contained HTML page with plots; its banner matches the exit status. Example: --html drift.html",
                               valueName: "path"))
    var html: String?

    func run() throws {
        // Settings: the defaults, then colprof.toml, then the command line, which always wins.
        let settings = try DriftSettings(base: base, config: config, failOn: failOn, thresholds: threshold, roles: role,
                                         excluded: Set(exclude.map { $0.split(separator: ",").map(String.init) } ?? []))
        let file = settings.file
        let gate = settings.failOn
        var baseData = try ParquetInputs.dataset([base], tool: "colprof")
        var history: History?
        var notes: [String] = file.map { ["config: \($0.path)"] } ?? []
        if let last, last < 1 { throw UsageError("--last must be 1 or more") }
        if baseData.parts.count == 1, let only = baseData.parts.first, History.isHistory(only.reader) {
            let h = try History(path: only.path)
            let window = min(last ?? file?.last ?? h.count, h.count)
            baseData = h.window(last: window)
            history = h
            notes.append("base: the last \(window) of \(h.count) entries of the history \(base)"
                         + (window >= 3 && new != nil ? "; thresholds raised to their day-to-day variation" : ""))
        } else if last != nil {
            throw UsageError("--last needs a history as BASE (colprof snapshot DATA --append -o HISTORY)")
        }
        var report: DriftReport
        var newData: Dataset?
        if let new {
            let other = try ParquetInputs.dataset([new], tool: "colprof")
            newData = other
            report = try Drift.compare(base: baseData, new: other, baseName: base, newName: new, thresholds: settings.thresholds,
                                       columns: settings.columns(baseData, other, only: output.columnList), roles: settings.roles,
                                       columnThresholds: settings.columnThresholds)
            if let history {
                let window = min(last ?? file?.last ?? history.count, history.count)
                report.apply(learnt: history.learntThresholds(last: window, thresholds: settings.thresholds, roles: settings.roles),
                             thresholds: settings.thresholds, columnThresholds: settings.columnThresholds)
            }
        } else {
            report = try Drift.withinFile(baseData, name: base, thresholds: settings.thresholds,
                                          columns: settings.columns(baseData, only: output.columnList), roles: settings.roles,
                                          columnThresholds: settings.columnThresholds)
        }
        report.notes = notes
        if let html { try writeReport(report.html(base: baseData, new: newData, thresholds: settings.thresholds, failOn: gate), to: html) }
        print(report.render(output.format, all: all, failOn: gate), terminator: "")
        if report.severity >= gate { throw GateFailure() }
    }
}

struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Write the footer of .col files or folders (merged) as a small .col file without data: a baseline for drift.")

    @Argument(help: "The .col files or folders (or snapshots) to take the snapshot of, as one dataset.")
    var paths: [String]

    @Option(name: .shortAndLong, help: ArgumentHelp("The snapshot to write. Example: -o baseline.colprof", valueName: "path"))
    var output: String

    @Flag(help: "Add the data as one entry to the history OUTPUT (created when missing) instead of writing a snapshot.")
    var append = false

    @Option(help: ArgumentHelp("With --append: the entries a history keeps; older ones are dropped. Example: --keep 60", valueName: "n"))
    var keep: Int = 30

    @Option(help: ArgumentHelp("With --append: the entry's label (default: the paths given). Example: --label 2026-11-29", valueName: "text"))
    var label: String?

    func run() throws {
        if !append && (label != nil || keep != 30) { throw UsageError("--keep and --label go with --append") }
        let dataset = try ParquetInputs.dataset(paths, tool: "colprof")
        let tool = "colprof \(Colprof.version)"
        var st = stat()
        if append {
            try History.append(dataset, to: output, label: label ?? paths.joined(separator: " "), keep: keep, tool: tool,
                               exists: stat(output, &st) == 0)
            let history = try History(path: output)
            let size = stat(output, &st) == 0 ? UInt64(st.st_size) : 0
            print("\(output): history of \(history.count) entr\(history.count == 1 ? "y" : "ies") (keeps \(keep)), the last \(dataset.rowCount) rows × \(dataset.columns.count) columns, \(formatSize(size))")
            return
        }
        // A snapshot never replaces a file that holds data (the data would be lost).
        if stat(output, &st) == 0, let existing = try? ColFileReader(path: output), !existing.isSnapshot {
            throw ReportedFailure(message: "colprof: \(output) holds data; a snapshot does not replace it (choose another -o)")
        }
        try Snapshot.write(dataset, to: output, tool: tool)
        let size = stat(output, &st) == 0 ? UInt64(st.st_size) : 0
        print("\(output): snapshot of \(dataset.parts.count) file\(dataset.parts.count == 1 ? "" : "s"), \(dataset.rowCount) rows × \(dataset.columns.count) columns in \(dataset.chunkCount) chunks, \(formatSize(size))")
    }
}

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Read rows lazily: only the chosen columns of the parts and chunks a filter cannot rule out.",
        discussion: """
        A folder (or several files) is read as one dataset: its parts' schemas merge by column name,
        and parts whose statistics rule out the filter are skipped before any chunk is.
        """)

    @Argument(help: "The .col file, or a folder of .col parts (a dataset), or several of either.")
    var paths: [String]

    @Option(help: ArgumentHelp("The columns to print, in order (default: all). Example: --columns city,price", valueName: "a,b"))
    var columns: String?

    @Option(name: .customLong("where"),
            help: ArgumentHelp("A filter (docs/API.md). Example: --where 'price > 100 and city = \"Paris\"'", valueName: "filter"))
    var filter: String?

    @Option(help: ArgumentHelp("Stop after this many rows. Example: --limit 20", valueName: "n"))
    var limit: Int?

    @Option(help: ArgumentHelp("table, csv, ndjson, or none (decode every chosen column on every core and print only counts and timing). Example: --format csv", valueName: "format"))
    var format: String = "table"

    @Flag(help: "Print the plan and what was read (chunks pruned and read, bytes read against the file size) instead of rows.")
    var explain = false

    func run() throws {
        guard let output = ScanOutput.Format(rawValue: format) else { throw UsageError("--format takes table, csv, ndjson or none") }
        if let limit, limit < 0 { throw UsageError("--limit must be 0 or more") }
        if output == .none && limit != nil { throw UsageError("--format none decodes every matching row; --limit does not apply") }
        let source = paths.joined(separator: " ")
        let dataset: ColDataset
        do { dataset = try ColDataset(paths: paths) } catch {
            if case let .file(e) = error { throw ProfileError.unreadable(path: source, e) }
            throw ReportedFailure(message: "colprof: \(error)")
        }
        var predicate: RowFilter?
        if let filter {
            do { predicate = try RowFilter.parse(filter) } catch {
                if case let .syntax(message, at) = error {
                    throw ReportedFailure(message: "colprof: --where: \(message)\n  \(filter)\n  \(String(repeating: " ", count: at))^")
                }
                throw ReportedFailure(message: "colprof: --where: \(error)")
            }
        }
        do {
            let scan = try dataset.scan(columns: columns.map { $0.split(separator: ",").map(String.init) }, where: predicate,
                                       batchSize: 8192)
            reuseFreedMemoryForDecoding()
            // A failed write (a closed pipe) is ignored, as print() ignores it.
            if output == .none && !explain {
                let report = try ScanOutput.decodeAll(scan)
                _ = writeFully(1, Array(report.utf8))
                return
            }
            try ScanOutput.write(scan, source: source, format: output, limit: limit ?? .max, explain: explain) { _ = writeFully(1, $0) }
        } catch {
            // A file error names the path already; the others (an unknown column, a literal of the wrong type) do not.
            if case .file = error { throw ReportedFailure(message: "colprof: \(error)") }
            throw ReportedFailure(message: "colprof: \(source): \(error)")
        }
    }
}

/// Writes an HTML report atomically: the page appears whole or not at all.
/// (An `AtomicFile` that is not committed removes its data when it goes away.)
func writeReport(_ page: String, to path: String) throws {
    let file = try AtomicFile(path: path)
    try file.write(Array(page.utf8))
    try file.commit()
}
