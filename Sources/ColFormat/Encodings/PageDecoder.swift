#if canImport(Glibc)
import Glibc
#endif
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

    /// Moves the `k` dense values at the front of `slots` (one per row) to their rows, in
    /// place, and zeroes the null rows: from the back, a value never moves down onto one not yet
    /// moved. A validity word at a time: a word with no null moves its 64 values as one block.
    private static func expand(_ slots: UnsafeMutablePointer<UInt64>, k: Int, validity: [UInt64], rows: Int) {
        guard k < rows else { return }
        validity.withUnsafeBufferPointer { words in
            var j = k  // values not yet moved: slots[0..<j]
            var w = (rows - 1) >> 6
            while w >= 0 {
                let first = w << 6
                let count = min(64, rows - first)
                let bits = words[w] & (count == 64 ? ~0 : (1 << UInt64(count)) - 1)
                if bits.nonzeroBitCount == count {
                    j -= count
                    // The source may overlap the destination: memmove.
                    if j != first { memmove(slots + first, slots + j, count * MemoryLayout<UInt64>.stride) }
                } else {
                    // Without branches (nulls fall anywhere): j steps back only for a value, and a
                    // null row takes zero. slots[j] is in bounds either way (j ≤ i), and is read before row i is written.
                    var i = first + count - 1
                    while i >= first {
                        let valid = (bits >> UInt64(i - first)) & 1
                        j -= Int(valid)
                        slots[i] = slots[j] & (0 &- valid)
                        i -= 1
                    }
                }
                w -= 1
            }
        }
    }

    /// Whether every value of a string column is UTF-8 on its own. The text as a whole is checked
    /// in one pass; then no value may start with a continuation byte, which is what a value cut
    /// inside a character (`C3` | `A9`) would leave: valid text with no value starting inside a
    /// character has every value valid.
    static func isValidUTF8(_ bytes: [UInt8], offsets: [UInt32]) -> Bool {
        bytes.withUnsafeBytes { text in
            guard firstInvalidUTF8(text) == nil else { return false }
            return offsets.withUnsafeBufferPointer { o in
                for i in 0..<(o.count - 1) where o[i] < o[i + 1] && text[Int(o[i])] & 0xC0 == 0x80 { return false }
                return true
            }
        }
    }

    /// Decodes `k` fixed-width values with `implementation` straight into an array of one slot
    /// per row (Int64 and Double share the keys' layout), then moves them to their rows.
    private static func decodeSlots<T>(
        _ implementation: any FixedWidthEncoding.Type, _ r: inout ByteReader, type: LogicalType, k: Int, out: ColumnVector, as: T.Type
    ) throws(BinaryDecodingError) -> [T] {
        var reader = r
        let slots = try decodedBlock(count: out.count, as: T.self) { p throws(BinaryDecodingError) in
            try implementation.decode(&reader, type: type, count: k, into: p)
            expand(p, k: k, validity: out.validityWords, rows: out.count)
        }
        r = reader
        return slots
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
            switch type {
            case .float64: out.float64s = try decodeSlots(implementation, &r, type: type, k: k, out: out, as: Double.self)
            case .date:
                let dense = try decodeSlots(implementation, &r, type: type, k: k, out: out, as: Int64.self)
                var ds = [Int32]()
                ds.reserveCapacity(out.count)
                for v in dense {
                    guard v >= -Int64(Layout.maxDateDays) && v <= Int64(Layout.maxDateDays) else {
                        throw .invalid("date out of range", offset: r.offset)
                    }
                    ds.append(Int32(truncatingIfNeeded: v))
                }
                out.dates = ds
            default: out.int64s = try decodeSlots(implementation, &r, type: type, k: k, out: out, as: Int64.self)
            }
        case .string, .json:
            guard let implementation = encoding.byteString else {
                throw .invalid("encoding \(encoding) for \(type)", offset: r.offset)
            }
            let (dense, data) = try implementation.decode(&r, count: k)
            // Dictionary and run-length pages expand: add up the text before allocating it.
            var total = 0
            var contiguous = true
            for (j, range) in dense.enumerated() {
                total += range.count
                guard total <= maxStringBytes else {
                    throw .invalid("string data over \(maxStringBytes) bytes", offset: r.offset)
                }
                if range.lowerBound != total - range.count || (j == 0 && range.lowerBound != 0) { contiguous = false }
            }
            // Values that follow each other in `data` and fill it (plain pages) are the text as it is.
            let bytes: [UInt8]
            if contiguous && total == data.count {
                bytes = data
            } else {
                bytes = [UInt8](ownedCapacity: total) { buffer, initialized in
                    data.withUnsafeBufferPointer { from in
                        guard let to = buffer.baseAddress, let source = from.baseAddress else { return }
                        var at = 0
                        let sourceEnd = data.count
                        for range in dense {
                            let n = range.count
                            if n <= 16 && at + 16 <= total && range.lowerBound + 16 <= sourceEnd {
                                // A short value (categories, codes) as two 8-byte moves, not a call to memcpy:
                                // the bytes past it are overwritten by the next value, and stay inside both buffers.
                                let from = UnsafeRawPointer(source + range.lowerBound), into = UnsafeMutableRawPointer(to + at)
                                into.storeBytes(of: from.loadUnaligned(as: UInt64.self), as: UInt64.self)
                                (into + 8).storeBytes(of: (from + 8).loadUnaligned(as: UInt64.self), as: UInt64.self)
                            } else if n > 0 {
                                (to + at).initialize(from: source + range.lowerBound, count: n)
                            }
                            at += n
                        }
                    }
                    initialized = total
                }
            }
            let rows = out.count
            let validity = out.validityWords
            let offsets = [UInt32](ownedCapacity: rows + 1) { buffer, initialized in
                validity.withUnsafeBufferPointer { words in
                    var end = 0
                    var j = 0
                    buffer[0] = 0
                    for i in 0..<rows {
                        if words[i >> 6] & (1 << UInt64(i & 63)) != 0 {
                            end += dense[j].count
                            j += 1
                        }
                        buffer[i + 1] = UInt32(truncatingIfNeeded: end)
                    }
                }
                initialized = rows + 1
            }
            if type == .string && !isValidUTF8(bytes, offsets: offsets) {
                throw .invalid("UTF-8 in string column", offset: r.offset)
            }
            out.offsets = offsets
            out.bytes = bytes
        case .null:
            break
        }
    }
}
