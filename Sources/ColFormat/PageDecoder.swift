import ColSketches

/// Decodes an uncompressed page (validity, then values) into a `ColumnVector`.
///
/// Every count is checked against the row count and the bytes left before
/// anything is allocated, and the page must be consumed exactly: trailing
/// bytes are corruption too.
enum PageDecoder {
    static func decode(
        _ page: [UInt8], type: LogicalType, rows: Int, encoding: Encoding, baseOffset: Int = 0
    ) throws(BinaryDecodingError) -> ColumnVector {
        var r = ByteReader(page, baseOffset: baseOffset)
        let words = (rows + 63) / 64
        var validity = [UInt64](repeating: 0, count: words)
        var nulls = 0
        let at = r.offset
        switch ValidityEncoding(rawValue: try r.readUInt8()) {
        case .allValid?:
            for i in 0..<words { validity[i] = ~0 }
            if rows & 63 != 0 { validity[words - 1] = (1 << UInt64(rows & 63)) - 1 }
        case .allNull?:
            nulls = rows
        case .bitmap?:
            let n = (rows + 7) / 8
            let raw = try r.readRaw(n)
            for (i, b) in raw.enumerated() { validity[i >> 3] |= UInt64(b) << UInt64((i & 7) * 8) }
            if rows & 7 != 0, let last = raw.last, last >> UInt8(rows & 7) != 0 {
                throw .invalid("validity bitmap padding", offset: r.offset - 1)
            }
            var valid = 0
            for w in validity { valid += w.nonzeroBitCount }
            nulls = rows - valid
        case .runs?:
            let runCount = try r.readCount(limit: rows + 1, minBytesEach: 1)
            var row = 0
            for n in 0..<runCount {
                let runAt = r.offset
                let len = try r.readCount(limit: rows - row)
                if n % 2 == 0 {
                    for i in row..<(row + len) { validity[i >> 6] |= 1 << UInt64(i & 63) }
                } else {
                    nulls += len
                }
                row += len
                if len == 0 && n > 0 { throw .invalid("empty validity run", offset: runAt) }
            }
            guard row == rows else { throw .invalid("validity runs cover \(row) of \(rows) rows", offset: at) }
        case nil:
            throw .invalid("validity encoding", offset: at)
        }
        var out = ColumnVector(type: type, count: rows, nullCount: nulls, validityWords: validity)
        let k = rows - nulls
        if type == .null {
            guard nulls == rows else { throw .invalid("null column with values", offset: at) }
        } else {
            try decodeValues(&r, into: &out, k: k, encoding: encoding)
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
        _ r: inout ByteReader, into out: inout ColumnVector, k: Int, encoding: Encoding
    ) throws(BinaryDecodingError) {
        let type = out.type
        guard Encoding.candidates(for: type).contains(encoding) else {
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
            var dense = [Bool]()
            dense.reserveCapacity(k)
            if encoding == .plain {
                try BitPacking.unpack(count: k, width: 1, from: &r) { _, v in dense.append(v == 1) }
            } else {
                let lengths = try readRunLengths(&r, total: k)
                for len in lengths {
                    let at = r.offset
                    let b = try r.readUInt8()
                    guard b <= 1 else { throw .invalid("bool value \(b)", offset: at) }
                    dense.append(contentsOf: repeatElement(b == 1, count: len))
                }
            }
            scatter(dense, into: &out.bools, zero: false, validity: out)
        case .int64, .timestamp, .date, .float64:
            let dense = try decodeFixed(&r, type: type, k: k, encoding: encoding)
            switch type {
            case .float64: scatter(dense.map { Double(bitPattern: $0) }, into: &out.float64s, zero: 0, validity: out)
            case .date:
                var ds = [Int32]()
                ds.reserveCapacity(k)
                for x in dense {
                    let v = Int64(bitPattern: x)
                    guard let d = Int32(exactly: v) else { throw .invalid("date out of range", offset: r.offset) }
                    ds.append(d)
                }
                scatter(ds, into: &out.dates, zero: 0, validity: out)
            default: scatter(dense.map { Int64(bitPattern: $0) }, into: &out.int64s, zero: 0, validity: out)
            }
        case .string, .json:
            var dense: [Range<Int>] = []
            var data: [UInt8] = []
            switch encoding {
            case .plain:
                (dense, data) = try readByteValues(&r, count: k)
            case .rle:
                let lengths = try readRunLengths(&r, total: k)
                let (vals, bytes) = try readByteValues(&r, count: lengths.count)
                data = bytes
                for (n, len) in lengths.enumerated() { dense.append(contentsOf: repeatElement(vals[n], count: len)) }
            case .dictionary:
                let d = try r.readCount(limit: k, minBytesEach: 4)
                let (vals, bytes) = try readByteValues(&r, count: d)
                data = bytes
                let idx = try readIndices(&r, count: k, dictionarySize: d)
                dense = idx.map { vals[Int($0)] }
            default:
                throw .invalid("encoding \(encoding) for \(type)", offset: r.offset)
            }
            var offsets = [UInt32]()
            offsets.reserveCapacity(out.count + 1)
            offsets.append(0)
            var bytes = [UInt8]()
            bytes.reserveCapacity(encoding == .plain ? data.count : dense.reduce(0) { $0 + $1.count })
            var j = 0
            for i in 0..<out.count {
                if out.isValid(i) {
                    bytes.append(contentsOf: data[dense[j]])
                    j += 1
                    guard bytes.count <= Int(UInt32.max) else { throw .invalid("string data too large", offset: r.offset) }
                }
                offsets.append(UInt32(bytes.count))
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

    private static func readRunLengths(_ r: inout ByteReader, total: Int) throws(BinaryDecodingError) -> [Int] {
        let at = r.offset
        let runs = try r.readCount(limit: total, minBytesEach: 1)
        var lengths = [Int]()
        lengths.reserveCapacity(runs)
        var sum = 0
        for _ in 0..<runs {
            let runAt = r.offset
            let len = try r.readCount(limit: total - sum)
            guard len > 0 else { throw .invalid("empty run", offset: runAt) }
            lengths.append(len)
            sum += len
        }
        guard sum == total else { throw .invalid("runs cover \(sum) of \(total) values", offset: at) }
        return lengths
    }

    private static func readFixed(_ r: inout ByteReader, type: LogicalType) throws(BinaryDecodingError) -> UInt64 {
        if type == .date { return UInt64(bitPattern: Int64(try r.read(Int32.self))) }
        return try r.read(UInt64.self)
    }

    private static func readIndices(_ r: inout ByteReader, count k: Int, dictionarySize d: Int) throws(BinaryDecodingError) -> [UInt32] {
        let at = r.offset
        let w = Int(try r.readUInt8())
        guard w <= 32 else { throw .invalid("index width \(w)", offset: at) }
        var idx = [UInt32]()
        idx.reserveCapacity(k)
        var bad = false
        try BitPacking.unpack(count: k, width: w, from: &r) { _, v in
            if v >= UInt64(d) { bad = true }
            idx.append(UInt32(truncatingIfNeeded: v))
        }
        if bad { throw .invalid("dictionary index out of range", offset: at) }
        return idx
    }

    private static func decodeFixed(
        _ r: inout ByteReader, type: LogicalType, k: Int, encoding: Encoding
    ) throws(BinaryDecodingError) -> [UInt64] {
        let width = type.fixedWidth
        var out = [UInt64]()
        switch encoding {
        case .plain:
            try r.need(k * width)
            out.reserveCapacity(k)
            for _ in 0..<k { out.append(try readFixed(&r, type: type)) }
        case .rle:
            let lengths = try readRunLengths(&r, total: k)
            try r.need(lengths.count * width)
            out.reserveCapacity(k)
            for len in lengths {
                let v = try readFixed(&r, type: type)
                out.append(contentsOf: repeatElement(v, count: len))
            }
        case .dictionary:
            let d = try r.readCount(limit: k, minBytesEach: width)
            var dict = [UInt64]()
            dict.reserveCapacity(d)
            for _ in 0..<d { dict.append(try readFixed(&r, type: type)) }
            let idx = try readIndices(&r, count: k, dictionarySize: d)
            out = idx.map { dict[Int($0)] }
        case .bitPacked:
            let base = try r.read(Int64.self)
            let at = r.offset
            let w = Int(try r.readUInt8())
            guard w <= 64 else { throw .invalid("bit width \(w)", offset: at) }
            out.reserveCapacity(k)
            try BitPacking.unpack(count: k, width: w, from: &r) { _, v in
                out.append(UInt64(bitPattern: base &+ Int64(bitPattern: v)))
            }
        case .decimal:
            var at = r.offset
            let e = Int(try r.readUInt8())
            guard e <= DecimalScaling.maxExponent else { throw .invalid("decimal exponent \(e)", offset: at) }
            let base = try r.read(Int64.self)
            at = r.offset
            let w = Int(try r.readUInt8())
            guard w <= 64 else { throw .invalid("bit width \(w)", offset: at) }
            out.reserveCapacity(k)
            try BitPacking.unpack(count: k, width: w, from: &r) { _, v in
                out.append(DecimalScaling.value(base &+ Int64(bitPattern: v), exponent: e).bitPattern)
            }
        case .delta:
            let first = try r.read(Int64.self)
            let minDelta = try r.read(Int64.self)
            let at = r.offset
            let w = Int(try r.readUInt8())
            guard w <= 64 else { throw .invalid("bit width \(w)", offset: at) }
            out.reserveCapacity(k)
            out.append(UInt64(bitPattern: first))
            var prev = first
            try BitPacking.unpack(count: k - 1, width: w, from: &r) { _, v in
                prev = prev &+ (minDelta &+ Int64(bitPattern: v))
                out.append(UInt64(bitPattern: prev))
            }
        }
        return out
    }

    private static func readByteValues(_ r: inout ByteReader, count n: Int) throws(BinaryDecodingError) -> ([Range<Int>], [UInt8]) {
        try r.need(n * 4)
        var lengths = [Int]()
        lengths.reserveCapacity(n)
        var total = 0
        for _ in 0..<n {
            let len = Int(try r.read(UInt32.self))
            total += len
            lengths.append(len)
        }
        try r.need(total)
        let data = Array(try r.readRaw(total))
        var ranges = [Range<Int>]()
        ranges.reserveCapacity(n)
        var at = 0
        for len in lengths {
            ranges.append(at..<(at + len))
            at += len
        }
        return (ranges, data)
    }
}
