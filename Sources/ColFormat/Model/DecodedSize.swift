/// The decoded-size formula recorded in each directory entry (docs/FORMAT.md §5.3).
public enum DecodedSize {
    /// Values + offsets + data + validity, unpadded (docs/FORMAT.md, "Decoded memory bytes").
    public static func arrowBytes(type: LogicalType, rows: Int, nulls: Int, stringBytes: Int) -> Int {
        let validity = (nulls > 0 && type != .null) ? (rows + 7) / 8 : 0
        switch type {
        case .null: return 0
        case .bool: return (rows + 7) / 8 + validity
        case .string, .json: return 4 * (rows + 1) + stringBytes + validity
        default: return type.fixedWidth * rows + validity
        }
    }

    /// The most a chunk column of `rows` rows can decode to: the formula with every
    /// row null and, for text, the most data a page can hold (`UInt32.max` bytes,
    /// the limit of its offsets).
    public static func upperBound(type: LogicalType, rows: Int) -> UInt64 {
        UInt64(arrowBytes(type: type, rows: rows, nulls: rows, stringBytes: type.isVariableLength ? Int(UInt32.max) : 0))
    }
}
