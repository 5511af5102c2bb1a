import ColBytes

/// Dictionary (code 1, docs/FORMAT.md §3.3): a varint count d of distinct
/// values, those values in the plain layout in order of first appearance, a
/// u8 bit width w, then each value's index packed at w bits. For columns with
/// few distinct values; at most `limit` distinct values are considered.
enum DictionaryEncoding {
    /// The largest dictionary considered, in distinct values.
    static let limit = 1 << 16

    /// The prefix that decides whether a dictionary is worth building to the end.
    static let probe = 4096

    /// Builds `scratch.uniques` (position of each distinct value's first
    /// occurrence) and `scratch.ids` (each value's index) for `count` values;
    /// returns false as soon as there are more than `limit` distinct values, or,
    /// when `giveUpEarly`, when the first `probe` values of a column of at least
    /// 4 × `probe` are more than 15/16 distinct: such a column (ids, UUIDs, measured
    /// doubles, free text) would spend most of its time in a dictionary that loses.
    static func build(count k: Int, limit: Int, giveUpEarly: Bool = false, scratch: EncoderScratch, hash: (Int) -> UInt64,
                      equal: (Int, Int) -> Bool) -> Bool {
        let probeEnd = giveUpEarly && k >= 4 * probe ? probe : -1
        // The buffers are moved out of the scratch object for the loop and back after it:
        // an access to a class's array property is an exclusivity check and a uniqueness
        // check each time (156 M instructions per 200,000 rows in callgrind).
        var uniques = scratch.uniques, ids = scratch.ids, table = scratch.table
        scratch.uniques = []
        scratch.ids = []
        scratch.table = []
        defer {
            scratch.uniques = uniques
            scratch.ids = ids
            scratch.table = table
        }
        uniques.removeAll(keepingCapacity: true)
        ids.removeAll(keepingCapacity: true)
        ids.reserveCapacity(k)
        var size = 64
        while size < min(k, limit) * 2 { size <<= 1 }
        if table.count != size { table = [Int32](repeating: -1, count: size) } else {
            table.withUnsafeMutableBufferPointer { $0.update(repeating: -1) }
        }
        let mask = size - 1
        return table.withUnsafeMutableBufferPointer { table in
            for i in 0..<k {
                if i == probeEnd && uniques.count * 16 > probe * 15 { return false }
                var slot = Int(truncatingIfNeeded: hash(i)) & mask
                while true {
                    let u = table[slot]
                    if u < 0 {
                        if uniques.count >= limit { return false }
                        table[slot] = Int32(uniques.count)
                        ids.append(UInt32(uniques.count))
                        uniques.append(i)
                        break
                    }
                    if equal(uniques[Int(u)], i) {
                        ids.append(UInt32(u))
                        break
                    }
                    slot = (slot + 1) & mask
                }
            }
            return true
        }
    }

    /// Appends the bit width and the packed indices.
    static func writeIndices(count k: Int, scratch: EncoderScratch, into page: inout ByteWriter) {
        let w = BitPacking.width(UInt64(max(scratch.uniques.count - 1, 0)))
        let ids = scratch.ids
        page.write(UInt8(w))
        BitPacking.pack(count: k, width: w, into: &page) { UInt64(ids[$0]) }
    }

    /// Reads `k` indices into `out`, each checked against a dictionary of `d` values.
    static func readIndices(_ r: inout ByteReader, count k: Int, dictionarySize d: Int, into out: UnsafeMutablePointer<UInt64>) throws(BinaryDecodingError) {
        let at = r.offset
        let w = Int(try r.readUInt8())
        guard w <= 32 else { throw .invalid("index width \(w)", offset: at) }
        try BitPacking.unpack(count: k, width: w, from: &r, into: out)
        var largest: UInt64 = 0
        for i in 0..<k { largest = Swift.max(largest, out[i]) }
        if k > 0 && largest >= UInt64(d) { throw .invalid("dictionary index out of range", offset: at) }
    }
}

extension DictionaryEncoding: FixedWidthEncoding {
    static func analyze(_ values: FixedWidthValues, scratch: EncoderScratch, budget: Int?) -> Int? {
        let keys = values.keys, k = keys.count, width = values.width
        guard let budget else {
            _ = build(count: k, limit: Int.max, scratch: scratch, hash: { mix64(keys[$0]) }, equal: { keys[$0] == keys[$1] })
            return 0
        }
        // Only a dictionary that can beat the budget is worth building.
        let limit = min(Self.limit, budget / max(width, 1))
        guard limit >= 2, values.runs > 1,
              build(count: k, limit: limit, giveUpEarly: true, scratch: scratch, hash: { mix64(keys[$0]) }, equal: { keys[$0] == keys[$1] })
        else { return nil }
        let d = scratch.uniques.count
        return 4 + d * width + 1 + BitPacking.byteCount(count: k, width: BitPacking.width(UInt64(d - 1)))
    }

    static func encode(_ values: FixedWidthValues, scratch: EncoderScratch, into page: inout ByteWriter) {
        page.writeVarint(scratch.uniques.count)
        for u in scratch.uniques { FixedValue.write(values.keys[u], type: values.type, into: &page) }
        writeIndices(count: values.count, scratch: scratch, into: &page)
    }

    static func decode(_ r: inout ByteReader, type: LogicalType, count k: Int, into out: UnsafeMutablePointer<UInt64>) throws(BinaryDecodingError) {
        let d = try r.readCount(limit: k, minBytesEach: type.fixedWidth)
        var dictionary = [UInt64]()
        dictionary.reserveCapacity(d)
        for _ in 0..<d { dictionary.append(try FixedValue.read(&r, type: type)) }
        try readIndices(&r, count: k, dictionarySize: d, into: out)
        // Every index was checked against d: the gather needs no check of its own.
        dictionary.withUnsafeBufferPointer { values in
            guard let v = values.baseAddress else { return }
            for i in 0..<k { out[i] = v[Int(truncatingIfNeeded: out[i])] }
        }
    }
}

extension DictionaryEncoding: ByteStringEncoding {
    /// Makes `scratch.stringHashes` hold the hash of each value, unless it already does.
    private static func hash(_ values: ByteStringValues, scratch: EncoderScratch) {
        let k = values.count
        guard scratch.stringHashes.count != k else { return }
        scratch.stringHashes.removeAll(keepingCapacity: true)
        values.column.bytes.withUnsafeBytes { b in
            for j in 0..<k { scratch.stringHashes.append(XXH64.hash(UnsafeRawBufferPointer(rebasing: b[values.range(j)]))) }
        }
    }

    static func analyze(_ values: ByteStringValues, scratch: EncoderScratch, budget: Int?) -> Int? {
        let k = values.count
        hash(values, scratch: scratch)
        let hashes = scratch.stringHashes
        guard budget != nil else {
            _ = build(count: k, limit: Int.max, scratch: scratch, hash: { hashes[$0] }, equal: values.same)
            return 0
        }
        guard values.runs > 1, build(count: k, limit: min(Self.limit, k / 2 + 1), giveUpEarly: true, scratch: scratch, hash: { hashes[$0] },
                                     equal: values.same)
        else { return nil }
        var dictionaryBytes = 0
        for u in scratch.uniques { dictionaryBytes += values.range(u).count }
        return 4 + scratch.uniques.count * 4 + dictionaryBytes + 1
            + BitPacking.byteCount(count: k, width: BitPacking.width(UInt64(scratch.uniques.count - 1)))
    }

    static func encode(_ values: ByteStringValues, scratch: EncoderScratch, into page: inout ByteWriter) {
        page.writeVarint(scratch.uniques.count)
        ByteStringList.write(values, scratch.uniques, into: &page)
        writeIndices(count: values.count, scratch: scratch, into: &page)
    }

    static func decode(_ r: inout ByteReader, count k: Int) throws(BinaryDecodingError) -> (ranges: [Range<Int>], bytes: [UInt8]) {
        let d = try r.readCount(limit: k, minBytesEach: 4)
        let (values, bytes) = try ByteStringList.read(&r, count: d)
        var reader = r
        let indices = try decodedBlock(count: k) { out throws(BinaryDecodingError) in
            try readIndices(&reader, count: k, dictionarySize: d, into: out)
        }
        r = reader
        return (indices.map { values[Int(truncatingIfNeeded: $0)] }, bytes)
    }
}
