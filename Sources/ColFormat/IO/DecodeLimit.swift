#if canImport(Glibc)
import Glibc
#endif

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
        if let text = getenv("COL_DECODE_LIMIT").map({ String(cString: $0) }), let v = parse(text) { return v }
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return 1 << 32 }
        return pages.multipliedReportingOverflow(by: pageSize).overflow ? Int.max / 2 : pages * pageSize / 2
    }()

    /// Bytes from "123", "64KiB", "512MiB", "8GiB" or "1TiB" (K, M, G and T alone too); nil otherwise.
    static func parse(_ text: String) -> Int? {
        let units: [(String, Int)] = [("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10), ("T", 40), ("G", 30), ("M", 20), ("K", 10), ("", 0)]
        for (suffix, shift) in units where text.hasSuffix(suffix) {
            guard let n = Int(text.dropLast(suffix.count)), n >= 0, n <= Int.max >> shift else { continue }
            return n << shift
        }
        return nil
    }

    /// What a column chunk of `rows` rows of `type` costs in memory at least, and at most as the directory says.
    static func cost(type: LogicalType, rows: Int, nulls: Int, decodedBytes: Int) -> Int {
        let values = DecodedSize.arrowBytes(type: type, rows: rows, nulls: nulls, stringBytes: 0)
        return max(values, decodedBytes) + (rows + 7) / 8
    }
}
