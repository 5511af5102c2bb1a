/// Options of the JSON reader.
public struct JSONOptions: Sendable {
    /// Joins the keys of a flattened path (`geo.lat`).
    public var flattenSeparator = "."
    /// Objects nested deeper than this many keys are kept whole as json (0: no limit).
    public var maxDepth = 0
    /// The deepest nesting of arrays and objects accepted.
    public var maxNesting = 512
    /// The most columns a conversion may create.
    public var maxColumns = 10_000
    /// The largest record, in bytes.
    public var maxRecordBytes = 64 << 20
    /// Whether an empty input is a table with no rows (NDJSON) rather than an error (JSON).
    public var emptyIsTable = false
    /// What to do with strings that are not UTF-8.
    public var invalidUTF8 = InvalidUTF8Policy.fail
    /// Threads that parse slices of an NDJSON input at once (docs/JSON.md, "Reading on every
    /// core"): nil for the default (one per core); 1 reads with one scanner. A JSON array is always read by one. The file written does not depend on it.
    public var readThreads: Int?
    /// The bytes of a slice a thread parses at a time (tests make it tiny).
    @_spi(Benchmarks) public var sliceBytes = 1 << 20

    /// Flattens every object; the limits as documented above.
    public init() {}
}
