import ColBytes

/// Decodes an uncompressed page (validity, then values) into a `ColumnVector`,
/// with the encoding's own `decode` (see PageEncoding.swift).
///
/// Every count is checked against the row count and the bytes left before
/// anything is allocated, and the page must be consumed exactly: trailing
/// bytes are corruption too. Text is bounded by `maxStringBytes` (what the
/// directory says the chunk decodes to) before it is gathered.
enum PageDecoder {
    static func decode(
        _ page: [UInt8], type: LogicalType, rows: Int, encoding: Encoding, baseOffset: Int = 0,
        maxStringBytes: Int = Int(UInt32.max)
    ) throws(BinaryDecodingError) -> ColumnVector {
        var r = ByteReader(page, baseOffset: baseOffset)
        let at = r.offset
        let (validity, nulls) = try Validity.read(&r, rows: rows)
        var out = ColumnVector(type: type, count: rows, nullCount: nulls, validityWords: validity)
        let k = rows - nulls
        if type == .null {
            guard nulls == rows else { throw .invalid("null column with values", offset: at) }
        } else {
            try decodeValues(&r, into: &out, k: k, encoding: encoding, maxStringBytes: min(maxStringBytes, Int(UInt32.max)))
        }
        guard r.isAtEnd else { throw .invalid("\(r.remaining) trailing byte(s) in page", offset: r.offset) }
        return out
    }

    /// Expands `k` dense values into the row slots of `out`.
    private static func scatter<T>(_ dense: [T], into slots: inout [T], zero: T, validity: ColumnVector) {
        if dense.count == validity.count { slots = dense; return }
        slots = [T](repeating: zero, count: validity.count)
        var j = 0
        for i in 0..<validity.count where validity.isValid(i) {
            slots[i] = dense[j]
            j += 1
        }
    }

    private static func decodeValues(
        _ r: inout ByteReader, into out: inout ColumnVector, k: Int, encoding: Encoding, maxStringBytes: Int
    ) throws(BinaryDecodingError) {
        let type = out.type
        guard encoding.applies(to: type) else {
            throw .invalid("encoding \(encoding) for \(type)", offset: r.offset)
        }
        if k == 0 {
            switch type {
            case .bool: out.bools = [Bool](repeating: false, count: out.count)
            case .int64, .timestamp: out.int64s = [Int64](repeating: 0, count: out.count)
            case .date: out.dates = [Int32](repeating: 0, count: out.count)
            case .float64: out.float64s = [Double](repeating: 0, count: out.count)
            case .string, .json: out.offsets = [UInt32](repeating: 0, count: out.count + 1)
            case .null: break
            }
            return
        }
        switch type {
        case .bool:
            guard let implementation = encoding.bool else { throw .invalid("encoding \(encoding) for \(type)", offset: r.offset) }
            scatter(try implementation.decode(&r, count: k), into: &out.bools, zero: false, validity: out)
        case .int64, .timestamp, .date, .float64:
            guard let implementation = encoding.fixedWidth else {
                throw .invalid("encoding \(encoding) for \(type)", offset: r.offset)
            }
            let dense = try implementation.decode(&r, type: type, count: k)
            switch type {
            case .float64: scatter(dense.map { Double(bitPattern: $0) }, into: &out.float64s, zero: 0, validity: out)
            case .date:
                var ds = [Int32]()
                ds.reserveCapacity(k)
                for x in dense {
                    let v = Int64(bitPattern: x)
                    guard let d = Int32(exactly: v), abs(v) <= Int64(Layout.maxDateDays) else { throw .invalid("date out of range", offset: r.offset) }
                    ds.append(d)
                }
                scatter(ds, into: &out.dates, zero: 0, validity: out)
            default: scatter(dense.map { Int64(bitPattern: $0) }, into: &out.int64s, zero: 0, validity: out)
            }
        case .string, .json:
            guard let implementation = encoding.byteString else {
                throw .invalid("encoding \(encoding) for \(type)", offset: r.offset)
            }
            let (dense, data) = try implementation.decode(&r, count: k)
            var offsets = [UInt32]()
            offsets.reserveCapacity(out.count + 1)
            offsets.append(0)
            // Dictionary and run-length pages expand: add up the text before allocating it.
            var total = 0
            for range in dense {
                total += range.count
                guard total <= maxStringBytes else {
                    throw .invalid("string data over \(maxStringBytes) bytes", offset: r.offset)
                }
            }
            var bytes = [UInt8]()
            bytes.reserveCapacity(total)
            var j = 0
            for i in 0..<out.count {
                if out.isValid(i) {
                    bytes.append(contentsOf: data[dense[j]])
                    j += 1
                }
                offsets.append(UInt32(truncatingIfNeeded: bytes.count))
            }
            if type == .string, String(validating: bytes, as: UTF8.self) == nil {
                throw .invalid("UTF-8 in string column", offset: r.offset)
            }
            out.offsets = offsets
            out.bytes = bytes
        case .null:
            break
        }
    }
}
