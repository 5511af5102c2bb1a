import ArgumentParser
import ColFormat
import ColText
import ColIngest
#if canImport(Glibc)
import Glibc
#endif

@main
struct Colconv: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "colconv",
        abstract: "Convert CSV, TSV, JSON or NDJSON to a .col file, or a .col file back to CSV, TSV or NDJSON.",
        discussion: """
        The formats come from the file extensions (.csv .tsv .txt .json .ndjson .jsonl .col); --from and --to override them.
        JSON input may be an array of records, one object, or NDJSON whatever its extension; nested objects
        become dotted columns (geo.lat) and arrays are stored as json text.
        '-' reads standard input or writes standard output and needs --from or --to.

        Examples:
          colconv orders.csv orders.col
          colconv orders.csv orders.col --codec lz4 --chunk-rows 100000
          colconv export.txt out.col --delimiter ';' --null-values NA,n/a
          colconv ids.csv ids.col --schema zip:string,amount:float64
          colconv dirty.csv clean.col --on-error skip --rejects rejects.csv
          colconv events.ndjson events.col --max-depth 2 --on-error skip
          colconv orders.col orders.ndjson
          cat orders.csv | colconv - orders.col --from csv

        Exit status: 0 on success; 2 for usage, I/O or input errors (nothing is written then).
        """,
        version: version)

    @Argument(help: "The input file, or '-' for standard input.")
    var input: String

    @Argument(help: "The output file, or '-' for standard output.")
    var output: String

    @Option(help: ArgumentHelp("The input format: csv, tsv, json, ndjson, col. Example: --from ndjson", valueName: "format"))
    var from: String?

    @Option(help: ArgumentHelp("The output format: col, csv, tsv, ndjson. Example: --to ndjson", valueName: "format"))
    var to: String?

    @Option(help: ArgumentHelp("Block compression: zstd, lz4 or none. Example: --codec lz4", valueName: "codec"))
    var codec: String = "zstd"

    @Option(help: ArgumentHelp("The zstd level, 1 to 19 (negative is faster). Example: --level 9", valueName: "n"))
    var level: Int32 = 3

    @Option(help: ArgumentHelp("Rows per chunk. Example: --chunk-rows 100000", valueName: "n"))
    var chunkRows: Int = 65_536

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
    var maxFieldBytes: Int = 64 << 20

    @Option(help: ArgumentHelp("JSON: joins the keys of a flattened path. Example: --flatten-separator _", valueName: "text"))
    var flattenSeparator: String = "."

    @Option(help: ArgumentHelp("JSON: flatten objects at most this many keys deep and keep deeper objects whole as json (0: no limit). Example: --max-depth 2", valueName: "n"))
    var maxDepth: Int = 0

    @Option(help: ArgumentHelp("JSON: the deepest nesting of arrays and objects accepted. Example: --max-nesting 1000", valueName: "n"))
    var maxNesting: Int = 512

    @Option(help: ArgumentHelp("JSON: the most columns the conversion may create. Example: --max-columns 50000", valueName: "n"))
    var maxColumns: Int = 10_000

    @Option(help: ArgumentHelp("Invalid UTF-8: fail (a located error, the default) or replace (with U+FFFD). Example: --invalid-utf8 replace", valueName: "policy"))
    var invalidUtf8: String = "fail"

    @Flag(name: .shortAndLong, help: "Print no progress bar and no summary.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Also print the dialect and type decisions.")
    var verbose = false

    static func main() {
        installInterruptHandler()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let e as IngestError {
            printError("colconv: \(e)")
            Glibc.exit(2)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Glibc.exit(0)
            }
            printError(fullMessage(for: error))
            Glibc.exit(2)
        }
    }

    mutating func run() throws {
        let inFormat = try format(for: input, given: from, role: "input")
        let outFormat = try format(for: output, given: to, role: "output")
        switch (inFormat, outFormat) {
        case ("col", "col"):
            throw IngestError.usage("the input is already a .col file")
        case ("col", let f):
            let rows = try ColExporter.export(input: input, output: output,
                                              format: f == "ndjson" ? .ndjson : .delimited(delimiter: f == "tsv" ? 0x09 : UInt8(ascii: ",")))
            if !quiet { printError("\(rows) rows written to \(output)") }
        case (_, "col"):
            try convertToCol(format: inFormat)
        default:
            throw IngestError.usage("cannot convert \(inFormat) to \(outFormat): one side must be .col")
        }
    }

    func format(for path: String, given: String?, role: String) throws -> String {
        if let given {
            let known = ["csv", "tsv", "txt", "col", "ndjson", "jsonl", "json"]
            guard known.contains(given) else { throw IngestError.usage("unknown \(role) format '\(given)' (\(known.joined(separator: ", ")))") }
            return given == "txt" ? "csv" : (given == "jsonl" ? "ndjson" : given)
        }
        if path == "-" { throw IngestError.usage("'-' as \(role) needs --\(role == "input" ? "from" : "to")") }
        let ext = path.split(separator: ".").last.map(String.init)?.lowercased() ?? ""
        switch ext {
        case "csv", "txt": return "csv"
        case "tsv", "tab": return "tsv"
        case "col": return "col"
        case "ndjson", "jsonl": return "ndjson"
        case "json": return "json"
        default:
            throw IngestError.usage("cannot tell the \(role) format of '\(path)' from its extension; use --\(role == "input" ? "from" : "to")")
        }
    }

    func byte(_ s: String, option: String) throws -> UInt8 {
        switch s {
        case "\\t", "tab", "\t": return 0x09
        default:
            let b = Array(s.utf8)
            guard b.count == 1 else { throw IngestError.usage("--\(option) takes one byte, not '\(s)'") }
            return b[0]
        }
    }

    func convertToCol(format: String) throws {
        let isJSON = format == "json" || format == "ndjson"
        var csv = CSVOptions()
        var json = JSONOptions()
        if isJSON {
            let csvOnly = [("--delimiter", delimiter != nil), ("--quote", quote != nil), ("--header", header != nil),
                           ("--null-values", nullValues != nil), ("--schema", schema != nil)]
            if let given = csvOnly.first(where: { $0.1 }) { throw IngestError.usage("\(given.0) applies to CSV input, not JSON") }
            json.flattenSeparator = flattenSeparator
            json.maxDepth = maxDepth
            json.maxNesting = maxNesting
            guard maxColumns > 0 else { throw IngestError.usage("--max-columns must be positive") }
            json.maxColumns = maxColumns
            json.emptyIsTable = format == "ndjson"
        }
        let tsv = format == "tsv"
        csv.delimiter = try delimiter.map { try byte($0, option: "delimiter") } ?? (tsv ? 0x09 : nil)
        if let quote { csv.quote = quote == "none" ? .some(nil) : .some(try byte(quote, option: "quote")) }
        csv.header = header
        csv.nullValues = nullValues.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) } ?? []
        if let schema {
            for item in schema.split(separator: ",") {
                let parts = item.split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2, let type = LogicalType(name: parts[1]), type != .null, type != .json else {
                    throw IngestError.usage("--schema takes name:type pairs with types bool, int64, float64, string, date, timestamp; got '\(item)'")
                }
                csv.schemaOverrides[parts[0]] = type
            }
        }
        guard maxFieldBytes > 0 else { throw IngestError.usage("--max-field-bytes must be positive") }
        csv.maxFieldBytes = maxFieldBytes
        guard let utf8 = InvalidUTF8Policy(rawValue: invalidUtf8) else { throw IngestError.usage("--invalid-utf8 takes fail or replace") }
        csv.invalidUTF8 = utf8
        json.invalidUTF8 = utf8
        json.maxRecordBytes = maxFieldBytes

        var options = ConversionOptions()
        guard let codec = Codec(name: codec) else { throw IngestError.usage("--codec takes zstd, lz4 or none") }
        options.writer = WriterOptions(codec: codec, level: level)
        guard chunkRows > 0 else { throw IngestError.usage("--chunk-rows must be positive") }
        options.chunkRows = chunkRows
        guard let policy = ErrorPolicy(rawValue: onError) else { throw IngestError.usage("--on-error takes fail, skip or warn") }
        options.onError = policy
        options.rejectsPath = rejects
        options.tool = "colconv \(Self.version)"
        options.recordedOptions = recordedOptions()
        options.warning = { printError("colconv: warning: \($0)") }
        let showProgress = !quiet && isatty(2) == 1
        if showProgress { options.progress = { ProgressBar.draw($0) } }

        // .col to standard output goes through a temporary file (the footer is written last).
        let target = output == "-" ? temporaryOutputPath() : output
        let summary = isJSON ? try JSONConverter.convert(input: input, output: target, json: json, options: options)
            : try CSVConverter.convert(input: input, output: target, csv: csv, options: options)
        if showProgress { ProgressBar.clear() }
        if output == "-" { try copyToStdout(target) }
        if verbose {
            for d in summary.decisions { printError("  \(d.subject): \(d.decision)") }
        }
        if !quiet { printError(summary.line) }
    }

    func recordedOptions() -> [(key: String, value: String)] {
        var o: [(key: String, value: String)] = [("codec", codec), ("level", String(level)), ("chunk-rows", String(chunkRows)),
                                                  ("on-error", onError)]
        if let delimiter { o.append(("delimiter", delimiter)) }
        if let quote { o.append(("quote", quote)) }
        if let header { o.append(("header", header ? "yes" : "no")) }
        if let nullValues { o.append(("null-values", nullValues)) }
        if let schema { o.append(("schema", schema)) }
        if invalidUtf8 != "fail" { o.append(("invalid-utf8", invalidUtf8)) }
        if flattenSeparator != "." { o.append(("flatten-separator", flattenSeparator)) }
        if maxDepth != 0 { o.append(("max-depth", String(maxDepth))) }
        if maxNesting != 512 { o.append(("max-nesting", String(maxNesting))) }
        if maxColumns != 10_000 { o.append(("max-columns", String(maxColumns))) }
        return o
    }
}

func printError(_ s: String) {
    var line = s
    line += "\n"
    line.withUTF8 { p in _ = write(2, p.baseAddress, p.count) }
}

func temporaryOutputPath() -> String {
    let dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    return "\(dir)/colconv-stdout-\(getpid()).col"
}

func copyToStdout(_ path: String) throws {
    defer { unlink(path) }
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw IngestError.io("\(path): cannot reopen") }
    defer { close(fd) }
    var buf = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        var done = 0
        while done < n {
            let w = buf.withUnsafeBytes { write(1, $0.baseAddress.map { $0 + done }, n - done) }
            guard w > 0 else { throw IngestError.io("stdout: write failed") }
            done += w
        }
    }
}

func installInterruptHandler() {
    for sig in [SIGINT, SIGTERM, SIGHUP] {
        signal(sig) { s in
            removePendingTemporaryFiles()
            _exit(128 + s)
        }
    }
}

enum ProgressBar {
    static func draw(_ p: ConversionProgress) {
        var s = "\r\u{1B}[2K  \(p.rows) rows  \(formatBytes(p.inputBytes))"
        let rate = p.seconds > 0 ? Double(p.inputBytes) / 1e6 / p.seconds : 0  // decimal MB/s
        s += "  \(fixed(rate, 1)) MB/s"
        if let size = p.inputSize, size > 0 {
            let fraction = min(1, Double(p.inputBytes) / Double(size))
            let width = 24
            let filled = Int(fraction * Double(width))
            s += "  [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] \(Int(fraction * 100))%"
            if rate > 0 { s += "  ETA \(Int(Double(size - p.inputBytes) / 1e6 / rate)) s" }
        }
        s.withUTF8 { b in _ = write(2, b.baseAddress, b.count) }
    }

    static func clear() {
        let s = "\r\u{1B}[2K"
        _ = s.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, s.utf8.count) }
    }
}
