// The values of one page (or one dictionary) as their physical type stores them, the decoders
// that produce them (one per encoding), and their conversion into a ColumnVector.
//
// Design note. Decoding and conversion are two steps: each encoding decodes into one of four
// plain arrays (bools, integers, doubles, bytes with ends), and one conversion per logical type
// reads from them, placing nulls by the definition levels. A dictionary is decoded once into the
// same form; its data pages are indices into it. Every count is checked against the bytes left
// before an array is sized by it.

import ColBytes
import ColFormat

/// Decoded physical values.
struct PhysicalValues {
    var count = 0
    var bools: [Bool] = []
    /// INT32 (sign-extended), INT64, and INT96 already as microseconds.
    var ints: [Int64] = []
    /// FLOAT and DOUBLE.
    var doubles: [Double] = []
    /// BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY: the bytes, and where each value ends.
    var bytes: [UInt8] = []
    var ends: [Int] = []
    /// Whether every byte value was checked to be UTF-8 (a dictionary is checked once).
    var checkedUTF8 = false

    @inline(__always) func byteRange(_ k: Int) -> Range<Int> { (k == 0 ? 0 : ends[k - 1])..<ends[k] }
}

/// The decoders, by encoding.
enum PageDecoding {
    /// The text a page may decode to at most.
    static var textLimit: Int { min(DecodeLimit.bytes, Int(UInt32.max)) }

    static func need(_ n: Int, _ p: [UInt8], _ pos: Int, _ what: String) throws(PageError) {
        guard n >= 0, pos >= 0, pos <= p.count, n <= p.count - pos else { throw PageError(message: "\(what) past the end of the page") }
    }

    @inline(__always) static func le(_ p: [UInt8], _ at: Int, _ width: Int) -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<width { v |= UInt64(p[at + k]) << (8 * UInt64(k)) }
        return v
    }

    /// PLAIN: `count` values of `physical` (FIXED_LEN_BYTE_ARRAY of `width`).
    static func plain(_ p: [UInt8], at pos: inout Int, count: Int, physical: Int32, width: Int) throws(PageError) -> PhysicalValues {
        var v = PhysicalValues(count: count)
        func fixed(_ size: Int) throws(PageError) {
            let total = count.multipliedReportingOverflow(by: size)
            guard !total.overflow else { throw PageError(message: "PLAIN values past the end of the page") }
            try need(total.partialValue, p, pos, "PLAIN values")
        }
        switch physical {
        case 0:
            try need((count + 7) / 8, p, pos, "PLAIN booleans")
            v.bools.reserveCapacity(count)
            for i in 0..<count { v.bools.append(p[pos + i >> 3] >> UInt8(i & 7) & 1 == 1) }
            pos += (count + 7) / 8
        case 1:
            try fixed(4)
            v.ints.reserveCapacity(count)
            for i in 0..<count { v.ints.append(Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: le(p, pos + 4 * i, 4))))) }
            pos += 4 * count
        case 2:
            try fixed(8)
            let at = pos
            v.ints = p.withUnsafeBytes { raw in (0..<count).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: at + 8 * $0, as: Int64.self)) } }
            pos += 8 * count
        case 3:
            try fixed(12)
            v.ints.reserveCapacity(count)
            for i in 0..<count {
                let nanos = Int64(bitPattern: le(p, pos + 12 * i, 8))
                let julian = Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: le(p, pos + 12 * i + 8, 4))))
                // Julian day 2,440,588 is 1970-01-01.
                let days = (julian - 2_440_588).multipliedReportingOverflow(by: 86_400_000_000)
                let micros = days.partialValue.addingReportingOverflow(nanos / 1000)
                guard !days.overflow, !micros.overflow, nanos >= 0, nanos < 86_400_000_000_000 else {
                    throw PageError(message: "an INT96 timestamp out of range (Julian day \(julian), \(nanos) ns)")
                }
                v.ints.append(micros.partialValue)
            }
            pos += 12 * count
        case 4:
            try fixed(4)
            v.doubles.reserveCapacity(count)
            for i in 0..<count { v.doubles.append(Double(Float(bitPattern: UInt32(truncatingIfNeeded: le(p, pos + 4 * i, 4))))) }
            pos += 4 * count
        case 5:
            try fixed(8)
            let at = pos
            v.doubles = p.withUnsafeBytes { raw in
                (0..<count).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at + 8 * $0, as: UInt64.self))) }
            }
            pos += 8 * count
        case 6:
            // Each value takes at least its 4-byte length.
            try fixed(4)
            v.ends.reserveCapacity(count)
            for _ in 0..<count {
                try need(4, p, pos, "PLAIN lengths")
                let n = Int(le(p, pos, 4))
                pos += 4
                try need(n, p, pos, "PLAIN values")
                guard v.bytes.count + n <= textLimit else { throw PageError(message: "values that would decode to more than \(textLimit) bytes") }
                v.bytes.append(contentsOf: p[pos..<(pos + n)])
                v.ends.append(v.bytes.count)
                pos += n
            }
        case 7:
            try fixed(width)
            v.bytes = Array(p[pos..<(pos + count * width)])
            v.ends = (0..<count).map { ($0 + 1) * width }
            pos += count * width
        default:
            throw PageError(message: "physical type \(physical) is not imported")
        }
        return v
    }

    /// BYTE_STREAM_SPLIT: byte k of value i is at `k * count + i`.
    static func byteStreamSplit(_ p: [UInt8], at pos: Int, count: Int, physical: Int32, width: Int) throws(PageError) -> PhysicalValues {
        let size: Int
        switch physical {
        case 1, 4: size = 4
        case 2, 5: size = 8
        case 7: size = width
        default: throw PageError(message: "BYTE_STREAM_SPLIT of physical type \(physical)")
        }
        let total = count.multipliedReportingOverflow(by: size)
        guard !total.overflow else { throw PageError(message: "BYTE_STREAM_SPLIT values past the end of the page") }
        try need(total.partialValue, p, pos, "BYTE_STREAM_SPLIT values")
        var joined = [UInt8](repeating: 0, count: total.partialValue)
        for i in 0..<count {
            for k in 0..<size { joined[i * size + k] = p[pos + k * count + i] }
        }
        var at = 0
        return try plain(joined, at: &at, count: count, physical: physical, width: width)
    }

    // MARK: DELTA_BINARY_PACKED and the encodings built on it

    static func uvarint(_ p: [UInt8], _ pos: inout Int, end: Int) throws(PageError) -> UInt64 {
        var v: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard pos < end, shift < 64 else { throw PageError(message: "a DELTA header cut short") }
            let b = p[pos]
            pos += 1
            v |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return v }
            shift += 7
        }
    }

    static func zigzag(_ p: [UInt8], _ pos: inout Int, end: Int) throws(PageError) -> Int64 {
        let u = try uvarint(p, &pos, end: end)
        return Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1)
    }

    /// DELTA_BINARY_PACKED: exactly `count` integers (the header must say so), leaving `pos` after the last miniblock used.
    static func deltaBinaryPacked(_ p: [UInt8], at pos: inout Int, count: Int) throws(PageError) -> [Int64] {
        let end = p.count
        let blockSize = try uvarint(p, &pos, end: end)
        let miniblocks = try uvarint(p, &pos, end: end)
        let total = try uvarint(p, &pos, end: end)
        var last = try zigzag(p, &pos, end: end)
        guard blockSize > 0, blockSize % 128 == 0, blockSize <= 1 << 20, miniblocks > 0, blockSize % miniblocks == 0,
              (blockSize / miniblocks) % 32 == 0 else {
            throw PageError(message: "a DELTA_BINARY_PACKED header of block size \(blockSize) and \(miniblocks) miniblocks")
        }
        guard total == UInt64(count) else { throw PageError(message: "DELTA_BINARY_PACKED holds \(total) values where the page has \(count)") }
        var out: [Int64] = []
        guard count > 0 else { return out }
        out.reserveCapacity(count)
        out.append(last)
        let perMiniblock = Int(blockSize / miniblocks)
        while out.count < count {
            let minDelta = try zigzag(p, &pos, end: end)
            try need(Int(miniblocks), p, pos, "DELTA bit widths")
            let widthsAt = pos
            pos += Int(miniblocks)
            for m in 0..<Int(miniblocks) where out.count < count {
                let w = Int(p[widthsAt + m])
                guard w <= 64 else { throw PageError(message: "a DELTA miniblock of \(w) bits") }
                let bytes = perMiniblock * w / 8
                try need(bytes, p, pos, "a DELTA miniblock")
                let mask: UInt64 = w == 64 ? .max : (1 << UInt64(w)) - 1
                for j in 0..<perMiniblock where out.count < count {
                    var delta: UInt64 = 0
                    if w > 0 {
                        let bit = j * w
                        var window: UInt128 = 0
                        let first = bit >> 3, span = ((bit & 7) + w + 7) >> 3
                        for k in 0..<span { window |= UInt128(p[pos + first + k]) << UInt128(8 * k) }
                        delta = UInt64(truncatingIfNeeded: window >> UInt128(bit & 7)) & mask
                    }
                    last = last &+ minDelta &+ Int64(bitPattern: delta)
                    out.append(last)
                }
                pos += bytes
            }
        }
        return out
    }

    /// DELTA_LENGTH_BYTE_ARRAY: the lengths (DELTA_BINARY_PACKED), then the bytes.
    static func deltaLengthByteArray(_ p: [UInt8], at pos: inout Int, count: Int) throws(PageError) -> PhysicalValues {
        let lengths = try deltaBinaryPacked(p, at: &pos, count: count)
        var v = PhysicalValues(count: count)
        v.ends.reserveCapacity(count)
        var end = 0
        for n in lengths {
            guard n >= 0, n <= p.count - pos - end else { throw PageError(message: "DELTA_LENGTH_BYTE_ARRAY lengths past the end of the page") }
            end += Int(n)
            v.ends.append(end)
        }
        v.bytes = Array(p[pos..<(pos + end)])
        pos += end
        return v
    }

    /// DELTA_BYTE_ARRAY: prefix lengths, then suffixes (DELTA_LENGTH_BYTE_ARRAY); each value is
    /// the previous value's prefix and its suffix. For FIXED_LEN_BYTE_ARRAY every value must be `width` long.
    static func deltaByteArray(_ p: [UInt8], at pos: inout Int, count: Int, width: Int) throws(PageError) -> PhysicalValues {
        let prefixes = try deltaBinaryPacked(p, at: &pos, count: count)
        let suffixes = try deltaLengthByteArray(p, at: &pos, count: count)
        var v = PhysicalValues(count: count)
        v.ends.reserveCapacity(count)
        var previous = 0..<0
        for i in 0..<count {
            let prefix = prefixes[i]
            guard prefix >= 0, prefix <= Int64(previous.count) else {
                throw PageError(message: "a DELTA_BYTE_ARRAY prefix of \(prefix) bytes after a value of \(previous.count)")
            }
            let suffix = suffixes.byteRange(i)
            guard v.bytes.count + Int(prefix) + suffix.count <= textLimit else {
                throw PageError(message: "values that would decode to more than \(textLimit) bytes")
            }
            let start = v.bytes.count
            // The prefix is copied out first: appending a slice of the array to itself would copy the whole array each time.
            let shared = Array(v.bytes[previous.lowerBound..<(previous.lowerBound + Int(prefix))])
            v.bytes.append(contentsOf: shared)
            v.bytes.append(contentsOf: suffixes.bytes[suffix])
            guard width == 0 || v.bytes.count - start == width else { throw PageError(message: "a DELTA_BYTE_ARRAY value of \(v.bytes.count - start) bytes in a FIXED_LEN_BYTE_ARRAY(\(width))") }
            v.ends.append(v.bytes.count)
            previous = start..<v.bytes.count
        }
        return v
    }

    /// RLE booleans (data page v2): a 4-byte length, then the hybrid of 1-bit values.
    static func rleBooleans(_ p: [UInt8], at pos: Int, count: Int) throws(PageError) -> PhysicalValues {
        try need(4, p, pos, "boolean RLE")
        let length = Int(le(p, pos, 4))
        try need(length, p, pos + 4, "boolean RLE")
        let bits = try Hybrid.decode(p, from: pos + 4, to: pos + 4 + length, count: count, bitWidth: 1)
        return PhysicalValues(count: count, bools: bits.map { $0 != 0 })
    }
}
