import ColBytes

/// Frame of reference (code 3, "bitpacked" in reports; docs/FORMAT.md §3.3):
/// the minimum as i64, a u8 bit width w, then each value minus the minimum
/// packed at w bits. For integers, dates and timestamps in a narrow range.
enum FrameOfReferenceEncoding {}

extension FrameOfReferenceEncoding: FixedWidthEncoding {
    static func analyze(_ values: FixedWidthValues, scratch: EncoderScratch, budget: Int?) -> Int? {
        guard values.type.isInteger else { return nil }
        return 9 + BitPacking.byteCount(count: values.count, width: width(values))
    }

    private static func width(_ values: FixedWidthValues) -> Int {
        BitPacking.width(UInt64(bitPattern: values.maxValue &- values.minValue))
    }

    static func encode(_ values: FixedWidthValues, scratch: EncoderScratch, into page: inout ByteWriter) {
        let w = width(values), minV = values.minValue, keys = values.keys
        page.write(minV)
        page.write(UInt8(w))
        BitPacking.pack(count: keys.count, width: w, into: &page) { UInt64(bitPattern: Int64(bitPattern: keys[$0]) &- minV) }
    }

    static func decode(_ r: inout ByteReader, type: LogicalType, count k: Int, into out: UnsafeMutablePointer<UInt64>) throws(BinaryDecodingError) {
        let base = UInt64(bitPattern: try r.read(Int64.self))
        let at = r.offset
        let w = Int(try r.readUInt8())
        guard w <= 64 else { throw .invalid("bit width \(w)", offset: at) }
        try BitPacking.unpack(count: k, width: w, from: &r, into: out)
        for i in 0..<k { out[i] = base &+ out[i] }
    }
}
