import ColFormat

/// One column of a chunk as it is read: the field bytes, and the set of
/// types every value so far could be.
///
/// Inference has no second pass over the input: a chunk's raw fields are
/// kept until the chunk is full, then converted once to the narrowest type
/// that holds every one of them (lossless: text that is not exactly a value
/// of that type makes the chunk a string chunk). Chunks of one column may
/// end up with different types; the writer widens the column and records where.
struct RawColumn: Sendable {
    /// Field bytes; a null field is a null row. Each column needs its own buffer:
    /// make columns with `RawColumn()` one by one, never by copying one.
    var fields = FieldBuffer()
    /// The candidate types of every non-empty value so far (ValueParser bits).
    var mask: UInt8 = ValueParser.all
    /// For each candidate bit, the chunk row where a value first ruled it out.
    var lostAt: [Int] = [Int](repeating: 0, count: 5)
    /// Non-empty values seen.
    var values = 0
    /// Quoted empty fields (empty strings, not nulls).
    var quotedEmpty = 0
    /// Null tokens and empty strings; the per-type counts are kept apart (`parsed`)
    /// and folded in by `statistics`.
    var ingestion = IngestionStatistics()
    /// Values that parsed as bool, int64, float64, date, timestamp, and as none of them:
    /// plain fields, so counting does no copy-on-write check per value.
    private var parsed = SIMD8<UInt64>()

    /// Empties the column for the next chunk, keeping its buffers.
    mutating func reset() {
        fields.removeAll()
        mask = ValueParser.all
        for i in 0..<lostAt.count { lostAt[i] = 0 }
        values = 0
        quotedEmpty = 0
        ingestion = IngestionStatistics()
        parsed = SIMD8()
    }

    /// The column's ingestion statistics for this chunk.
    var statistics: IngestionStatistics {
        var s = ingestion
        let types: [LogicalType] = [.bool, .int64, .float64, .date, .timestamp, .string]
        for (k, type) in types.enumerated() { s.parsedAs[Int(type.rawValue)] += parsed[k] }
        return s
    }

    /// The field tag of a null (`FieldBuffer.tag`); a value's tag is its candidate-type bits.
    static let nullTag: UInt8 = 0x80
    /// The field tag of a quoted empty field (an empty string).
    static let emptyTag: UInt8 = 0x40

    @inline(__always) mutating func appendNull() {
        fields.appendNull(tag: Self.nullTag)
        ingestion.nullTokens += 1
    }

    /// Appends one non-null field.
    @inline(__always) mutating func append(_ p: UnsafeRawBufferPointer) {
        if p.isEmpty {
            fields.append(p, tag: Self.emptyTag)
            quotedEmpty += 1
            ingestion.emptyStrings += 1
            return
        }
        let m = ValueParser.classify(p)
        fields.append(p, tag: m)
        count(value: m, row: fields.count - 1)
    }

    /// Counts a value with candidate bits `m` at chunk row `row`.
    @inline(__always) private mutating func count(value m: UInt8, row: Int) {
        values += 1
        let kept = mask & m
        if kept != mask {
            var lost = mask & ~m
            while lost != 0 {
                let bit = lost.trailingZeroBitCount
                lostAt[bit] = row
                lost &= lost - 1
            }
            mask = kept
        }
        parsed &+= SIMD8(m & ValueParser.bool != 0 ? 1 : 0, m & ValueParser.int != 0 ? 1 : 0, m & ValueParser.float != 0 ? 1 : 0,
                         m & ValueParser.date != 0 ? 1 : 0, m & ValueParser.timestamp != 0 ? 1 : 0, m == 0 ? 1 : 0, 0, 0)
    }

    /// Appends the rows `range` of `other` (a piece a slice of the parallel reader parsed), as
    /// if its fields had been appended one by one: the same bytes, candidate types, first rows
    /// where a type was ruled out, and counts.
    mutating func append(contentsOf other: RawColumn, range: Range<Int>) {
        let base = fields.count
        fields.append(contentsOf: other.fields, range: range)
        if range == 0..<other.fields.count {
            // All of it: its summary is exact.
            var lost = mask & ~other.mask
            while lost != 0 {
                let bit = lost.trailingZeroBitCount
                lostAt[bit] = base + other.lostAt[bit]
                lost &= lost - 1
            }
            mask &= other.mask
            values += other.values
            quotedEmpty += other.quotedEmpty
            ingestion.merge(other.ingestion)
            parsed &+= other.parsed
            return
        }
        for i in range {
            let tag = other.fields.tag(i)
            if tag == Self.nullTag {
                ingestion.nullTokens += 1
            } else if tag == Self.emptyTag {
                quotedEmpty += 1
                ingestion.emptyStrings += 1
            } else {
                count(value: tag, row: base + i - range.lowerBound)
            }
        }
    }

    /// The type this chunk's values will be stored as.
    func chosenType(override: LogicalType?) -> (LogicalType, firstRow: Int) {
        if let override { return (override, 0) }
        if values == 0 { return (quotedEmpty > 0 ? .string : .null, 0) }
        let order: [(UInt8, LogicalType)] = [
            (ValueParser.bool, .bool), (ValueParser.int, .int64), (ValueParser.float, .float64),
            (ValueParser.date, .date), (ValueParser.timestamp, .timestamp),
        ]
        var firstRow = 0
        for (bit, type) in order {
            if mask & bit != 0 { return (type, firstRow) }
            // Candidates bool and date are not on the int64 → float64 path; only count losses on the way.
            firstRow = max(firstRow, lostAt[bit.trailingZeroBitCount])
        }
        return (.string, firstRow)
    }

    /// Converts the raw fields to a typed column. Returns the values that do
    /// not fit `type` (only possible with a --schema override) as row indices.
    /// A field's tag (its candidate types) picks the one parser that reads it as
    /// `type`; a field that is not a candidate (a --schema type) tries them all, as before.
    func finish(as type: LogicalType) -> (ColumnVector, rejected: [Int]) {
        if type == .string || type == .json { return (fields.vector(type: type), []) }
        var out = ColumnVector(type: type, capacity: fields.count)
        var rejected: [Int] = []
        for i in 0..<fields.count {
            let tag = fields.tag(i)
            guard tag != Self.nullTag, tag != Self.emptyTag else { out.appendNull(); continue }
            let p = fields.field(i)
            switch type {
            case .bool:
                if let b = ValueParser.parseBool(p) { out.append(b); continue }
            case .int64:
                if let v = ValueParser.parseInt(p) { out.append(v); continue }
            case .float64:
                // An integer's text reads as that integer, a decimal's as a double; text that is
                // neither candidate (a --schema type) tries both, integers first.
                let asInteger = tag & ValueParser.int != 0
                let asDecimal = !asInteger && tag & ValueParser.float != 0
                if !asDecimal, let v = ValueParser.parseInt(p) { out.append(Double(v)); continue }
                if !asInteger, asDecimal || !ValueParser.isIntegerShaped(p), let v = ValueParser.parseDouble(p) { out.append(v); continue }
            case .date:
                if let d = ValueParser.parseDate(p) { out.append(date: d); continue }
            case .timestamp:
                if let t = ValueParser.parseTimestamp(p) { out.append(t); continue }
            default:
                break
            }
            rejected.append(i)
            out.appendNull()
        }
        return (out, rejected)
    }
}

/// A chunk of raw columns handed from the tokenizer to the encoders.
struct RawChunk: RecyclableChunk {
    var columns: [RawColumn]
    var rows: Int
    /// The 1-based input line of each row (for errors found when converting).
    var lines: [Int]
    /// Input bytes read when the chunk was handed off (for progress).
    var inputBytes = 0
    /// Whether `recordBytes` is kept: only in the parallel reader's fragments, which are cut into
    /// chunks later (the serial reader cuts as it reads, and saves the memory).
    var keepsRecordBytes = false
    /// What each row counts towards `ConversionOptions.chunkBytes`: its fields' bytes plus 4 per
    /// field, null tokens included.
    var recordBytes: [Int] = []

    /// Appends the row count and lines (and record bytes, when kept) of rows `range` of `other`, a fragment parsed
    /// by a slice of the parallel reader whose lines are counted from 1: `lineBase` is the input's
    /// line where the slice started, less one. The reader appends the columns themselves, in parallel.
    mutating func appendRowFacts(of other: RawChunk, range: Range<Int>, lineBase: Int) {
        lines.reserveCapacity(lines.count + range.count)
        for r in range { lines.append(other.lines[r] + lineBase) }
        if keepsRecordBytes { recordBytes.append(contentsOf: other.recordBytes[range]) }
        rows += range.count
    }

    /// Empties the chunk for reuse, keeping every buffer's capacity.
    mutating func reset() {
        for j in 0..<columns.count { columns[j].reset() }
        rows = 0
        lines.removeAll(keepingCapacity: true)
        recordBytes.removeAll(keepingCapacity: true)
        inputBytes = 0
    }
}
