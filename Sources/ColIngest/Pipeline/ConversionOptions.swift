import ColFormat
import ColText
import ColText

/// What to do with a bad record.
public enum ErrorPolicy: String, Sendable, CaseIterable {
    /// Stop at the first bad record with its location; no output file is left.
    case fail
    /// Drop bad records silently (they are counted, and written to the rejects file if one is given).
    case skip
    /// Drop bad records and print each one's location on stderr.
    case warn
}

/// What to do with bytes that are not valid UTF-8.
public enum InvalidUTF8Policy: String, Sendable, CaseIterable {
    /// Treat the record as bad input (the error policy decides), naming the line and column.
    case fail
    /// Replace each invalid sequence with U+FFFD.
    case replace
}

/// Options of a conversion into .col.
public struct ConversionOptions: Sendable {
    /// The codec, level and encoding of the .col file.
    public var writer = WriterOptions()
    /// Rows per chunk, at most.
    public var chunkRows = 65_536
    /// Roles declared for named columns, stored as declared (docs/PROFILE.md, "Roles"); the
    /// other columns' roles are inferred.
    public var roles: [String: ColumnRole] = [:]
    /// Bytes per chunk as it is read, at most: a chunk also ends when its field bytes plus
    /// 4 bytes per value (the offset each value takes) reach this. It bounds memory for wide
    /// input, where `chunkRows` rows of thousands of columns would not fit; narrow input
    /// (the benchmark's 16 columns take about 15 MB per 65,536 rows) does not reach it.
    public var chunkBytes = 16 << 20
    /// What happens to a bad record.
    public var onError = ErrorPolicy.fail
    /// Where to write rejected records (CSV: line, error, record), if anywhere.
    public var rejectsPath: String?
    /// The tool name and version recorded in provenance.
    public var tool = "colconv"
    /// The options as given, recorded in provenance.
    public var recordedOptions: [(key: String, value: String)] = []
    /// Called after every chunk (on the converting thread).
    public var progress: (@Sendable (ConversionProgress) -> Void)?
    /// Called for every warning (bad records under `warn`).
    public var warning: (@Sendable (String) -> Void)?
    /// How messages in warnings and the rejects file name a setting (a command line names its flags).
    public var settingName: @Sendable (IngestSetting) -> String = { $0.apiName }

    /// The defaults: zstd, 65,536 rows or 16 MiB per chunk, stop at the first bad record.
    public init() {}
}

/// Progress of a running conversion.
public struct ConversionProgress: Sendable {
    /// Rows converted so far.
    public var rows: UInt64
    /// Raw input bytes read so far.
    public var inputBytes: Int
    /// The input size, when known (for an ETA).
    public var inputSize: Int?
    /// Seconds since the conversion started.
    public var seconds: Double
}

/// What a finished conversion did.
public struct ConversionSummary: Sendable {
    /// Rows written.
    public var rows: UInt64
    /// Columns in the file.
    public var columns: Int
    /// Chunks written.
    public var chunks: Int
    /// Raw input bytes read.
    public var inputBytes: Int
    /// The output file's size (0 for standard output).
    public var outputBytes: Int
    /// Wall time of the conversion.
    public var seconds: Double
    /// Records dropped and values set to null by the error policy.
    public var rejectedRecords: Int
    /// What inference decided (dialect, header, types), as recorded in the provenance.
    public var decisions: [(subject: String, decision: String)]
    /// Peak resident set size of the process, in bytes.
    public var peakRSS: Int

    /// One line: rows, columns, chunks, sizes, ratio, time, throughput and peak memory.
    public var line: String { line(unit: "chunk") }

    /// The same line, counting chunks as `unit`s (a Parquet file's "row group"s).
    public func line(unit: String) -> String {
        let mb = 1_048_576.0
        let ratio = outputBytes > 0 ? Double(inputBytes) / Double(outputBytes) : 0
        let rate = seconds > 0 ? Double(inputBytes) / 1e6 / seconds : 0  // decimal MB/s
        var s = "\(rows) rows × \(columns) columns in \(chunks) \(unit)\(chunks == 1 ? "" : "s"): "
        s += "\(formatBytes(inputBytes)) → \(formatBytes(outputBytes)) (\(fixed(ratio, 1))×) "
        s += "in \(fixed(seconds, 2)) s, \(fixed(rate, 1)) MB/s, peak RSS \(fixed(Double(peakRSS) / mb, 1)) MiB"
        if rejectedRecords > 0 { s += ", \(rejectedRecords) record\(rejectedRecords == 1 ? "" : "s") rejected" }
        return s
    }
}

extension ConversionOptions {
    /// The writer's options for a converter, whose readers validate every value's UTF-8 as they
    /// read it (so the writer does not check it again).
    var validatedWriter: WriterOptions {
        var w = writer
        w.textIsValidated = true
        return w
    }
}
