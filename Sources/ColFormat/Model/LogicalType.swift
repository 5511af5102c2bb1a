/// The logical type of a column, and the physical type of a chunk's values.
///
/// The raw value is the type's code in the file (docs/FORMAT.md §3.1); widening is §7.
public enum LogicalType: UInt8, Sendable, CaseIterable, CustomStringConvertible, Codable {
    /// Every value is null.
    case null = 0
    case bool = 1
    case int64 = 2
    case float64 = 3
    /// UTF-8 text.
    case string = 4
    /// Days since 1970-01-01, stored as a 32-bit integer.
    case date = 5
    /// Microseconds since 1970-01-01T00:00:00Z.
    case timestamp = 6
    /// Canonical JSON text, for arrays and values that are neither flattened nor typed.
    case json = 7

    /// The name used in the canonical schema text and on the command line.
    public var description: String { name }

    /// The type's name: `int64`, `float64`, `string`, ….
    public var name: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .int64: "int64"
        case .float64: "float64"
        case .string: "string"
        case .date: "date"
        case .timestamp: "timestamp"
        case .json: "json"
        }
    }

    /// Parses a type name as printed by `name`.
    public init?(name: String) {
        guard let t = LogicalType.allCases.first(where: { $0.name == name }) else { return nil }
        self = t
    }

    /// True for types stored as variable-length bytes.
    public var isVariableLength: Bool { self == .string || self == .json }

    /// True for types whose values are 64-bit integers in memory.
    public var isInteger: Bool { self == .int64 || self == .timestamp || self == .date }

    /// True for types with a numeric order the quantile sketch can follow.
    public var isNumeric: Bool { self == .int64 || self == .float64 || self == .date || self == .timestamp }

    /// The width of one value in the decoded layout, in bytes (0 for variable-length and null).
    public var fixedWidth: Int {
        switch self {
        case .int64, .float64, .timestamp: 8
        case .date: 4
        case .bool, .null, .string, .json: 0
        }
    }

    /// The narrowest type that can represent values of both types.
    ///
    /// The rules (docs/FORMAT.md, "Type widening"): a type widens to itself;
    /// null widens to anything; int64 and float64 give float64; date and
    /// timestamp give timestamp; json absorbs every other type; any other pair
    /// gives string.
    public func widened(with other: LogicalType) -> LogicalType {
        if self == other { return self }
        if self == .null { return other }
        if other == .null { return self }
        switch (self, other) {
        case (.int64, .float64), (.float64, .int64): return .float64
        case (.date, .timestamp), (.timestamp, .date): return .timestamp
        default: break
        }
        if self == .json || other == .json { return .json }
        return .string
    }

    /// True when a chunk stored as `self` can be read as `logical`.
    public func canUpcast(to logical: LogicalType) -> Bool { widened(with: logical) == logical }
}
