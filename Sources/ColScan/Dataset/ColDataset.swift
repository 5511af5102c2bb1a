import ColFormat

// # Datasets
//
// A dataset is a folder of .col parts (colconv writes one per input,
// docs/SCALE.md), read as one table. Opening it opens every part's footer
// and nothing else: the schemas merge by column name (compared as bytes) in
// the order columns are first seen, each type widened over the parts
// (FORMAT.md §7), and each part keeps a `ColumnLayout` that says where the
// dataset's columns are in it.
//
// A scan prunes twice before it reads a block. First whole parts: a part's
// file statistics, brought into the dataset's types (a column the part lacks
// is all null), must leave some row that can match. Then, in the parts left,
// chunks, by their chunk statistics, as in a scan of one file. The parts are
// then read one after another, in part order, each in the dataset's schema,
// so a dataset scan returns the rows that a scan of the parts' concatenation
// would, in the same order.
//
// Cost: opening is one footer per part (O(parts × columns) in memory, one
// open file per part); a scan's planning reads the chunk statistics of the
// parts that survive, and nothing of the others.

/// Several .col files read as one table: a folder of parts, or files named one by one.
///
/// ```swift
/// let dataset = try ColDataset(path: "dataset/")
/// let scan = try dataset.scan(columns: ["city", "price"], where: try RowFilter.parse("price > 100"))
/// var it = scan.makeIterator()
/// while let batch = try it.next() { … }   // batch.part says which part the rows are from
/// print(scan.metrics.partsPruned, "parts pruned")
/// ```
public final class ColDataset: Sendable {
    /// The parts, in order: a folder's `.col` files sorted by name, or the files as given.
    public let parts: [ColFileReader]
    /// The merged schema: every part's columns by name, in the order first seen, types widened over the parts.
    /// A column is nullable when any part has nulls in it or lacks it.
    public let schema: Schema
    /// For each part, where the dataset's columns are in it.
    let layouts: [ColumnLayout]

    /// Opens files and folders: a folder contributes its `*.col` files, sorted by name;
    /// a file is taken as it is. Only footers are read.
    public convenience init(paths: [String]) throws(ScanError) {
        let files: [String]
        do { files = try FolderListing.colFiles(expanding: paths) } catch { throw .notFound(error.path) }
        guard !files.isEmpty else { throw .notFound(paths.joined(separator: " ")) }
        var parts: [ColFileReader] = []
        parts.reserveCapacity(files.count)
        // The first failure in part order is reported.
        for result in ColFileReader.open(files) {
            switch result {
            case let .success(reader): parts.append(reader)
            case let .failure(error): throw .file(error)
            }
        }
        try self.init(parts: parts)
    }

    /// Opens one file or one folder of parts.
    public convenience init(path: String) throws(ScanError) {
        try self.init(paths: [path])
    }

    /// A dataset of files already open. A snapshot is refused (`ColFileError.snapshotHasNoData`): it holds no rows.
    public init(parts: [ColFileReader]) throws(ScanError) {
        var columns: [ColumnDescriptor] = []
        var index: [[UInt8]: Int] = [:]
        var partSources: [[Int?]] = []
        partSources.reserveCapacity(parts.count)
        var rowsBefore = false
        for part in parts {
            guard !part.isSnapshot else { throw .file(.snapshotHasNoData(path: part.path)) }
            var sources: [Int?] = []
            for (j, c) in part.schema.columns.enumerated() {
                let key = Array(c.name.utf8)
                if let k = index[key] {
                    columns[k].type = columns[k].type.widened(with: c.type)
                    columns[k].nullable = columns[k].nullable || c.nullable
                    while sources.count <= k { sources.append(nil) }
                    sources[k] = j
                } else {
                    index[key] = columns.count
                    // Rows of earlier parts lack the column: null there.
                    columns.append(ColumnDescriptor(name: c.name, type: c.type, nullable: c.nullable || rowsBefore,
                                                    sourcePath: c.sourcePath))
                    while sources.count < columns.count - 1 { sources.append(nil) }
                    sources.append(j)
                }
            }
            partSources.append(sources)
            rowsBefore = rowsBefore || part.rowCount > 0
        }
        // Pad every part's sources to the final width; a part lacking a column with rows in it makes it nullable.
        for p in partSources.indices {
            while partSources[p].count < columns.count { partSources[p].append(nil) }
            if parts[p].rowCount > 0 {
                for k in columns.indices where partSources[p][k] == nil { columns[k].nullable = true }
            }
        }
        let schema = Schema(columns: columns)
        self.parts = parts
        self.schema = schema
        layouts = partSources.map { ColumnLayout(schema: schema, sources: $0) }
    }

    /// Rows over every part.
    public var rowCount: UInt64 { parts.reduce(0) { $0 &+ $1.rowCount } }
    /// Chunks over every part.
    public var chunkCount: Int { parts.reduce(0) { $0 + $1.directory.chunkCount } }

    /// Plans a scan of every part: `columns` (nil for all) in that order, rows matching
    /// `predicate`, in batches of at most `batchSize` rows. Parts whose file statistics
    /// prove that no row matches are dropped here, then chunks within the rest.
    public func scan(columns: [String]? = nil, where predicate: RowFilter? = nil, batchSize: Int = 65_536,
                     cache: ChunkCache? = nil) throws(ScanError) -> DatasetScan {
        try DatasetScan(dataset: self, columns: columns, predicate: predicate, batchSize: batchSize, cache: cache)
    }
}
