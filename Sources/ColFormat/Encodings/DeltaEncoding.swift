import ColBytes

/// Delta (code 4, docs/FORMAT.md §3.3): the first value and the smallest
/// difference between neighbours as i64, a u8 bit width w, then each
/// difference minus the smallest packed at w bits. For sequences: ids,
/// event times.
enum DeltaEncoding {}

extension DeltaEncoding: FixedWidthEncoding {
    static func analyze(_ values: FixedWidthValues, scratch: EncoderScratch, budget: Int?) -> Int? {
        guard values.type.isInteger else { return nil }
        // Analysis weighs it only with two values or more; forced, one value makes a page of width 0.
        if values.count < 2 { return budget == nil ? 17 : nil }
        return 17 + BitPacking.byteCount(count: values.count - 1, width: width(values))
    }

    private static func deltaRange(_ values: FixedWidthValues) -> (min: Int64, max: Int64) {
        values.count == 1 ? (0, 0) : (values.minDelta, values.maxDelta)
    }

    private static func width(_ values: FixedWidthValues) -> Int {
        let (minD, maxD) = deltaRange(values)
        return BitPacking.width(UInt64(bitPattern: maxD &- minD))
    }

    static func encode(_ values: FixedWidthValues, scratch: EncoderScratch, into page: inout ByteWriter) {
        let keys = values.keys
        let minD = deltaRange(values).min
        let w = width(values)
        page.write(Int64(bitPattern: keys[0]))
        page.write(minD)
        page.write(UInt8(w))
        BitPacking.pack(count: keys.count - 1, width: w, into: &page) {
            let d = Int64(bitPattern: keys[$0 + 1]) &- Int64(bitPattern: keys[$0])
            return UInt64(bitPattern: d &- minD)
        }
    }

    static func decode(_ r: inout ByteReader, type: LogicalType, count k: Int, into out: UnsafeMutablePointer<UInt64>) throws(BinaryDecodingError) {
        let first = UInt64(bitPattern: try r.read(Int64.self))
        let minDelta = UInt64(bitPattern: try r.read(Int64.self))
        let at = r.offset
        let w = Int(try r.readUInt8())
        guard w <= 64 else { throw .invalid("bit width \(w)", offset: at) }
        guard k > 0 else { return }
        out.initialize(to: first)
        try BitPacking.unpack(count: k - 1, width: w, from: &r, into: out + 1)
        // A running sum of the deltas, wrapping as the encoder's differences did.
        var previous = first
        for i in 1..<k {
            previous = previous &+ (minDelta &+ out[i])
            out[i] = previous
        }
    }
}
