/// One column of a file's schema.
public struct ColumnDescriptor: Sendable, Equatable {
    /// The column name (for flattened JSON, the dotted path).
    public var name: String
    /// The logical type: the widest type of any chunk.
    public var type: LogicalType
    /// True when any row of the column is null.
    public var nullable: Bool
    /// Where the values came from: the CSV header field, or the JSON path as an RFC 6901 JSON Pointer (`/geo/lat`).
    public var sourcePath: String

    /// A column; the source path defaults to the name.
    public init(name: String, type: LogicalType = .null, nullable: Bool = true, sourcePath: String? = nil) {
        self.name = name
        self.type = type
        self.nullable = nullable
        self.sourcePath = sourcePath ?? name
    }

    /// This column's line of the canonical schema text (without the newline).
    public var canonicalLine: String {
        "\(Schema.escape(name))\t\(type.name)\t\(nullable ? "nullable" : "required")"
    }
}

/// A recorded widening: from `chunk` on, the column's values needed a wider type.
public struct WideningEvent: Sendable, Equatable {
    /// The column that widened.
    public var column: Int
    /// The first chunk stored in the wider type.
    public var chunk: Int
    /// The zero-based row (in the whole file) of the first value that needed the wider type.
    public var row: UInt64
    /// The column's type before the chunk.
    public var from: LogicalType
    /// The column's type from the chunk on.
    public var to: LogicalType

    /// A widening event.
    public init(column: Int, chunk: Int, row: UInt64, from: LogicalType, to: LogicalType) {
        self.column = column
        self.chunk = chunk
        self.row = row
        self.from = from
        self.to = to
    }
}

/// The columns of a file with their fingerprints (docs/FORMAT.md, "Fingerprints").
public struct Schema: Sendable, Equatable {
    /// The columns in order.
    public var columns: [ColumnDescriptor]

    /// Each column's index by its name's bytes (the first, should a name repeat): one
    /// dictionary instead of a search per lookup, which is quadratic with 100,000 columns.
    public var columnIndexByName: [[UInt8]: Int] {
        Dictionary(columns.enumerated().map { (Array($0.element.name.utf8), $0.offset) }) { first, _ in first }
    }
    /// Every widening, in chunk order.
    public var widenings: [WideningEvent]

    /// A schema.
    public init(columns: [ColumnDescriptor], widenings: [WideningEvent] = []) {
        self.columns = columns
        self.widenings = widenings
    }

    /// The index of the column with this name.
    public func index(of name: String) -> Int? { columns.firstIndex { $0.name == name } }

    /// Escapes `\`, tab, LF and CR in a name for the canonical text.
    static func escape(_ name: String) -> String {
        var out = ""
        for ch in name.unicodeScalars {
            switch ch {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// `col-schema/1`, then one line per column in order: name, type and
    /// nullability separated by tabs. Every line ends with LF.
    public var canonicalText: String {
        var s = "col-schema/1\n"
        for c in columns { s += c.canonicalLine + "\n" }
        return s
    }

    /// `col-types/1`, then one type name per line, in column order.
    public var canonicalTypesText: String {
        var s = "col-types/1\n"
        for c in columns { s += c.type.name + "\n" }
        return s
    }

    /// The fingerprint of `canonicalText`: names, types and nullability.
    public var fingerprint: Fingerprint { Fingerprint(text: canonicalText) }
    /// The fingerprint of `canonicalTypesText`: the types alone.
    public var typesFingerprint: Fingerprint { Fingerprint(text: canonicalTypesText) }
    /// The fingerprint of column `i`'s canonical line.
    public func columnFingerprint(_ i: Int) -> Fingerprint { Fingerprint(text: columns[i].canonicalLine) }
}
