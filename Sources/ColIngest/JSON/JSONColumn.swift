import ColFormat

/// One column of a JSON chunk as it is read: each row's leaf bytes and kind.
///
/// As with CSV, a chunk's values are kept until the chunk is full and then
/// converted once to the narrowest type that holds all of them (docs/JSON.md,
/// "Types"): bools stay bool, integers int64, integers mixed with other
/// numbers float64, strings string (or date or timestamp when every string is
/// one); arrays, cut-off objects and numbers beyond the double range make the
/// chunk json, with strings quoted; strings mixed with numbers or bools make
/// it string, with the other values as they were written.
struct JSONRawColumn: Sendable {
    /// Leaf bytes (string content unescaped, everything else as JSON text), each tagged with its
    /// JSONKind (null for a null or absent value) and the `Tag` bits. Each column needs its own
    /// buffer: make columns one by one, never by copying one.
    var fields = FieldBuffer()

    /// A field's tag: its JSONKind in the low bits, and what the statistics need to count it
    /// again when the parallel reader joins part of a slice's column into a chunk's.
    enum Tag {
        static let kind: UInt8 = 0x07
        /// A missing key (a null without the bit is a `null` token).
        static let absent: UInt8 = 0x80
        /// A string classified as a date or timestamp candidate; the two bits that follow are the result.
        static let classified: UInt8 = 0x40
        static let date: UInt8 = 0x20
        static let timestamp: UInt8 = 0x10
    }
    /// One bit per kind seen.
    var kindMask: UInt8 = 0
    /// The date and timestamp candidate bits (ValueParser) left after every string value.
    var stringMask: UInt8 = ValueParser.date | ValueParser.timestamp
    var ingestion = IngestionStatistics()

    init() {}

    /// A column first seen at row `rows` of a chunk: the earlier rows are null.
    init(nullRows rows: Int, capacity: Int) {
        fields.reserve(rows: capacity)
        for _ in 0..<rows { appendAbsent() }
    }

    mutating func reset() {
        fields.removeAll()
        kindMask = 0
        stringMask = ValueParser.date | ValueParser.timestamp
        ingestion = IngestionStatistics()
    }

    var count: Int { fields.count }

    /// A row where the key is missing.
    @inline(__always) mutating func appendAbsent() {
        fields.appendNull(tag: JSONKind.null | Tag.absent)
    }

    /// The JSONKind of row `row`.
    @inline(__always) func kind(_ row: Int) -> UInt8 { fields.tag(row) & Tag.kind }

    /// Appends one leaf.
    @inline(__always) mutating func append(kind: UInt8, _ bytes: UnsafeRawBufferPointer) {
        if kind == JSONKind.null {
            fields.appendNull(tag: JSONKind.null)
            ingestion.nullTokens += 1
            return
        }
        let classification = count(kind: kind, bytes) { bytes.count >= 10 ? ValueParser.classify(bytes) : 0 }
        fields.append(bytes, tag: kind | classification)
    }

    /// Counts one value of `kind` (not null) in the kinds and the ingestion statistics. For a
    /// string, while the mask still needs it, `candidates` gives its date and timestamp bits,
    /// which narrow the mask; returns them as tag bits (`Tag.classified` and the result), or 0.
    @inline(__always) private mutating func count(kind: UInt8, _ bytes: UnsafeRawBufferPointer, candidates: () -> UInt8) -> UInt8 {
        kindMask |= 1 << kind
        switch kind {
        case JSONKind.bool: ingestion.parsedAs[Int(LogicalType.bool.rawValue)] += 1
        case JSONKind.int: ingestion.parsedAs[Int(LogicalType.int64.rawValue)] += 1
        case JSONKind.float: ingestion.parsedAs[Int(LogicalType.float64.rawValue)] += 1
        case JSONKind.string:
            ingestion.parsedAs[Int(LogicalType.string.rawValue)] += 1
            if bytes.isEmpty { ingestion.emptyStrings += 1 }
            guard stringMask != 0 else { return 0 }
            let m = candidates()
            stringMask &= m
            if m & ValueParser.date != 0 { ingestion.parsedAs[Int(LogicalType.date.rawValue)] += 1 }
            if m & ValueParser.timestamp != 0 { ingestion.parsedAs[Int(LogicalType.timestamp.rawValue)] += 1 }
            return Tag.classified | (m & ValueParser.date != 0 ? Tag.date : 0) | (m & ValueParser.timestamp != 0 ? Tag.timestamp : 0)
        default: ingestion.parsedAs[Int(LogicalType.json.rawValue)] += 1
        }
        return 0
    }

    /// Appends rows `range` of `other` as if each had been appended here on its own (the
    /// parallel reader joins the rows its slices parsed into chunks): the kinds, the ingestion
    /// statistics and the string mask come out as they would have, since every tag says what
    /// its field counted as. A string `other` did not classify (its own mask was empty by then)
    /// is classified here if this column's mask still needs it.
    mutating func append(contentsOf other: JSONRawColumn, range: Range<Int>) {
        fields.append(contentsOf: other.fields, range: range)
        for row in range {
            let tag = other.fields.tag(row)
            let kind = tag & Tag.kind
            if kind == JSONKind.null {
                if tag & Tag.absent == 0 { ingestion.nullTokens += 1 }
                continue
            }
            let bytes = other.fields.field(row)
            _ = count(kind: kind, bytes) {
                if tag & Tag.classified != 0 {
                    return (tag & Tag.date != 0 ? ValueParser.date : 0) | (tag & Tag.timestamp != 0 ? ValueParser.timestamp : 0)
                }
                return bytes.count >= 10 ? ValueParser.classify(bytes) : 0
            }
        }
    }

    /// Appends `n` rows where the key is missing.
    mutating func appendAbsent(_ n: Int) {
        for _ in 0..<n { appendAbsent() }
    }

    private func has(_ kind: UInt8) -> Bool { kindMask & (1 << kind) != 0 }

    /// The type a leaf of `kind` needs on its own.
    private func natural(_ kind: UInt8) -> LogicalType {
        switch kind {
        case JSONKind.null: .null
        case JSONKind.bool: .bool
        case JSONKind.int: .int64
        case JSONKind.float: .float64
        case JSONKind.string: stringMask & ValueParser.date != 0 ? .date : stringMask & ValueParser.timestamp != 0 ? .timestamp : .string
        default: .json
        }
    }

    /// The type this chunk's values will be stored as.
    func chosenType() -> LogicalType {
        if kindMask == 0 { return .null }
        if has(JSONKind.json) { return .json }
        let texts = has(JSONKind.string)
        let others = kindMask & ~(1 << JSONKind.string)
        if texts { return others == 0 ? natural(JSONKind.string) : .string }
        if has(JSONKind.bigNumber) { return has(JSONKind.bool) ? .string : .json }
        if has(JSONKind.bool) { return others == 1 << JSONKind.bool ? .bool : .string }
        return has(JSONKind.float) ? .float64 : .int64
    }

    /// Converts the leaves to a typed column; also returns the row of the
    /// first value that needed the chosen type.
    func finish() -> (ColumnVector, firstRow: Int) {
        let type = chosenType()
        var firstRow = 0
        var running = LogicalType.null
        for row in 0..<count where kind(row) != JSONKind.null {
            running = running.widened(with: natural(kind(row)))
            if running == type || running.widened(with: type) != type {
                firstRow = row
                break
            }
        }
        if type == .string && kindMask == 1 << JSONKind.string { return (fields.vector(type: .string), firstRow) }
        if type == .null { return (ColumnVector.nulls(type: .null, count: count), 0) }
        var out = ColumnVector(type: type, capacity: count)
        for row in 0..<count {
            let k = kind(row)
            guard k != JSONKind.null else { out.appendNull(); continue }
            let p = fields.field(row)
            switch type {
            case .bool:
                out.append(p.count == 4)
            case .int64:
                out.append(ValueParser.parseInt(p) ?? 0)
            case .float64:
                if k == JSONKind.int, let v = ValueParser.parseInt(p) { out.append(Double(v)) } else { out.append(ValueParser.parseDouble(p) ?? .nan) }
            case .date:
                if let d = ValueParser.parseDate(p) { out.append(date: d) } else { out.appendNull() }
            case .timestamp:
                if let t = ValueParser.parseTimestamp(p) { out.append(t) } else { out.appendNull() }
            case .json where k == JSONKind.string:
                var quoted: [UInt8] = []
                CanonicalText.appendJSONString(p, to: &quoted)
                out.append(utf8: quoted)
            default:
                out.append(bytes: p)
            }
        }
        return (out, firstRow)
    }
}

/// A chunk of JSON columns handed from the reader thread to the encoders.
struct JSONChunk: RecyclableChunk {
    var columns: [JSONRawColumn] = []
    var rows = 0
    /// The 1-based input line where each row starts.
    var lines: [Int] = []
    /// Each row's record bytes, kept by a slice of the parallel reader only (the chunk rule counts them).
    var recordBytes: [Int] = []
    /// Input bytes read when the chunk was handed off (for progress).
    var inputBytes = 0
    /// Columns first seen while this chunk was read, in column order.
    var newColumns: [ColumnDescriptor] = []

    mutating func reset() {
        for j in 0..<columns.count { columns[j].reset() }
        rows = 0
        lines.removeAll(keepingCapacity: true)
        recordBytes.removeAll(keepingCapacity: true)
        inputBytes = 0
        newColumns.removeAll()
    }
}
