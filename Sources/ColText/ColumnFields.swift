import ColFormat

// # Rows as text, a column at a time
//
// Design. Export writes millions of values, and a row-at-a-time writer paid for
// each one a copy of its column (seven arrays, so seven retains and releases)
// and a type switch: 40% of `colconv x.col out.csv` went to reference counting.
// `RowWriter.appendRows` instead renders each column's fields for a range of
// rows into one buffer, in a loop over that column's typed storage, and only
// then interleaves the rows: one exact-size allocation and one copy per field.
// The text is the row-at-a-time rule's, byte for byte (RowTextTests and the
// export goldens pin it).

/// Columns' fields for a range of rows, column after column in one buffer.
enum ColumnFields {
    /// Appends the fields of rows `range` of `v` to `bytes`, and where each ends to `ends`:
    /// delimited fields (a null is empty, quoting as `DelimitedText` says) when `delimiter` is
    /// given, JSON values (a null is `null`) otherwise. The type is decided once, and each loop
    /// reads the column's storage through one buffer pointer.
    static func render(_ v: ColumnVector, rows range: Range<Int>, delimiter: UInt8?, bytes: inout [UInt8], ends: inout [Int]) {
        let json = delimiter == nil
        v.validityWords.withUnsafeBufferPointer { validity in
            func each(quoting: Bool, _ value: (Int, inout [UInt8]) -> Void) {
                Self.render(range, validity: validity, isNull: v.type == .null, json: json, delimiter: quoting ? delimiter : nil,
                            bytes: &bytes, ends: &ends, value)
            }
            // Numbers, bools, dates and timestamps are quoted only if the delimiter is a byte they use.
            switch v.type {
            case .null:
                each(quoting: false) { _, _ in }
            case .bool:
                v.bools.withUnsafeBufferPointer { values in
                    each(quoting: !json) { i, out in CanonicalText.appendBool(values[i], to: &out) }
                }
            case .int64:
                v.int64s.withUnsafeBufferPointer { values in
                    each(quoting: !json) { i, out in CanonicalText.appendInt(values[i], to: &out) }
                }
            case .float64:
                v.float64s.withUnsafeBufferPointer { values in
                    // NaN and the infinities are JSON strings.
                    each(quoting: !json) { i, out in
                        Self.quoted(json && !values[i].isFinite, &out) { CanonicalText.appendDouble(values[i], to: &$0) }
                    }
                }
            case .date:
                // Dates and timestamps are JSON strings.
                v.dates.withUnsafeBufferPointer { values in
                    each(quoting: !json) { i, out in Self.quoted(json, &out) { CanonicalText.appendDate(values[i], to: &$0) } }
                }
            case .timestamp:
                v.int64s.withUnsafeBufferPointer { values in
                    each(quoting: !json) { i, out in Self.quoted(json, &out) { CanonicalText.appendTimestamp(values[i], to: &$0) } }
                }
            case .string, .json:
                let embed = v.type == .json
                v.offsets.withUnsafeBufferPointer { offsets in
                    v.bytes.withUnsafeBufferPointer { all in
                        // Strings are quoted or escaped as they are copied.
                        each(quoting: false) { i, out in
                            let field = UnsafeBufferPointer(rebasing: all[Int(offsets[i])..<Int(offsets[i + 1])])
                            if let delimiter {
                                DelimitedText.appendField(field, delimiter: delimiter, quoteEmpty: true, to: &out)
                            } else if embed {
                                out.append(contentsOf: field)
                            } else {
                                CanonicalText.appendJSONString(field, to: &out)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Renders each row of `range` with `value` (valid rows only) into `bytes`, marking its end in
    /// `ends`; quotes a field that holds `quotingDelimiter` (or a quote, CR or LF) when one is given.
    /// The buffers are parameters, not captured: a closure that captures a variable it changes
    /// pays a dynamic exclusivity check on every access.
    private static func render(_ range: Range<Int>, validity: UnsafeBufferPointer<UInt64>, isNull: Bool, json: Bool,
                               delimiter quotingDelimiter: UInt8?, bytes: inout [UInt8], ends: inout [Int],
                               _ value: (Int, inout [UInt8]) -> Void) {
        for i in range {
            guard !isNull, validity[i >> 6] & (1 << UInt64(i & 63)) != 0 else {
                if json { bytes.append(contentsOf: null) }
                ends.append(bytes.count)
                continue
            }
            let start = bytes.count
            value(i, &bytes)
            if let d = quotingDelimiter, DelimitedText.needsQuotes(bytes[start...], delimiter: d) {
                let text = Array(bytes[start...])
                bytes.removeSubrange(start...)
                DelimitedText.appendField(text, delimiter: d, to: &bytes)
            }
            ends.append(bytes.count)
        }
    }

    /// Appends what `body` writes, between double quotes when `quote` is set.
    @inline(__always) private static func quoted(_ quote: Bool, _ out: inout [UInt8], _ body: (inout [UInt8]) -> Void) {
        if quote { out.append(0x22) }
        body(&out)
        if quote { out.append(0x22) }
    }

    static let null: [UInt8] = Array("null".utf8)
}

/// Copies `n` bytes. Fields and keys are mostly a few bytes long, where a call to `memmove`
/// costs more than the copy: up to 16 bytes move as two overlapping 8-byte (or 4-byte) words.
@inline(__always) private func copy(_ n: Int, from: UnsafePointer<UInt8>, to: UnsafeMutablePointer<UInt8>) {
    let source = UnsafeRawPointer(from), target = UnsafeMutableRawPointer(to)
    switch n {
    case 0:
        return
    case 1..<4:
        to[0] = from[0]
        to[n >> 1] = from[n >> 1]
        to[n - 1] = from[n - 1]
    case 4..<8:
        let head = source.loadUnaligned(as: UInt32.self), tail = source.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
        target.storeBytes(of: head, as: UInt32.self)
        target.storeBytes(of: tail, toByteOffset: n - 4, as: UInt32.self)
    case 8...16:
        let head = source.loadUnaligned(as: UInt64.self), tail = source.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        target.storeBytes(of: head, as: UInt64.self)
        target.storeBytes(of: tail, toByteOffset: n - 8, as: UInt64.self)
    default:
        to.initialize(from: from, count: n)
    }
}

extension RowWriter {
    /// Appends rows `range` of `columns` (one per name, in order), each ending with a newline,
    /// rendered a column at a time.
    package func appendRows(_ range: Range<Int>, of columns: [ColumnVector], to out: inout [UInt8]) {
        guard !range.isEmpty else { return }
        var delimiter: UInt8?
        if case let .delimited(d) = format { delimiter = d }
        let rows = range.count
        var bytes: [UInt8] = []
        var ends: [Int] = []
        bytes.reserveCapacity(rows * columns.count * 8)
        ends.reserveCapacity(rows * columns.count)
        for column in columns { ColumnFields.render(column, rows: range, delimiter: delimiter, bytes: &bytes, ends: &ends) }
        // The exact size: the fields, and per row the separators, the keys and the newline.
        var keyBytes = 0
        for k in keys { keyBytes += k.count }
        let separators = max(columns.count - 1, 0)
        let total = bytes.count + rows * (1 + separators + (delimiter == nil ? 2 + keyBytes : 0))
        // The keys one after another, and where each starts.
        let keyText = keys.flatMap { $0 }
        var keyStarts = [0]
        for k in keys { keyStarts.append(keyStarts[keyStarts.count - 1] + k.count) }
        // Written in place at the end of `out`, so a caller that empties and refills one buffer
        // (export does, block after block) reuses its memory.
        let base = out.count
        out.append(contentsOf: repeatElement(0, count: total))
        out.withUnsafeMutableBufferPointer { buffer in
            guard let to = buffer.baseAddress.map({ $0 + base }) else { return }
            bytes.withUnsafeBufferPointer { fields in
                ends.withUnsafeBufferPointer { ends in
                    keyText.withUnsafeBufferPointer { keyBytes in
                        let from = fields.baseAddress
                        var at = 0
                        for r in 0..<rows {
                            if delimiter == nil { to[at] = UInt8(ascii: "{"); at += 1 }
                            for j in 0..<columns.count {
                                if j > 0 { to[at] = delimiter ?? UInt8(ascii: ","); at += 1 }
                                if delimiter == nil, let key = keyBytes.baseAddress {
                                    let n = keyStarts[j + 1] - keyStarts[j]
                                    copy(n, from: key + keyStarts[j], to: to + at)
                                    at += n
                                }
                                // Field (r, j) is number j·rows + r, and starts where the one before it ends.
                                let k = j * rows + r
                                let start = k == 0 ? 0 : ends[k - 1]
                                let n = ends[k] - start
                                if let from { copy(n, from: from + start, to: to + at) }
                                at += n
                            }
                            if delimiter == nil { to[at] = UInt8(ascii: "}"); at += 1 }
                            to[at] = 0x0A
                            at += 1
                        }
                    }
                }
            }
        }
    }
}
