// Parquet's PLAIN encoding of a chunk's non-null values, and the RLE / bit-packing hybrid
// of its definition levels (apache/parquet-format Encodings.md).

import ColFormat

enum ParquetPlain {
    /// Appends the PLAIN encoding of `v`'s non-null values, in the Parquet physical type of its logical type.
    static func append(_ v: ColumnVector, to out: inout [UInt8]) {
        let all = v.nullCount == 0
        switch v.type {
        case .null:
            break
        case .bool:
            // One bit per value, least significant bit first.
            var byte: UInt8 = 0, bits = 0
            for i in 0..<v.count where all || v.isValid(i) {
                if v.bools[i] { byte |= 1 << UInt8(bits) }
                bits += 1
                if bits == 8 {
                    out.append(byte)
                    byte = 0
                    bits = 0
                }
            }
            if bits > 0 { out.append(byte) }
        case .int64, .timestamp:
            out.reserveCapacity(out.count + 8 * (v.count - v.nullCount))
            for i in 0..<v.count where all || v.isValid(i) { appendLittleEndian(UInt64(bitPattern: v.int64s[i]), 8, to: &out) }
        case .float64:
            out.reserveCapacity(out.count + 8 * (v.count - v.nullCount))
            for i in 0..<v.count where all || v.isValid(i) { appendLittleEndian(v.float64s[i].bitPattern, 8, to: &out) }
        case .date:
            out.reserveCapacity(out.count + 4 * (v.count - v.nullCount))
            for i in 0..<v.count where all || v.isValid(i) { appendLittleEndian(UInt64(UInt32(bitPattern: v.dates[i])), 4, to: &out) }
        case .string, .json:
            out.reserveCapacity(out.count + v.bytes.count + 4 * (v.count - v.nullCount))
            for i in 0..<v.count where all || v.isValid(i) {
                let r = v.byteRange(i)
                appendLittleEndian(UInt64(r.count), 4, to: &out)
                out += v.bytes[r]
            }
        }
    }

    @inline(__always)
    static func appendLittleEndian(_ v: UInt64, _ width: Int, to out: inout [UInt8]) {
        var v = v
        for _ in 0..<width {
            out.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }

    /// The definition levels of a column of maximum level 1 (1: a value, 0: null), in the RLE /
    /// bit-packing hybrid with bit width 1.
    static func appendDefinitionLevels(_ v: ColumnVector, to out: inout [UInt8]) {
        appendHybrid(count: v.count, bitWidth: 1, to: &out) { v.isValid($0) ? 1 : 0 }
    }

    /// The RLE / bit-packing hybrid of `count` values of `bitWidth` bits (Encodings.md): runs
    /// of 8 or more equal values as RLE runs, the rest bit-packed in groups of 8, least
    /// significant bit first (the last group is padded with zeros).
    static func appendHybrid(count n: Int, bitWidth: Int, to out: inout [UInt8], _ value: (Int) -> UInt32) {
        func at(_ i: Int) -> UInt32 { i < n ? value(i) : 0 }
        func run(from i: Int) -> Int {
            let x = value(i)
            var j = i + 1
            while j < n && value(j) == x { j += 1 }
            return j - i
        }
        func varint(_ v: Int) {
            var v = UInt64(v)
            while v >= 0x80 {
                out.append(UInt8(v & 0x7F) | 0x80)
                v >>= 7
            }
            out.append(UInt8(v))
        }
        let valueBytes = (bitWidth + 7) / 8
        var packed: [UInt8] = []
        var i = 0
        while i < n {
            let r = run(from: i)
            if r >= 8 {
                varint(r << 1)
                var x = value(i)
                for _ in 0..<valueBytes {
                    out.append(UInt8(truncatingIfNeeded: x))
                    x >>= 8
                }
                i += r
                continue
            }
            // Groups of 8 until a long run starts, or the end.
            packed.removeAll(keepingCapacity: true)
            var groups = 0
            repeat {
                var acc: UInt64 = 0, bits = 0
                for k in 0..<8 {
                    acc |= UInt64(at(i + k)) << UInt64(bits)
                    bits += bitWidth
                    while bits >= 8 {
                        packed.append(UInt8(truncatingIfNeeded: acc))
                        acc >>= 8
                        bits -= 8
                    }
                }
                groups += 1
                i += 8
            } while i < n && run(from: i) < 8 && groups < 1 << 20
            varint(groups << 1 | 1)
            out += packed
        }
    }
}
