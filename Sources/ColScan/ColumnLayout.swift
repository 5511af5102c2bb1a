import ColFormat

/// The columns a scan reads rows in, and where each one is in the file.
///
/// A scan of one file reads it in its own schema. A scan of a dataset
/// (`ColDataset`) reads every part in the dataset's schema: a column the part
/// lacks reads as nulls, and a column stored narrower (int64 where the dataset
/// has float64) is upcast, as chunks of one file are (FORMAT.md §7). The
/// filter is bound to this schema, and the statistics it prunes with are
/// brought into it the same way, so pruning and filtering agree.
struct ColumnLayout: Sendable {
    /// The schema rows are read in.
    let schema: Schema
    /// For each column of `schema`, the file's column, or nil when the file lacks it.
    let sources: [Int?]

    /// A file read in its own schema.
    init(file: ColFileReader) {
        schema = file.schema
        sources = Array(file.schema.columns.indices)
    }

    /// A file read in a wider schema; `sources[j]` is the file's column for `schema.columns[j]`.
    init(schema: Schema, sources: [Int?]) {
        self.schema = schema
        self.sources = sources
    }

    /// The file's statistics (of a chunk, or of the whole file: `rows` rows) in this layout's
    /// types; a column the file lacks has only nulls.
    func statistics(_ fileStatistics: [ColumnStatistics], rows: UInt64) -> [ColumnStatistics] {
        schema.columns.indices.map { j in
            let type = schema.columns[j].type
            guard let s = sources[j], s < fileStatistics.count else {
                var nulls = ColumnStatistics(type: type)
                nulls.rowCount = rows
                nulls.nullCount = rows
                return nulls
            }
            return fileStatistics[s].upcast(to: type)
        }
    }
}
