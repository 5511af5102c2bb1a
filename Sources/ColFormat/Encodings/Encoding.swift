/// How a chunk column's non-null values are laid out before compression
/// (docs/FORMAT.md §3.3). Each encoding is implemented in its own file with
/// the same three phases, analyze, encode and decode (PageEncoding.swift).
public enum Encoding: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Values one after another (bools as bits, strings as lengths then bytes).
    case plain = 0
    /// A dictionary of distinct values, then bit-packed indices.
    case dictionary = 1
    /// Runs: run lengths, then one value per run.
    case rle = 2
    /// Frame of reference: the minimum, then bit-packed offsets from it (integers, dates, timestamps).
    case bitPacked = 3
    /// The first value, then bit-packed differences from the smallest delta (integers, dates, timestamps).
    case delta = 4
    /// Doubles that are exact decimals: an exponent e, then each value times 10^e
    /// as a frame-of-reference integer (float64 only; prices, scores, measurements).
    case decimal = 5

    /// The encoding's name in reports.
    public var description: String {
        switch self {
        case .plain: "plain"
        case .dictionary: "dictionary"
        case .rle: "rle"
        case .bitPacked: "bitpacked"
        case .delta: "delta"
        case .decimal: "decimal"
        }
    }

    /// The encodings that apply to a physical type, in code order.
    public static func candidates(for type: LogicalType) -> [Encoding] {
        allCases.filter { $0.applies(to: type) }
    }
}
