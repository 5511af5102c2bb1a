#if canImport(Glibc)
import Glibc
#endif
import ColBytes
import ColFormat
import ColSketches
import ColText

/// An error opening or reading what a profile is built from.
public enum ProfileError: Error, Sendable, CustomStringConvertible {
    /// A path that is neither a .col file nor a folder holding some.
    case notFound(String)
    /// A part could not be read (missing, truncated, corrupt).
    case unreadable(path: String, ColFileError)
    /// A column asked for by name is not in the dataset (`columns` lists those that are).
    case unknownColumn(String, columns: [String])
    /// A threshold setting is not `metric.level=value`.
    case malformedThreshold(String)
    /// A threshold names no known metric and level.
    case unknownThreshold(String)
    /// A `--role` setting is not `column=role` with a known role.
    case malformedRole(String)
    /// A configuration file is not valid TOML, or not a valid colprof.toml.
    case config(String, TOMLError)
    /// A file given as a history is not one.
    case notAHistory(String)
    /// A history cannot be written or used as asked.
    case invalidHistory(String, String)

    /// The message printed for the error.
    public var description: String {
        switch self {
        case let .notFound(path): return "\(path): no such .col file or folder of .col files"
        case let .unreadable(_, e): return e.description
        case let .unknownColumn(name, columns):
            return "no column named '\(name)' (columns: \(columns.joined(separator: ", ")))"
        case let .malformedThreshold(text): return "a threshold is metric.level=value, e.g. psi.fail=0.3; got '\(text)'"
        case let .config(path, error): return "\(path): \(error)"
        case let .notAHistory(path):
            return "\(path): not a history (colprof snapshot DATA --append -o HISTORY makes one)"
        case let .invalidHistory(path, why): return "\(path): \(why)"
        case let .malformedRole(text):
            return "a role is column=role, the role one of \(ColumnRole.allCases.map(\.description).joined(separator: ", ")); got '\(text)'"
        case let .unknownThreshold(name):
            return "unknown threshold '\(name)' (psi, ks, js, null_rate, distinct, range, overlap, gap, order, length, duplicates; each .warn or .fail)"
        }
    }
}

/// One .col file of a dataset.
public struct DatasetPart: Sendable {
    /// The file's path, as given or found in a folder.
    public let path: String
    /// The file's footer, opened.
    public let reader: ColFileReader
    /// Rows in this part.
    public var rowCount: UInt64 { reader.rowCount }
    /// Chunks in this part.
    public var chunkCount: Int { reader.directory.chunkCount }
    /// The file's size in bytes.
    public let fileSize: Int
    /// How a file that is not a .col file was read (e.g. "Parquet, from its col.snapshot"), or nil.
    public let readAs: String?

    /// The .col file or snapshot read by `reader`, found at `path`.
    public init(path: String, reader: ColFileReader) {
        self.path = path
        self.reader = reader
        fileSize = reader.fileSize
        readAs = nil
    }

    /// A file of another format at `path` (`fileSize` bytes), read through the .col file `reader`, as `readAs` says.
    public init(path: String, reader: ColFileReader, fileSize: Int, readAs: String) {
        self.path = path
        self.reader = reader
        self.fileSize = fileSize
        self.readAs = readAs
    }
}

/// One column of a dataset: its merged schema entry and statistics, and
/// its bytes on disk.
public struct DatasetColumn: Sendable {
    /// The column's name.
    public var name: String
    /// The type every part's values fit, widened over the parts.
    public var type: LogicalType
    /// Whether any part may hold a null here (or lacks the column).
    public var nullable: Bool
    /// Where the values came from in the input (a JSON path, or the CSV header).
    public var sourcePath: String
    /// Merged over every part; a part without the column counts its rows as null.
    public var statistics: ColumnStatistics
    /// Compressed bytes of the column's blocks, over every part.
    public var storedBytes: UInt64 = 0
    /// Decoded bytes in the Arrow layout (FORMAT.md §5.3), over every part.
    public var decodedBytes: UInt64 = 0
    /// Chunks (over every part) and how many of them hold strings, for the memory estimate.
    public var chunks = 0
    /// Chunks with at least one null.
    public var chunksWithNulls = 0
    /// Widening events, with rows and chunks counted from the start of the dataset.
    public var widenings: [WideningEvent] = []
    /// What the column is (docs/PROFILE.md, "Roles"), with the column's order inside its chunks.
    public var role = ColumnRoleRecord(role: .none, origin: .inferred)
    /// In a history's window (`History.window`), the median distinct count of one entry; nil otherwise.
    public var typicalDistinct: UInt64?
}

/// A .col file, or several read as one table, from their footers only.
///
/// Columns are matched by name (compared as bytes) in the order they are
/// first seen. Statistics and sketches are merged as the writer merges
/// chunks (FORMAT.md §5.2); nothing is rescanned.
public struct Dataset: Sendable {
    /// The files, in the order they were given.
    public let parts: [DatasetPart]
    /// The columns, in the order they are first seen.
    public private(set) var columns: [DatasetColumn] = []
    /// Rows over every part.
    public private(set) var rowCount: UInt64 = 0
    /// Column index by name bytes (lookups stay O(1) with 100,000 columns).
    private var columnIndex: [[UInt8]: Int] = [:]

    /// Opens files and folders (a folder contributes its `*.col` files, sorted by name).
    public init(paths: [String]) throws(ProfileError) {
        try self.init(parts: Self.openParts(paths))
    }

    /// Opens the footers of files and folders (a folder contributes its `*.col` files, sorted
    /// by name), without merging them.
    public static func openParts(_ paths: [String]) throws(ProfileError) -> [DatasetPart] {
        let files: [String]
        do { files = try FolderListing.colFiles(expanding: paths) } catch { throw .notFound(error.path) }
        var parts: [DatasetPart] = []
        parts.reserveCapacity(files.count)
        for (k, result) in ColFileReader.open(files).enumerated() {
            switch result {
            case let .success(reader): parts.append(DatasetPart(path: files[k], reader: reader))
            case let .failure(error): throw .unreadable(path: files[k], error)
            }
        }
        return parts
    }

    /// Merges parts that are already open. With more than one part, each part's
    /// distinct-count sketches are read too (`ColFileReader.statisticsWithSketches()`),
    /// so the merged distinct counts are estimated over the whole dataset.
    public init(parts: [DatasetPart]) throws(ProfileError) {
        self.parts = parts
        var index: [[UInt8]: Int] = [:]
        // Over several files, roles are inferred again with the files as segments (a partition
        // differs between files); a role declared in a file is kept.
        var evidence: [RoleEvidence] = []
        var chunksSoFar = 0
        for part in parts {
            let r = part.reader
            let statistics: [ColumnStatistics]
            if parts.count > 1 {
                do { statistics = try r.statisticsWithSketches() } catch { throw .unreadable(path: part.path, error) }
            } else {
                statistics = r.statistics
            }
            var seen = [Bool](repeating: false, count: columns.count)
            for (j, c) in r.schema.columns.enumerated() {
                let key = Array(c.name.utf8)
                let k: Int
                if let existing = index[key] {
                    k = existing
                } else {
                    k = columns.count
                    index[key] = k
                    var empty = ColumnStatistics(type: .null)
                    empty.rowCount = rowCount
                    empty.nullCount = rowCount
                    // The earlier parts' chunks hold the new column as nulls.
                    columns.append(DatasetColumn(name: c.name, type: .null, nullable: rowCount > 0, sourcePath: c.sourcePath,
                                                 statistics: empty, chunks: chunksSoFar, chunksWithNulls: chunksSoFar))
                    seen.append(false)
                    evidence.append(RoleEvidence(segments: .files))
                }
                seen[k] = true
                let logical = columns[k].type.widened(with: c.type)
                // A widening happens at a row: a part without rows widens the type but records no event.
                if columns[k].type != .null && logical != columns[k].type && part.rowCount > 0 {
                    columns[k].widenings.append(WideningEvent(column: k, chunk: chunksSoFar, row: rowCount, from: columns[k].type, to: logical))
                }
                columns[k].type = logical
                columns[k].nullable = columns[k].nullable || c.nullable
                if columns[k].statistics.rowCount == 0 {
                    columns[k].statistics = statistics[j]
                } else {
                    columns[k].statistics.merge(statistics[j], as: logical, deferringDistinctEstimate: true)
                }
                if parts.count > 1 {
                    let stored = r.storedRoles?[j]
                    evidence[k].add(statistics[j], order: stored?.order, declared: stored?.origin == .declared ? stored?.role : nil)
                    if let o = stored?.order { columns[k].role.order.merge(o) }
                }
                for w in r.schema.widenings where w.column == j {
                    columns[k].widenings.append(WideningEvent(column: k, chunk: chunksSoFar + w.chunk, row: rowCount.saturatingAdding(w.row),
                                                              from: w.from, to: w.to))
                }
                for chunk in 0..<r.directory.chunkCount {
                    let e = r.directory.entry(chunk: chunk, column: j)
                    columns[k].storedBytes +|= UInt64(e.storedLength)
                    columns[k].decodedBytes +|= e.decodedBytes
                    columns[k].chunks += 1
                    if e.nullCount > 0 || e.isAbsent { columns[k].chunksWithNulls += 1 }
                }
            }
            // Columns this part lacks: its rows are null there.
            for k in 0..<columns.count where !seen[k] && part.rowCount > 0 {
                var nulls = ColumnStatistics(type: .null)
                nulls.rowCount = part.rowCount
                nulls.nullCount = part.rowCount
                columns[k].statistics.merge(nulls, as: columns[k].type, deferringDistinctEstimate: true)
                columns[k].nullable = true
                columns[k].chunks += part.chunkCount
                columns[k].chunksWithNulls += part.chunkCount
            }
            rowCount +|= part.rowCount
            chunksSoFar += part.chunkCount
        }
        for k in columns.indices { columns[k].statistics.settleDistinctCount() }
        columnIndex = index
        if parts.count == 1, let only = parts.first {
            do {
                for (k, record) in try only.reader.roles().enumerated() { columns[k].role = record }
            } catch {
                throw .unreadable(path: only.path, error)
            }
        } else {
            for k in columns.indices {
                let role = evidence[k].role(type: columns[k].type, merged: columns[k].statistics)
                columns[k].role.role = role
                columns[k].role.origin = evidence[k].declared != nil ? .declared : .inferred
            }
        }
    }

    /// A dataset of given columns over `parts` (a history's window of entries).
    init(parts: [DatasetPart], columns: [DatasetColumn], rowCount: UInt64) {
        self.parts = parts
        self.columns = columns
        self.rowCount = rowCount
        columnIndex = Dictionary(columns.enumerated().map { (Array($0.element.name.utf8), $0.offset) }, uniquingKeysWith: { a, _ in a })
    }

    /// Chunks over every part.
    public var chunkCount: Int { parts.reduce(0) { $0 + $1.chunkCount } }
    /// Bytes on disk over every part.
    public var fileBytes: Int { parts.reduce(0) { $0 + $1.fileSize } }

    /// The merged schema (its fingerprint equals the file's for one part).
    public var schema: Schema {
        Schema(columns: columns.map { ColumnDescriptor(name: $0.name, type: $0.type, nullable: $0.nullable, sourcePath: $0.sourcePath) },
               widenings: columns.flatMap(\.widenings))
    }

    /// Column `k`'s distinct-count sketch, read from the file when the statistics do not hold it
    /// (one file of format 1.1 or later keeps it in its distinct-sketch section).
    public func distinctSketch(_ k: Int) throws(ProfileError) -> HyperLogLog? {
        if let h = columns[k].statistics.hll { return h }
        guard parts.count == 1, let only = parts.first, k < only.reader.schema.columns.count else { return nil }
        do { return try only.reader.distinctSketches()[k] } catch { throw .unreadable(path: only.path, error) }
    }

    /// The index of the column called `name` (compared as bytes).
    public func column(named name: String) -> Int? {
        columnIndex[Array(name.utf8)]
    }
}
