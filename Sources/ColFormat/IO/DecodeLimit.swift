#if canImport(Glibc)
import Glibc
#endif
import ColBytes

/// The most memory one column of one chunk may decode to.
///
/// A page's decoded size is bounded by its rows and type, and rows by the spec
/// (2^31 − 1 per chunk), so a consistent file of a few kilobytes may still
/// describe an all-null int64 chunk of 16 GiB: legal, because a real one
/// compresses that well. Rather than be killed for memory, the reader refuses a
/// column chunk whose decoded form would exceed this limit, with exit 2 and the
/// chunk's location (docs/RELIABILITY.md). The default is half of physical
/// memory; `COL_DECODE_LIMIT` (a size such as `512MiB` or `8GiB`) sets it.
public enum DecodeLimit {
    /// The limit in bytes for this process.
    public static let bytes: Int = {
        if let text = getenv("COL_DECODE_LIMIT").map({ String(cString: $0) }), let v = parseSize(text) { return Int(clamping: v) }
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return 1 << 32 }
        return pages.multipliedReportingOverflow(by: pageSize).overflow ? Int.max / 2 : pages * pageSize / 2
    }()

    /// What a column chunk of `rows` rows of `type` costs in memory at least, and at most as the directory says.
    static func cost(type: LogicalType, rows: Int, nulls: Int, decodedBytes: Int) -> Int {
        let values = DecodedSize.arrowBytes(type: type, rows: rows, nulls: nulls, stringBytes: 0)
        return max(values, decodedBytes) + (rows + 7) / 8
    }
}
