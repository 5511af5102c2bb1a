import ColBytes

/// Run-length (code 2, docs/FORMAT.md §3.3): the run lengths, then one value
/// per run in the plain layout (a byte 0 or 1 for booleans). For sorted or
/// repetitive columns and booleans.
enum RunLengthEncoding {}

extension RunLengthEncoding: FixedWidthEncoding {
    static func analyze(_ values: FixedWidthValues, scratch: EncoderScratch, budget: Int?) -> Int? {
        values.runs * (values.width + 2) + 4
    }

    static func encode(_ values: FixedWidthValues, scratch: EncoderScratch, into page: inout ByteWriter) {
        let keys = values.keys, k = keys.count
        RunLengths.write(runs: values.runs, count: k, into: &page) { keys[$0] != keys[$0 - 1] }
        for i in 0..<k where i == 0 || keys[i] != keys[i - 1] { FixedValue.write(keys[i], type: values.type, into: &page) }
    }

    static func decode(_ r: inout ByteReader, type: LogicalType, count k: Int, into out: UnsafeMutablePointer<UInt64>) throws(BinaryDecodingError) {
        let lengths = try RunLengths.read(&r, total: k)
        try r.need(lengths.count * type.fixedWidth)
        var at = 0
        for len in lengths {
            (out + at).initialize(repeating: try FixedValue.read(&r, type: type), count: len)
            at += len
        }
    }
}

extension RunLengthEncoding: ByteStringEncoding {
    static func analyze(_ values: ByteStringValues, scratch: EncoderScratch, budget: Int?) -> Int? {
        values.runs * 6 + values.totalBytes * values.runs / max(values.count, 1)
    }

    static func encode(_ values: ByteStringValues, scratch: EncoderScratch, into page: inout ByteWriter) {
        let k = values.count
        var starts: [Int] = []
        for j in 0..<k where j == 0 || !values.same(j, j - 1) { starts.append(j) }
        page.writeVarint(starts.count)
        for (n, s) in starts.enumerated() { page.writeVarint((n + 1 < starts.count ? starts[n + 1] : k) - s) }
        ByteStringList.write(values, starts, into: &page)
    }

    static func decode(_ r: inout ByteReader, count k: Int) throws(BinaryDecodingError) -> (ranges: [Range<Int>], bytes: [UInt8]) {
        let lengths = try RunLengths.read(&r, total: k)
        let (values, bytes) = try ByteStringList.read(&r, count: lengths.count)
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(k)
        for (n, len) in lengths.enumerated() { ranges.append(contentsOf: repeatElement(values[n], count: len)) }
        return (ranges, bytes)
    }
}

extension RunLengthEncoding: BoolEncoding {
    static func analyze(_ values: BoolValues) -> Int { values.runs * 2 + 2 }

    static func encode(_ values: BoolValues, into page: inout ByteWriter) {
        let v = values.values
        RunLengths.write(runs: values.runs, count: v.count, into: &page) { v[$0] != v[$0 - 1] }
        for i in 0..<v.count where i == 0 || v[i] != v[i - 1] { page.write(UInt8(v[i] ? 1 : 0)) }
    }

    static func decode(_ r: inout ByteReader, count k: Int) throws(BinaryDecodingError) -> [Bool] {
        let lengths = try RunLengths.read(&r, total: k)
        var dense = [Bool]()
        dense.reserveCapacity(k)
        for len in lengths {
            let at = r.offset
            let b = try r.readUInt8()
            guard b <= 1 else { throw .invalid("bool value \(b)", offset: at) }
            dense.append(contentsOf: repeatElement(b == 1, count: len))
        }
        return dense
    }
}
