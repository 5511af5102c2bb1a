#if canImport(Glibc)
import Glibc
#endif
import ColFormat
import ColIngest
import ColParquet
import ColPostgres
import ColProfile
import ColText

// `colconv DATA 'postgresql://…' --table T`: a .col file, or any input colconv
// reads (converted first into a temporary .col file in $TMPDIR, unlinked at
// once, so memory stays bounded by a chunk), loaded in one transaction
// (docs/POSTGRES.md). With --gate, the drift check runs first and nothing is
// sent when it fails.

extension Colconv {
    /// True for an output that names a PostgreSQL database.
    static func isPostgres(_ output: String) -> Bool {
        output.hasPrefix("postgresql://") || output.hasPrefix("postgres://") || output.hasPrefix("postgresql:") && !output.contains("/")
    }

    func loadIntoPostgres() throws {
        guard paths.count == 2 else { throw UsageError("a load into PostgreSQL takes one input (a file) and the connection URI") }
        guard let table, !table.isEmpty else { throw UsageError("a load into PostgreSQL needs --table NAME") }
        guard let policy = IfExists(rawValue: ifExists ?? "fail") else { throw UsageError("--if-exists takes fail, append or replace") }
        let clock = ContinuousClock()
        let start = clock.now
        // The data as a .col file: the input itself, or a temporary conversion of it.
        let inFormat = try format(for: input, given: from, role: "input")
        let reader: ColFileReader
        if inFormat == "col" {
            do { reader = try ColFileReader(path: input) } catch { throw ProfileError.unreadable(path: input, error) }
        } else {
            let staging = try ParquetInputs.temporaryPath()
            defer { unlink(staging) }
            if inFormat == "parquet" {
                _ = try ParquetImport.convert(input: input, output: staging, tool: "colconv \(Self.version)")
            } else {
                try convertToCol(format: inFormat, to: staging, printSummary: false)
            }
            reader = try ColFileReader(path: staging)
        }
        if let gate {
            // As `colprof drift GATE INPUT`: colprof.toml beside the baseline sets thresholds, roles and exclusions.
            let settings = try DriftSettings(base: gate, config: nil, failOn: nil, thresholds: [], roles: [], excluded: [])
            let base = try ParquetInputs.dataset([gate], tool: "colconv")
            let new = try Dataset(parts: [DatasetPart(path: input, reader: reader)])
            var report = try Drift.compare(base: base, new: new, baseName: gate, newName: input, thresholds: settings.thresholds,
                                           columns: settings.columns(base, new, only: nil), roles: settings.roles,
                                           columnThresholds: settings.columnThresholds)
            report.notes = settings.file.map { ["config: \($0.path)"] } ?? []
            if report.severity >= settings.failOn {
                print(report.render(.table, all: false, failOn: settings.failOn), terminator: "")
                printError("colconv: the drift gate failed; nothing was loaded into \(table)")
                throw GateFailure()
            }
            if !quiet { printError("gate: \(gate) → \(input): \(report.severity == .ok ? "pass" : "pass with warnings")") }
        }
        var options = PostgresLoadOptions(table: table)
        options.ifExists = policy
        options.notNullFromData = notNullFromData
        reuseFreedMemoryForDecoding()
        let total = reader.rowCount
        let showProgress = !quiet && isatty(2) == 1
        let summary = try PostgresLoader.load(reader, into: output, options: options) { rows in
            guard showProgress else { return }
            let share = total > 0 ? Int(Double(rows) / Double(total) * 100) : 100
            let line = "\r\u{1B}[2K  \(rows) of \(total) rows sent  \(share)%"
            _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, line.utf8.count) }
        }
        if showProgress { ProgressBar.clear() }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if !quiet {
            let rate = seconds > 0 ? Double(summary.bytes) / seconds / 1e6 : 0
            printError("\(summary.rows) rows loaded into \(summary.table) (\(summary.action)) in \(fixed(seconds, 2)) s, "
                       + "\(formatSize(summary.bytes)) sent as binary COPY (\(fixed(rate, 1)) MB/s), peak RSS \(formatSize(UInt64(peakResidentBytes())))")
        }
    }
}
