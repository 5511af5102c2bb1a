/// Byte-level constants of the .col layout and the limits a reader enforces
/// (docs/FORMAT.md §1 and §8).
public enum Layout {
    /// "COLF" at offset 0 and in the last four bytes.
    public static let magic: [UInt8] = [0x43, 0x4F, 0x4C, 0x46]
    /// The major version this writer writes and this reader reads.
    public static let majorVersion: UInt16 = 1
    /// The minor version this writer writes. 1.1 moved the file statistics'
    /// HyperLogLog sketches to their own section (docs/FORMAT.md §2.6); 1.2 added the
    /// chunk-order and roles sections (§2.7, §2.8).
    public static let minorVersion: UInt16 = 2
    /// Magic, major version (u16), minor version (u16).
    public static let headSize = 8
    /// Footer offset (u64), footer length (u64), section-table length (u32),
    /// major (u16), minor (u16), required flags (u32), optional flags (u32),
    /// section-table CRC (u32), tail CRC (u32), magic.
    public static let tailSize = 44
    /// Required feature bit: the file is a snapshot, a footer without data blocks (format 1.2, docs/FORMAT.md §1.4).
    public static let featureSnapshot: UInt32 = 1
    /// Required feature flags this reader implements.
    public static let knownRequiredFeatures: UInt32 = featureSnapshot
    /// Optional feature bit: the chunk-statistics section is present.
    public static let featureChunkStatistics: UInt32 = 1
    /// Optional feature bit: the distinct-sketch section is present (format 1.1).
    public static let featureDistinctSketches: UInt32 = 2
    /// Optional feature bit: the chunk-order section is present (format 1.2).
    public static let featureChunkOrder: UInt32 = 4
    /// Optional feature bit: the roles section is present (format 1.2).
    public static let featureRoles: UInt32 = 8
    /// Bytes of one section-table entry.
    public static let sectionEntrySize = 32
    /// Bytes of one directory entry.
    public static let directoryEntrySize = 40
    /// Bytes of one chunk record in the directory.
    public static let chunkRecordSize = 12

    // Sanity limits checked before any allocation.
    /// The most columns a file may have.
    public static let maxColumns = 100_000
    /// The most chunks a file may have.
    public static let maxChunks = 1 << 24
    /// The most entries in the section table.
    public static let maxSections = 64
    /// The largest decompressed footer section, in bytes.
    public static let maxSectionBytes = 1 << 30
    /// The largest block, stored or decompressed, in bytes.
    public static let maxBlockBytes = 1 << 31 - 1
    /// The most rows in one chunk.
    public static let maxChunkRows = 1 << 31 - 1
    /// The longest column name or source path, in UTF-8 bytes.
    public static let maxNameBytes = 1 << 20
    /// The longest text a statistics record keeps for a top value; longer text is
    /// cut to a prefix at a UTF-8 boundary (docs/FORMAT.md §5.1). Bounds have their own, shorter limit.
    public static let maxStatisticsTextBytes = 1024
    /// The largest |days| a date may hold: every date then widens to a timestamp
    /// (microseconds in an i64) without overflow. About ±292,000 years.
    public static let maxDateDays: Int32 = 106_751_991
}
