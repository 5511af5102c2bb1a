// # Encodings
//
// A page is a chunk column's validity (Validity.swift) followed by its
// non-null values in one encoding (docs/FORMAT.md §3.3). Each encoding lives
// in its own file and has the same three phases for every physical family it
// applies to:
//
// - **analyze**: the page size it would produce, from the shared one-pass
//   summary (`FixedWidthValues`, `ByteStringValues`, `BoolValues`) and any
//   pass of its own; nil when it does not apply or cannot beat `budget`;
// - **encode**: append the values, reusing what analyze left in the scratch;
// - **decode**: read them back, checking every count before allocating.
//
// `PageEncoder` runs analyze for each candidate in `Encoding.selectionOrder`
// and encodes with the smallest (ties keep the earlier one). `PageDecoder`
// reads the validity and dispatches on the directory's encoding code.
//
// To add an encoding: give it a code in `Encoding`, write a file with a type
// conforming to the family protocols it supports, register it in
// `Encoding.implementation(for:)`, place it in `selectionOrder`, and document
// its layout in docs/FORMAT.md §3.3.

#if canImport(Glibc)
import Glibc
#endif
import ColBytes

/// The buffers encoders reuse from page to page. One per thread.
final class EncoderScratch {
    /// Scaled decimals (decimal encoding) or valid row indices (string encodings).
    var ints: [Int64] = []
    /// Dictionary: the distinct values' first positions and each value's id.
    var uniques: [Int] = []
    var ids: [UInt32] = []
    /// Dictionary: the open-addressing hash table of positions in `uniques`.
    var table: [Int32] = []
    /// XXH64 of each non-null string value, in row order: filled by the statistics
    /// pass before encoding, or by the dictionary analysis when it does not match the column.
    var stringHashes: [UInt64] = []
    /// Decimal: the exponent, minimum and bit width its analysis found.
    var decimal: (exponent: Int, min: Int64, width: Int)?
}

/// Non-null values of an int64, date, timestamp or float64 chunk column as
/// 64-bit keys (integers as themselves, doubles as bit patterns, so -0 and NaN
/// payloads survive), with what one pass over them learned.
struct FixedWidthValues {
    let type: LogicalType
    let keys: [UInt64]
    /// The number of runs of equal consecutive keys.
    let runs: Int
    /// The smallest and largest key read as Int64.
    let minValue: Int64, maxValue: Int64
    /// The smallest and largest difference between consecutive keys (wrapping).
    let minDelta: Int64, maxDelta: Int64

    init(type: LogicalType, keys: [UInt64]) {
        self.type = type
        self.keys = keys
        var runs = 1
        var minV = Int64.max, maxV = Int64.min
        var minD = Int64.max, maxD = Int64.min
        for i in 0..<keys.count {
            let x = Int64(bitPattern: keys[i])
            if i > 0 {
                if keys[i] != keys[i - 1] { runs += 1 }
                let d = x &- Int64(bitPattern: keys[i - 1])
                minD = min(minD, d)
                maxD = max(maxD, d)
            }
            minV = min(minV, x)
            maxV = max(maxV, x)
        }
        self.runs = runs
        minValue = minV
        maxValue = maxV
        minDelta = minD
        maxDelta = maxD
    }

    var count: Int { keys.count }
    /// Bytes of one value in the plain layout.
    var width: Int { type.fixedWidth }
}

/// Non-null values of a string or json chunk column, with their byte ranges.
struct ByteStringValues {
    let column: ColumnVector
    /// The rows holding values.
    let rows: [Int64]
    let runs: Int
    /// Total bytes of the values.
    let totalBytes: Int

    init(_ column: ColumnVector, rows: [Int64]) {
        self.column = column
        self.rows = rows
        var runs = 1, total = 0
        for j in 0..<rows.count {
            total += column.byteRange(Int(rows[j])).count
            if j > 0 && !Self.same(column, rows, j, j - 1) { runs += 1 }
        }
        self.runs = runs
        totalBytes = total
    }

    var count: Int { rows.count }
    @inline(__always) func range(_ j: Int) -> Range<Int> { column.byteRange(Int(rows[j])) }
    @inline(__always) func same(_ a: Int, _ b: Int) -> Bool { Self.same(column, rows, a, b) }

    @inline(__always) private static func same(_ v: ColumnVector, _ rows: [Int64], _ a: Int, _ b: Int) -> Bool {
        let ra = v.byteRange(Int(rows[a])), rb = v.byteRange(Int(rows[b]))
        guard ra.count == rb.count else { return false }
        guard ra.count > 0 else { return true }
        return v.bytes.withUnsafeBytes { p in
            guard let base = p.baseAddress else { return false }
            return memcmp(base + ra.lowerBound, base + rb.lowerBound, ra.count) == 0
        }
    }
}

/// Non-null values of a bool chunk column, with their run count.
struct BoolValues {
    let values: [Bool]
    let runs: Int

    init(_ values: [Bool]) {
        self.values = values
        var runs = 1
        for i in 1..<max(values.count, 1) where values[i] != values[i - 1] { runs += 1 }
        self.runs = runs
    }
}

/// An encoding of fixed-width values: int64, date, timestamp, float64.
protocol FixedWidthEncoding {
    /// The encoded size, or nil when the encoding does not apply. `budget` is
    /// the size to beat, or nil when the encoding is forced (then it must
    /// produce a page whenever its format can hold the values).
    static func analyze(_ values: FixedWidthValues, scratch: EncoderScratch, budget: Int?) -> Int?
    /// Appends the values; runs after `analyze` returned a size.
    static func encode(_ values: FixedWidthValues, scratch: EncoderScratch, into page: inout ByteWriter)
    /// Reads `count` values as 64-bit keys into `out[0..<count]`, which may be uninitialized: a
    /// block decoder, with every count and byte checked before the loop and none inside it.
    static func decode(_ r: inout ByteReader, type: LogicalType, count: Int, into out: UnsafeMutablePointer<UInt64>) throws(BinaryDecodingError)
}

/// An encoding of byte strings: string and json.
protocol ByteStringEncoding {
    static func analyze(_ values: ByteStringValues, scratch: EncoderScratch, budget: Int?) -> Int?
    static func encode(_ values: ByteStringValues, scratch: EncoderScratch, into page: inout ByteWriter)
    /// Reads `count` values: the byte range of each (in row order) within the returned bytes.
    static func decode(_ r: inout ByteReader, count: Int) throws(BinaryDecodingError) -> (ranges: [Range<Int>], bytes: [UInt8])
}

/// An encoding of booleans.
protocol BoolEncoding {
    static func analyze(_ values: BoolValues) -> Int
    static func encode(_ values: BoolValues, into page: inout ByteWriter)
    static func decode(_ r: inout ByteReader, count: Int) throws(BinaryDecodingError) -> [Bool]
}

extension Encoding {
    /// The order in which the encoder weighs the candidates: the first of
    /// equal sizes wins, and the dictionary comes last because its analysis
    /// stops as soon as it cannot beat the best so far.
    static let selectionOrder: [Encoding] = [.plain, .rle, .bitPacked, .delta, .decimal, .dictionary]

    /// The implementation of this encoding for fixed-width values, if it has one.
    var fixedWidth: (any FixedWidthEncoding.Type)? {
        switch self {
        case .plain: PlainEncoding.self
        case .dictionary: DictionaryEncoding.self
        case .rle: RunLengthEncoding.self
        case .bitPacked: FrameOfReferenceEncoding.self
        case .delta: DeltaEncoding.self
        case .decimal: DecimalEncoding.self
        }
    }

    /// The implementation of this encoding for byte strings, if it has one.
    var byteString: (any ByteStringEncoding.Type)? {
        switch self {
        case .plain: PlainEncoding.self
        case .dictionary: DictionaryEncoding.self
        case .rle: RunLengthEncoding.self
        case .bitPacked, .delta, .decimal: nil
        }
    }

    /// The implementation of this encoding for booleans, if it has one.
    var bool: (any BoolEncoding.Type)? {
        switch self {
        case .plain: PlainEncoding.self
        case .rle: RunLengthEncoding.self
        case .dictionary, .bitPacked, .delta, .decimal: nil
        }
    }

    /// True when the encoding has an implementation for the type's values.
    func applies(to type: LogicalType) -> Bool {
        switch type {
        case .null: self == .plain
        case .bool: bool != nil
        case .string, .json: byteString != nil
        case .int64, .date, .timestamp: fixedWidth != nil && self != .decimal
        case .float64: fixedWidth != nil && self != .bitPacked && self != .delta
        }
    }
}

// MARK: - Layout pieces several encodings share

/// Run lengths: a varint run count, then a varint length per run.
enum RunLengths {
    /// Appends the lengths of the runs in `count` values, where `differs(i)` tells whether value i starts a new run.
    static func write(runs: Int, count: Int, into page: inout ByteWriter, differs: (Int) -> Bool) {
        page.writeVarint(runs)
        var start = 0
        for i in 1...count where i == count || differs(i) {
            page.writeVarint(i - start)
            start = i
        }
    }

    /// Reads run lengths that must add up to `total`, none empty.
    static func read(_ r: inout ByteReader, total: Int) throws(BinaryDecodingError) -> [Int] {
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
}

/// One fixed-width value: i32 for a date, 8 bytes for the other types.
enum FixedValue {
    @inline(__always) static func write(_ key: UInt64, type: LogicalType, into page: inout ByteWriter) {
        if type == .date { page.write(Int32(truncatingIfNeeded: Int64(bitPattern: key))) } else { page.write(key) }
    }

    @inline(__always) static func read(_ r: inout ByteReader, type: LogicalType) throws(BinaryDecodingError) -> UInt64 {
        if type == .date { return UInt64(bitPattern: Int64(try r.read(Int32.self))) }
        return try r.read(UInt64.self)
    }
}

/// `count` 64-bit values a block decoder writes as 64-bit keys, in a new array of `T` (UInt64,
/// Int64 or Double: the same layout, so a column's own storage is decoded into directly).
func decodedBlock<T>(count: Int, as _: T.Type = UInt64.self,
                     _ decode: (UnsafeMutablePointer<UInt64>) throws(BinaryDecodingError) -> Void) throws(BinaryDecodingError) -> [T] {
    precondition(MemoryLayout<T>.stride == MemoryLayout<UInt64>.stride, "decodedBlock takes 8-byte values")
    var failure: BinaryDecodingError?
    let values = [T](ownedCapacity: count) { buffer, initialized in
        guard let base = buffer.baseAddress else { return }
        base.withMemoryRebound(to: UInt64.self, capacity: count) { p in
            do throws(BinaryDecodingError) { try decode(p) } catch {
                failure = error
                p.initialize(repeating: 0, count: count)
            }
        }
        initialized = count
    }
    if let failure { throw failure }
    return values
}

/// Byte strings: a u32 length per value, then all the bytes.
enum ByteStringList {
    static func write(_ values: ByteStringValues, _ positions: some Collection<Int>, into page: inout ByteWriter) {
        for j in positions { page.write(UInt32(values.range(j).count)) }
        for j in positions { page.writeRaw(values.column.bytes[values.range(j)]) }
    }

    static func read(_ r: inout ByteReader, count n: Int) throws(BinaryDecodingError) -> (ranges: [Range<Int>], bytes: [UInt8]) {
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
