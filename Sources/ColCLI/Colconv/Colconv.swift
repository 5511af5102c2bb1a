#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import ColBytes
import ColFormat
import ColIngest
import ColParquet
import ColProfile
import ColText

/// `colconv`: converts CSV, TSV, JSON or NDJSON to .col, and .col back to text.
public struct Colconv: ParsableCommand {
    static let version = "0.1.0"

    /// The command's name, help text, version and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "colconv",
        abstract: "Convert CSV, TSV, JSON, NDJSON or Parquet to a .col file, or a .col file back to CSV, TSV, NDJSON or Parquet; or many inputs to a dataset folder of parts; or load into PostgreSQL.",
        discussion: """
        The formats come from the file extensions (.csv .tsv .txt .json .ndjson .jsonl .col .parquet); --from and --to override them.
        Parquet is written from a .col file or straight from CSV or JSON, and read into a .col file or
        straight to CSV, TSV or NDJSON; nested Parquet columns become dotted columns or json (docs/PARQUET.md).
        JSON input may be an array of records, one object, or NDJSON whatever its extension; nested objects
        become dotted columns (geo.lat) and arrays are stored as json text.
        '-' reads standard input or writes standard output and needs --from or --to.
        Several inputs, a folder or a quoted glob convert into a dataset folder: a part per input, named by
        its path and content, so a re-run converts only new or changed inputs (docs/SCALE.md).
        An output of postgresql://… loads the data into the table --table in one transaction, through
        binary COPY; the password comes from PGPASSWORD or ~/.pgpass (docs/POSTGRES.md).

        Examples:
          colconv orders.csv orders.col
          colconv orders.csv orders.col --codec lz4 --chunk-rows 100000
          colconv orders.col orders.parquet
          colconv lake/part-0.parquet part-0.col
          colconv lake/part-0.parquet - --to ndjson
          colconv 'landing/*.csv' dataset/ --shard 2/8
          colconv orders.col 'postgresql://loader@db/warehouse' --table orders --if-exists append --gate base.colprof
          colconv export.txt out.col --delimiter ';' --null-values NA,n/a
          colconv ids.csv ids.col --schema zip:string,amount:float64
          colconv dirty.csv clean.col --on-error skip --rejects rejects.csv
          colconv events.ndjson events.col --max-depth 2 --on-error skip
          colconv orders.col orders.ndjson
          cat orders.csv | colconv - orders.col --from csv

        Exit status: 0 on success; 1 when the drift check of --gate fails (nothing is loaded); 2 for usage, I/O or input errors (nothing is written then).
        """,
        version: version)

    @Argument(help: ArgumentHelp("The input file ('-' for standard input) and the output file ('-' for standard output); or inputs (files, folders, quoted globs) and a dataset folder.",
                                 valueName: "path"))
    var paths: [String] = []

    /// The input of a one-file conversion.
    var input: String { paths.first ?? "" }
    /// The output of a one-file conversion, or the dataset folder.
    var output: String { paths.last ?? "" }

    @Option(help: ArgumentHelp("The input format: csv, tsv, json, ndjson, col, parquet. Example: --from ndjson", valueName: "format"))
    var from: String?

    @Option(help: ArgumentHelp("The output format: col, csv, tsv, ndjson, parquet. Example: --to ndjson", valueName: "format"))
    var to: String?

    @Option(help: ArgumentHelp("Block compression: zstd, lz4 or none. Example: --codec lz4", valueName: "codec"))
    var codec: String = "zstd"

    @Option(help: ArgumentHelp("The zstd level, 1 to 22 (-7 to -1 are faster still). Example: --level 9", valueName: "n"))
    var level: Int32 = 3

    @Option(help: ArgumentHelp("Rows per chunk, at most. Example: --chunk-rows 100000", valueName: "n"))
    var chunkRows: Int = ConversionOptions().chunkRows

    @Option(help: ArgumentHelp("Bytes per chunk as read, at most (field bytes + 4 per value), so wide input stays in bounded memory. Example: --chunk-bytes 64MiB",
                               valueName: "size"))
    var chunkBytes: String = "16MiB"

    @Option(help: ArgumentHelp("The field delimiter (sniffed when absent): ',', ';', '\\t' or 'tab', '|', or any one byte. Example: --delimiter ';'", valueName: "char"))
    var delimiter: String?

    @Option(help: ArgumentHelp("The quote character, or 'none' (sniffed when absent). Example: --quote \"'\"", valueName: "char"))
    var quote: String?

    @Flag(inversion: .prefixedNo, help: "Whether the first row is a header (sniffed when absent). Example: --no-header")
    var header: Bool?

    @Option(help: ArgumentHelp("Comma-separated unquoted values that mean null, besides the empty field. Example: --null-values NA,n/a,null", valueName: "list"))
    var nullValues: String?

    @Option(help: ArgumentHelp("Types for named columns instead of inference: bool, int64, float64, string, date, timestamp. Example: --schema zip:string,price:float64", valueName: "name:type,…"))
    var schema: String?

    @Option(help: ArgumentHelp("What to do with a bad record: fail (stop with its location), skip, or warn (skip and report it). Example: --on-error skip", valueName: "policy"))
    var onError: String = "fail"

    @Option(help: ArgumentHelp("Write rejected records here as CSV (line, error, record). Example: --rejects rejects.csv", valueName: "file"))
    var rejects: String?

    @Option(help: ArgumentHelp("The largest field (CSV) or record (JSON) accepted, in bytes. Example: --max-field-bytes 1048576", valueName: "n"))
    var maxFieldBytes: Int = CSVOptions().maxFieldBytes

    @Option(help: ArgumentHelp("JSON: joins the keys of a flattened path. Example: --flatten-separator _", valueName: "text"))
    var flattenSeparator: String = JSONOptions().flattenSeparator

    @Option(help: ArgumentHelp("JSON: flatten objects at most this many keys deep and keep deeper objects whole as json (0: no limit). Example: --max-depth 2", valueName: "n"))
    var maxDepth: Int = JSONOptions().maxDepth

    @Option(help: ArgumentHelp("JSON: the deepest nesting of arrays and objects accepted. Example: --max-nesting 1000", valueName: "n"))
    var maxNesting: Int = JSONOptions().maxNesting

    @Option(help: ArgumentHelp("JSON: the most columns the conversion may create. Example: --max-columns 50000", valueName: "n"))
    var maxColumns: Int = JSONOptions().maxColumns

    @Option(help: ArgumentHelp("Invalid UTF-8: fail (a located error, the default) or replace (with U+FFFD). Example: --invalid-utf8 replace", valueName: "policy"))
    var invalidUtf8: String = "fail"

    @Option(help: ArgumentHelp("CSV and NDJSON: threads that parse the input at once (default: one per core; for CSV from 3 cores, else 1); the file written is the same. Example: --read-threads 8", valueName: "n"))
    var readThreads: Int?

    @Option(help: ArgumentHelp("Declare a column's role instead of inferring it (repeatable): key, event_time, partition, identifier or none. Example: --role seq=key",
                               valueName: "column=role"))
    var role: [String] = []

    @Flag(help: "Datasets: convert every input again, even those whose part is up to date.")
    var force = false

    @Option(help: ArgumentHelp("Datasets: convert only share i of n of the sorted inputs (1-based), or auto (Slurm's SLURM_ARRAY_TASK_ID and _COUNT) or auto/n (Kubernetes' JOB_COMPLETION_INDEX). Example: --shard 2/8",
                               valueName: "i/n"))
    var shard: String?

    @Option(help: ArgumentHelp("Datasets: files converted at once (default: one per core when the inputs average under 64 MiB, else 1). Example: --jobs 4",
                               valueName: "n"))
    var jobs: Int?

    @Flag(help: "Parquet output: leave the profile (col.profile) and the snapshot (col.snapshot) out of the key-value metadata, so colprof must read the data; they take about 3–6 KiB per column.")
    var noParquetProfile = false

    @Option(help: ArgumentHelp("PostgreSQL: the table to load into, name or schema.name (docs/POSTGRES.md). Example: --table orders", valueName: "name"))
    var table: String?

    @Option(help: ArgumentHelp("PostgreSQL: when the table exists, fail (the default), append to it (its columns must fit), or replace it. Example: --if-exists append",
                               valueName: "policy"))
    var ifExists: String?

    @Flag(help: "PostgreSQL: declare NOT NULL on a new table's columns that have no nulls in the data.")
    var notNullFromData = false

    @Option(help: ArgumentHelp("PostgreSQL: check drift against this baseline (a .col file, folder or snapshot) first, and load nothing when it fails (exit 1). Example: --gate baseline.colprof",
                               valueName: "path"))
    var gate: String?

    @Flag(name: .shortAndLong, help: "Print no progress bar and no summary.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Also print the dialect and type decisions.")
    var verbose = false

    /// An empty command, for the argument parser to fill.
    public init() {}

    /// Runs colconv with the process's arguments and exits with its status.
    public static func main() {
        installInterruptHandler()
        CommandRunner.main(Colconv.self, tool: "colconv")
    }

    /// Converts as the flags say (ArgumentParser calls this after parsing).
    public mutating func run() throws {
        guard paths.count >= 2 else { throw UsageError("give an input and an output (or inputs and a dataset folder)") }
        if Self.isPostgres(output) {
            return try loadIntoPostgres()
        }
        if table != nil || ifExists != nil || notNullFromData || gate != nil {
            throw UsageError("--table, --if-exists, --not-null-from-data and --gate apply to a load into PostgreSQL (an output of postgresql://…)")
        }
        if isDatasetConversion {
            return try convertDataset()
        }
        guard force == false, shard == nil, jobs == nil else {
            throw UsageError("--force, --shard and --jobs apply to datasets: several inputs, a folder or a glob, into a folder")
        }
        let inFormat = try format(for: input, given: from, role: "input")
        let outFormat = try format(for: output, given: to, role: "output")
        switch (inFormat, outFormat) {
        case ("col", "col"):
            throw UsageError("the input is already a .col file")
        case ("parquet", "col"):
            var options = WriterOptions()
            guard let c = Codec(name: codec) else { throw UsageError("--codec takes zstd, lz4 or none") }
            options = WriterOptions(codec: c, level: level)
            let summary = try ParquetImport.convert(input: input, output: output, options: options, tool: "colconv \(Self.version)")
            for note in summary.notes where !quiet { printError("colconv: note: \(note)") }
            if !quiet { printError("\(summary.rows) rows in \(summary.rowGroups) row groups imported to \(output)") }
        case ("parquet", let f) where ["csv", "tsv", "ndjson"].contains(f):
            // Through a temporary .col file, unlinked as soon as it is open: memory stays bounded by a row group.
            let staging = try ParquetInputs.temporaryPath()
            defer { unlink(staging) }
            let summary = try ParquetImport.convert(input: input, output: staging, tool: "colconv \(Self.version)")
            for note in summary.notes where !quiet { printError("colconv: note: \(note)") }
            let reader = try ColFileReader(path: staging)
            unlink(staging)
            reuseFreedMemoryForDecoding()
            let rows = try ColExporter.export(reader, output: output,
                                              format: f == "ndjson" ? .ndjson : .delimited(delimiter: f == "tsv" ? 0x09 : UInt8(ascii: ",")))
            if !quiet { printError("\(rows) rows written to \(output)") }
        case ("parquet", _):
            throw UsageError("Parquet converts to .col, CSV, TSV or NDJSON")
        case ("col", "parquet"):
            reuseFreedMemoryForDecoding()
            try exportParquet(from: input, to: output, printSummary: !quiet)
        case (_, "parquet"):
            // Through a .col file beside the output (bounded memory, as any conversion), removed after.
            guard output != "-" else { throw UsageError("Parquet is written to a file, not to standard output") }
            let staging = Self.stagingPath(for: output)
            defer { unlink(staging) }
            let clock = ContinuousClock()
            let start = clock.now
            var summary = try convertToCol(format: inFormat, to: staging, printSummary: false)
            reuseFreedMemoryForDecoding()
            let written = try exportParquet(from: staging, to: output, printSummary: false, removeSource: true, shownAs: input)
            // One line for the whole conversion, with the Parquet file's size.
            let elapsed = clock.now - start
            summary.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            summary.outputBytes = written.bytes
            summary.peakRSS = peakResidentBytes()
            if !quiet { printError(summary.line(unit: "row group") + ", written as Parquet") }
        case ("col", let f):
            reuseFreedMemoryForDecoding()
            let rows = try ColExporter.export(input: input, output: output,
                                              format: f == "ndjson" ? .ndjson : .delimited(delimiter: f == "tsv" ? 0x09 : UInt8(ascii: ",")))
            if !quiet { printError("\(rows) rows written to \(output)") }
        case (_, "col"):
            try convertToCol(format: inFormat, to: output, printSummary: !quiet)
        default:
            throw UsageError("cannot convert \(inFormat) to \(outFormat): one side must be .col")
        }
    }

    func format(for path: String, given: String?, role: String) throws -> String {
        if let given {
            let known = ["csv", "tsv", "txt", "col", "ndjson", "jsonl", "json", "parquet"]
            guard known.contains(given) else { throw UsageError("unknown \(role) format '\(given)' (\(known.joined(separator: ", ")))") }
            return given == "txt" ? "csv" : (given == "jsonl" ? "ndjson" : given)
        }
        if path == "-" { throw UsageError("'-' as \(role) needs --\(role == "input" ? "from" : "to")") }
        let ext = path.split(separator: ".").last.map(String.init)?.lowercased() ?? ""
        switch ext {
        case "csv", "txt": return "csv"
        case "tsv", "tab": return "tsv"
        case "col": return "col"
        case "ndjson", "jsonl": return "ndjson"
        case "json": return "json"
        case "parquet": return "parquet"
        default:
            throw UsageError("cannot tell the \(role) format of '\(path)' from its extension; use --\(role == "input" ? "from" : "to")")
        }
    }

    func byte(_ s: String, option: String) throws -> UInt8 {
        switch s {
        case "\\t", "tab", "\t": return 0x09
        default:
            let b = Array(s.utf8)
            guard b.count == 1 else { throw UsageError("--\(option) takes one byte, not '\(s)'") }
            return b[0]
        }
    }

    /// A hidden file name beside `path`, for the .col file a conversion to Parquet goes through.
    static func stagingPath(for path: String) -> String {
        let slash = path.utf8.lastIndex(of: 0x2F)
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return folder + ".\(name).\(getpid()).col"
    }

    /// Writes the .col file `source` as Parquet, with its profile in the key-value metadata.
    @discardableResult
    func exportParquet(from source: String, to path: String, printSummary: Bool, removeSource: Bool = false,
                       shownAs: String? = nil) throws -> ParquetSummary {
        var options = ParquetOptions()
        switch codec {
        case "zstd": options.codec = .zstd
        case "none": options.codec = .uncompressed
        default: throw UsageError("Parquet is written with --codec zstd (the default) or none")
        }
        options.level = Int32(clamping: level)
        options.createdBy = "colconv version \(Self.version)"
        var dataset = try Dataset(paths: [source])
        // The file stays open: a staged .col file is unlinked at once, so that an interrupted export leaves nothing.
        if removeSource { unlink(source) }
        guard dataset.parts.count == 1, let reader = dataset.parts.first?.reader else {
            throw UsageError("\(source) is a folder; Parquet is written from one .col file")
        }
        options.keyValues = [("col.schema_fingerprint", reader.schema.fingerprint.description)]
        if !noParquetProfile {
            // A staged .col file is named by the input it was converted from.
            if let shownAs { dataset = try Dataset(parts: [DatasetPart(path: shownAs, reader: reader)]) }
            let profile = try ProfileReport(dataset: dataset, layout: .arrow, availableBytes: 0).render(.json)
            // The snapshot of the .col file, so that colprof answers from this file's footer alone (docs/PARQUET.md).
            let snapshot = try ParquetInputs.temporaryPath()
            defer { unlink(snapshot) }
            try Snapshot.write(dataset, to: snapshot, tool: "colconv \(Self.version)")
            let file = try RandomAccessFile(path: snapshot)
            let snapshotBytes = try file.read(at: 0, count: file.size)
            options.keyValues += [("col.profile", profile), (ParquetInputs.snapshotKey, Base64.encode(snapshotBytes))]
        }
        let summary = try ParquetExport.write(reader, to: path, options: options)
        if printSummary { printError("\(summary.rows) rows in \(summary.rowGroups) row group\(summary.rowGroups == 1 ? "" : "s") written to \(path) (\(formatSize(UInt64(summary.bytes))))") }
        return summary
    }

    @discardableResult
    func convertToCol(format: String, to destination: String, printSummary: Bool) throws -> ConversionSummary {
        let isJSON = format == "json" || format == "ndjson"
        var csv = CSVOptions()
        var json = JSONOptions()
        if isJSON {
            let csvOnly = [("--delimiter", delimiter != nil), ("--quote", quote != nil), ("--header", header != nil),
                           ("--null-values", nullValues != nil), ("--schema", schema != nil)]
            if let given = csvOnly.first(where: { $0.1 }) { throw UsageError("\(given.0) applies to CSV input, not JSON") }
            json.flattenSeparator = flattenSeparator
            json.maxDepth = maxDepth
            json.maxNesting = maxNesting
            guard maxColumns > 0, maxColumns <= Layout.maxColumns else {
                throw UsageError("--max-columns takes 1 to \(Layout.maxColumns), the most a .col file holds")
            }
            json.maxColumns = maxColumns
            json.emptyIsTable = format == "ndjson"
        }
        let tsv = format == "tsv"
        csv.delimiter = try delimiter.map { try byte($0, option: "delimiter") } ?? (tsv ? 0x09 : nil)
        if let quote { csv.quote = quote == "none" ? .some(nil) : .some(try byte(quote, option: "quote")) }
        for (option, b) in [("delimiter", csv.delimiter), ("quote", csv.quote ?? nil)] {
            if let b, b == 0x0A || b == 0x0D { throw UsageError("--\(option) cannot be a line break") }
        }
        if let d = csv.delimiter, d == (csv.quote ?? UInt8(ascii: "\"")) {
            throw UsageError("--delimiter and the quote are both '\(Character(Unicode.Scalar(d)))'; choose another --delimiter or --quote")
        }
        csv.header = header
        csv.nullValues = nullValues.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) } ?? []
        if let schema {
            for item in schema.split(separator: ",") {
                let parts = item.split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2, let type = LogicalType(name: parts[1]), type != .null, type != .json else {
                    throw UsageError("--schema takes name:type pairs with types bool, int64, float64, string, date, timestamp; got '\(item)'")
                }
                csv.schemaOverrides[parts[0]] = type
            }
        }
        guard maxFieldBytes > 0, maxFieldBytes <= 1 << 30 else { throw UsageError("--max-field-bytes takes 1 to 1073741824 (1 GiB)") }
        csv.maxFieldBytes = maxFieldBytes
        if let readThreads {
            guard (1...1024).contains(readThreads) else { throw UsageError("--read-threads takes 1 to 1024") }
            csv.readThreads = readThreads
            json.readThreads = readThreads
        }
        guard let utf8 = InvalidUTF8Policy(rawValue: invalidUtf8) else { throw UsageError("--invalid-utf8 takes fail or replace") }
        csv.invalidUTF8 = utf8
        json.invalidUTF8 = utf8
        json.maxRecordBytes = maxFieldBytes

        var options = ConversionOptions()
        guard let codec = Codec(name: codec) else { throw UsageError("--codec takes zstd, lz4 or none") }
        guard (-7...22).contains(level) else { throw UsageError("--level takes 1 to 22 (or -7 to -1, faster); got \(level)") }
        options.writer = WriterOptions(codec: codec, level: level)
        guard chunkRows > 0, chunkRows <= Layout.maxChunkRows else {
            throw UsageError("--chunk-rows takes 1 to \(Layout.maxChunkRows), the most rows a chunk holds")
        }
        options.chunkRows = chunkRows
        do { options.roles = try Drift.roleOverrides(role) } catch { throw UsageError(error.description) }
        // At most 1 GiB, like a field: a column's bytes in one chunk then stay under the 2 GiB
        // block limit (Layout.maxBlockBytes) and the 32-bit offsets of its raw fields.
        guard let bytes = parseSize(chunkBytes), bytes >= 1 << 16, bytes <= 1 << 30 else {
            throw UsageError("--chunk-bytes takes a size from 64KiB to 1GiB, such as 16MiB")
        }
        options.chunkBytes = Int(bytes)
        guard let policy = ErrorPolicy(rawValue: onError) else { throw UsageError("--on-error takes fail, skip or warn") }
        options.onError = policy
        options.rejectsPath = rejects
        options.tool = "colconv \(Self.version)"
        options.recordedOptions = recordedOptions()
        options.warning = { printError("colconv: warning: \($0)") }
        options.settingName = FlagNames.flag
        let showProgress = !quiet && isatty(2) == 1
        if showProgress { options.progress = { ProgressBar.draw($0) } }

        // "-", a FIFO or a device is staged in an unnamed file and copied at the end (the footer is written last).
        let summary = isJSON ? try JSONConverter.convert(input: input, output: destination, json: json, options: options)
            : try CSVConverter.convert(input: input, output: destination, csv: csv, options: options)
        if showProgress { ProgressBar.clear() }
        if verbose {
            for d in summary.decisions { printError("  \(d.subject): \(d.decision)") }
        }
        if printSummary { printError(summary.line) }
        return summary
    }

    func recordedOptions() -> [(key: String, value: String)] {
        var o: [(key: String, value: String)] = [("codec", codec), ("level", String(level)), ("chunk-rows", String(chunkRows)), ("chunk-bytes", chunkBytes),
                                                  ("on-error", onError)]
        if let delimiter { o.append(("delimiter", delimiter)) }
        if let quote { o.append(("quote", quote)) }
        if let header { o.append(("header", header ? "yes" : "no")) }
        if let nullValues { o.append(("null-values", nullValues)) }
        if let schema { o.append(("schema", schema)) }
        if invalidUtf8 != "fail" { o.append(("invalid-utf8", invalidUtf8)) }
        if !role.isEmpty { o.append(("role", role.joined(separator: ","))) }
        let defaults = JSONOptions()
        if flattenSeparator != defaults.flattenSeparator { o.append(("flatten-separator", flattenSeparator)) }
        if maxDepth != defaults.maxDepth { o.append(("max-depth", String(maxDepth))) }
        if maxNesting != defaults.maxNesting { o.append(("max-nesting", String(maxNesting))) }
        if maxColumns != defaults.maxColumns { o.append(("max-columns", String(maxColumns))) }
        return o
    }
}
