import ColBytes

/// How the values of a column looked when they were ingested
/// (docs/FORMAT.md, "Ingestion statistics"). Filled in by the ingest layer.
public struct IngestionStatistics: Sendable, Equatable {
    /// Values that parsed as each candidate type, indexed by `LogicalType.rawValue`.
    public var parsedAs: [UInt64] = [UInt64](repeating: 0, count: LogicalType.allCases.count)
    /// Fields that matched a null token (the empty field included).
    public var nullTokens: UInt64 = 0
    /// Empty fields (zero bytes, quoted or not).
    public var emptyStrings: UInt64 = 0
    /// Values rejected by the error policy.
    public var rejected: UInt64 = 0
    /// JSON: values overwritten by a later repeat of their key in the same object (the last one wins).
    public var duplicateKeys: UInt64 = 0

    /// Nothing seen yet.
    public init() {}

    /// Adds another chunk's counts.
    public mutating func merge(_ o: IngestionStatistics) {
        for i in 0..<parsedAs.count { parsedAs[i] +|= o.parsedAs[i] }
        nullTokens +|= o.nullTokens
        emptyStrings +|= o.emptyStrings
        rejected +|= o.rejected
        duplicateKeys +|= o.duplicateKeys
    }

    func serialize(into w: inout ByteWriter) {
        w.writeVarint(parsedAs.count)
        for v in parsedAs { w.writeVarint(v) }
        w.writeVarint(nullTokens)
        w.writeVarint(emptyStrings)
        w.writeVarint(rejected)
        w.writeVarint(duplicateKeys)
    }

    static func deserialize(from r: inout ByteReader) throws(BinaryDecodingError) -> IngestionStatistics {
        var s = IngestionStatistics()
        let n = try r.readCount(limit: 64, minBytesEach: 1)
        for i in 0..<n {
            let v = try r.readVarint()
            if i < s.parsedAs.count { s.parsedAs[i] = v }
        }
        s.nullTokens = try r.readVarint()
        s.emptyStrings = try r.readVarint()
        s.rejected = try r.readVarint()
        s.duplicateKeys = try r.readVarint()
        return s
    }
}
