import ColBytes

/// Plain (code 0, docs/FORMAT.md §3.3): the values one after another.
/// Booleans are bits, fixed-width values their plain layout, byte strings a
/// u32 length per value and then the bytes. Applies to every type.
enum PlainEncoding {}

extension PlainEncoding: FixedWidthEncoding {
    static func analyze(_ values: FixedWidthValues, scratch: EncoderScratch, budget: Int?) -> Int? {
        values.count * values.width
    }

    static func encode(_ values: FixedWidthValues, scratch: EncoderScratch, into page: inout ByteWriter) {
        for x in values.keys { FixedValue.write(x, type: values.type, into: &page) }
    }

    static func decode(_ r: inout ByteReader, type: LogicalType, count k: Int, into out: UnsafeMutablePointer<UInt64>) throws(BinaryDecodingError) {
        let raw = try r.readRaw(k * type.fixedWidth)
        raw.withUnsafeBytes { p in
            guard let base = p.baseAddress else { return }
            if type == .date {
                for i in 0..<k {
                    let v = Int32(littleEndian: (base + 4 * i).loadUnaligned(as: Int32.self))
                    (out + i).initialize(to: UInt64(bitPattern: Int64(v)))
                }
            } else {
                for i in 0..<k { (out + i).initialize(to: UInt64(littleEndian: (base + 8 * i).loadUnaligned(as: UInt64.self))) }
            }
        }
    }
}

extension PlainEncoding: ByteStringEncoding {
    static func analyze(_ values: ByteStringValues, scratch: EncoderScratch, budget: Int?) -> Int? {
        4 * values.count + values.totalBytes
    }

    static func encode(_ values: ByteStringValues, scratch: EncoderScratch, into page: inout ByteWriter) {
        ByteStringList.write(values, 0..<values.count, into: &page)
    }

    static func decode(_ r: inout ByteReader, count: Int) throws(BinaryDecodingError) -> (ranges: [Range<Int>], bytes: [UInt8]) {
        try ByteStringList.read(&r, count: count)
    }
}

extension PlainEncoding: BoolEncoding {
    static func analyze(_ values: BoolValues) -> Int { (values.values.count + 7) / 8 }

    static func encode(_ values: BoolValues, into page: inout ByteWriter) {
        let v = values.values
        BitPacking.pack(count: v.count, width: 1, into: &page) { v[$0] ? 1 : 0 }
    }

    static func decode(_ r: inout ByteReader, count k: Int) throws(BinaryDecodingError) -> [Bool] {
        var dense = [Bool]()
        dense.reserveCapacity(k)
        try BitPacking.unpack(count: k, width: 1, from: &r) { _, v in dense.append(v == 1) }
        return dense
    }
}
