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

    static func decode(_ r: inout ByteReader, type: LogicalType, count k: Int) throws(BinaryDecodingError) -> [UInt64] {
        try r.need(k * type.fixedWidth)
        var out = [UInt64]()
        out.reserveCapacity(k)
        for _ in 0..<k { out.append(try FixedValue.read(&r, type: type)) }
        return out
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
