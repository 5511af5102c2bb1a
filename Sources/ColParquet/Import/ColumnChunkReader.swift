// One Parquet column chunk read into a ColumnVector: its pages' headers, decompression,
// definition levels and values (docs/PARQUET.md, "Import").

import ColBytes
import ColFormat

/// A malformed or unsupported page, in words (the caller adds the file, row group and column).
struct PageError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// One leaf's column chunk: a value or a null per entry and, when asked, the entries' levels.
struct LeafColumn {
    var values: ColumnVector
    /// One per entry when kept and the leaf's largest level is above 0, else empty.
    var definitions: [UInt8] = []
    var repetitions: [UInt8] = []
}

enum ColumnChunkReader {
    /// The bits a level of at most `maximum` takes.
    static func bitWidth(_ maximum: Int) -> Int { maximum == 0 ? 0 : Int.bitWidth - maximum.leadingZeroBitCount }

    /// Reads the column chunk `c` of a row group of `rows` rows; `keepLevels` keeps the levels for record assembly.
    static func read(_ c: ParquetMetadata.Chunk, leaf: Leaf, rows: Int, keepLevels: Bool, file: RandomAccessFile) throws(PageError) -> LeafColumn {
        // Values are decoded by the schema's physical type: a chunk that says otherwise is corrupt
        // (decoding by one and storing by the other would build an inconsistent column).
        guard c.type == leaf.physical else {
            throw PageError(message: "the column chunk's physical type \(c.type) differs from the schema's \(leaf.physical)")
        }
        let maxDefinition = leaf.node.definitionLevel, maxRepetition = leaf.node.repetitionLevel
        // A flat leaf has an entry per row; a repeated one as many as the chunk says, at least one per row.
        let entries: Int
        if maxRepetition == 0 {
            entries = rows
        } else {
            guard c.numValues >= Int64(rows), c.numValues <= Int64(Int32.max) else {
                throw PageError(message: "a repeated column chunk of \(c.numValues) values in \(rows) rows")
            }
            entries = Int(c.numValues)
        }
        // The chunk's bytes: from its first page (the dictionary's, when there is one).
        var start = c.dataPageOffset
        if let d = c.dictionaryPageOffset, d > 0, d < start { start = d }
        guard start >= 4, c.totalCompressedSize > 0, c.totalCompressedSize <= Int64(Layout.maxBlockBytes),
              start <= Int64(file.size) - c.totalCompressedSize else {
            throw PageError(message: "a column chunk at byte \(start) of \(c.totalCompressedSize) bytes lies outside the file")
        }
        // What the entries will take decoded, checked before anything is decoded: levels and indices
        // of a few bytes per entry, and the values (text by the bytes its pages hold, checked as it grows).
        let width = leaf.type == .bool ? 1 : (leaf.type == .date ? 4 : (leaf.type == .null ? 0 : 8))
        let cost = entries.multipliedReportingOverflow(by: width + 8)
        guard !cost.overflow, cost.partialValue <= DecodeLimit.bytes else {
            throw PageError(message: "\(entries) values would decode to more than \(DecodeLimit.bytes) bytes (COL_DECODE_LIMIT)")
        }
        let bytes: [UInt8]
        do { bytes = try file.read(at: Int(start), count: Int(c.totalCompressedSize)) } catch { throw PageError(message: error.description) }
        var dictionary: PhysicalValues?
        var out = LeafColumn(values: ColumnVector(type: leaf.type, capacity: entries))
        if keepLevels {
            if maxDefinition > 0 { out.definitions.reserveCapacity(entries) }
            if maxRepetition > 0 { out.repetitions.reserveCapacity(entries) }
        }
        var at = 0
        var values = 0
        let decompressor = BlockCompressor()
        // Errors in a page name the page's byte offset in the file.
        var pageAt = Int(start)
        do throws(PageError) {
            while values < entries {
                pageAt = Int(start) + at
            guard at < bytes.count else { throw PageError(message: "the pages end after \(values) of \(entries) values") }
                var r = ThriftCompactReader(bytes, base: Int(start), at: at)
                let header: Header
                do { header = try Header.parse(&r) } catch { throw PageError(message: "page header: \(error)") }
                let bodyAt = r.position
                guard header.compressed >= 0, header.uncompressed >= 0, header.compressed <= bytes.count - bodyAt else {
                    throw PageError(message: "a page of \(header.compressed) bytes (\(header.uncompressed) uncompressed) at byte \(Int(start) + bodyAt) does not fit")
                }
                guard header.uncompressed <= DecodeLimit.bytes else {
                    throw PageError(message: "a page that decompresses to \(header.uncompressed) bytes, past the decode limit of \(DecodeLimit.bytes) (COL_DECODE_LIMIT)")
                }
                let body = Array(bytes[bodyAt..<(bodyAt + header.compressed)])
                at = bodyAt + header.compressed
                switch header.type {
                case 2:  // dictionary page
                    guard header.encoding == 0 || header.encoding == 2 else {
                        throw PageError(message: "a dictionary page in \(name(header.encoding, in: encodingNames))")
                    }
                    let plain = try decompress(body, codec: c.codec, size: header.uncompressed, using: decompressor)
                    // Every dictionary value takes at least a bit of the page.
                    guard header.dictionaryValues >= 0, header.dictionaryValues <= plain.count * 8 else {
                        throw PageError(message: "a dictionary of \(header.dictionaryValues) values in \(plain.count) bytes")
                    }
                    var pos = 0
                    var d = try PageDecoding.plain(plain, at: &pos, count: header.dictionaryValues, physical: leaf.physical, width: leaf.width)
                    if leaf.conversion == .text || leaf.conversion == .json {
                        for k in 0..<d.count where firstInvalidUTF8(d.bytes[d.byteRange(k)]) != nil {
                            throw PageError(message: "a value that is not UTF-8 (dictionary value \(k))")
                        }
                        d.checkedUTF8 = true
                    }
                    dictionary = d
                case 0, 3:  // data page v1, v2
                    let n = header.numValues
                    guard n >= 0, n <= entries - values else { throw PageError(message: "a page of \(n) values where \(entries - values) remain") }
                    var page: [UInt8]
                    var pos = 0
                    var definitions: [UInt8]?
                    var repetitions: [UInt8]?
                    let definitionWidth = bitWidth(maxDefinition), repetitionWidth = bitWidth(maxRepetition)
                    if header.type == 0 {
                        page = try decompress(body, codec: c.codec, size: header.uncompressed, using: decompressor)
                        // v1: repetition then definition levels, each a 4-byte length and the RLE hybrid.
                        func levels(_ width: Int, encoding: Int32, _ what: String) throws(PageError) -> [UInt8]? {
                            guard width > 0 else { return nil }
                            guard encoding == 3 else { throw PageError(message: "\(what) levels in \(name(encoding, in: encodingNames)) (only RLE is read)") }
                            try PageDecoding.need(4, page, pos, "\(what) levels")
                            let length = Int(PageDecoding.le(page, pos, 4))
                            try PageDecoding.need(length, page, pos + 4, "\(what) levels")
                            let decoded = try Hybrid.decode(page, from: pos + 4, to: pos + 4 + length, count: n, bitWidth: width)
                            pos += 4 + length
                            return decoded.map { UInt8(truncatingIfNeeded: $0) }
                        }
                        repetitions = try levels(repetitionWidth, encoding: header.repetitionEncoding, "repetition")
                        definitions = try levels(definitionWidth, encoding: header.definitionEncoding, "definition")
                    } else {
                        // v2: repetition then definition levels, uncompressed and without lengths, then the values.
                        let levelBytes = header.definitionLength.addingReportingOverflow(header.repetitionLength)
                        guard header.definitionLength >= 0, header.repetitionLength >= 0, !levelBytes.overflow, levelBytes.partialValue <= body.count else {
                            throw PageError(message: "levels past the page")
                        }
                        // Repetition level bytes in a column that does not repeat hold nothing to read (some writers
                        // store an empty run there); they are skipped, as other readers do.
                        if repetitionWidth > 0 {
                            repetitions = try Hybrid.decode(body, from: 0, to: header.repetitionLength, count: n, bitWidth: repetitionWidth).map { UInt8(truncatingIfNeeded: $0) }
                        }
                        if definitionWidth > 0 {
                            definitions = try Hybrid.decode(body, from: header.repetitionLength, to: levelBytes.partialValue, count: n, bitWidth: definitionWidth)
                                .map { UInt8(truncatingIfNeeded: $0) }
                        }
                        let rest = Array(body[levelBytes.partialValue...])
                        page = header.isCompressed ? try decompress(rest, codec: c.codec, size: header.uncompressed - levelBytes.partialValue, using: decompressor) : rest
                    }
                    if let definitions, let bad = definitions.first(where: { Int($0) > maxDefinition }) {
                        throw PageError(message: "a definition level of \(bad) where the column's largest is \(maxDefinition)")
                    }
                    if let repetitions {
                        if let bad = repetitions.first(where: { Int($0) > maxRepetition }) {
                            throw PageError(message: "a repetition level of \(bad) where the column's largest is \(maxRepetition)")
                        }
                        if values == 0, let first = repetitions.first, first != 0 {
                            throw PageError(message: "the first value's repetition level is \(first), not 0")
                        }
                    }
                    let present = definitions.map { $0.reduce(0) { $0 + (Int($1) == maxDefinition ? 1 : 0) } } ?? n
                    var decoded = PhysicalValues()
                    var indices: [UInt32]?
                    switch header.encoding {
                    case 0:
                        decoded = try PageDecoding.plain(page, at: &pos, count: present, physical: leaf.physical, width: leaf.width)
                    case 2, 8:
                        guard let dictionary else { throw PageError(message: "a dictionary-encoded page without a dictionary page") }
                        guard pos < page.count || present == 0 else { throw PageError(message: "dictionary indices missing") }
                        let width = present == 0 ? 0 : Int(page[pos])
                        guard width <= 32 else { throw PageError(message: "dictionary indices of \(width) bits") }
                        indices = present == 0 ? [] : try Hybrid.decode(page, from: pos + 1, to: page.count, count: present, bitWidth: width)
                        decoded = dictionary
                    case 3 where leaf.physical == 0:
                        decoded = try PageDecoding.rleBooleans(page, at: pos, count: present)
                    case 5 where leaf.physical == 1 || leaf.physical == 2:
                        let ints = try PageDecoding.deltaBinaryPacked(page, at: &pos, count: present)
                        // INT32 deltas wrap at 32 bits: the low 32 bits of the 64-bit sums are the values.
                        decoded = PhysicalValues(count: present, ints: leaf.physical == 1 ? ints.map { Int64(Int32(truncatingIfNeeded: $0)) } : ints)
                    case 6 where leaf.physical == 6:
                        decoded = try PageDecoding.deltaLengthByteArray(page, at: &pos, count: present)
                    case 7 where leaf.physical == 6 || leaf.physical == 7:
                        decoded = try PageDecoding.deltaByteArray(page, at: &pos, count: present, width: leaf.physical == 7 ? leaf.width : 0)
                    case 9 where [1, 2, 4, 5, 7].contains(leaf.physical):
                        decoded = try PageDecoding.byteStreamSplit(page, at: pos, count: present, physical: leaf.physical, width: leaf.width)
                    default:
                        throw PageError(message: "encoding \(name(header.encoding, in: encodingNames)) for physical type \(leaf.physical) is not imported")
                    }
                    try leaf.append(decoded, indices: indices, definitions: definitions, entries: n, into: &out.values)
                    if keepLevels {
                        if let definitions { out.definitions += definitions }
                        if let repetitions { out.repetitions += repetitions }
                    }
                    values += n
                default:
                    // Index pages (type 1) and pages of unknown types are skipped, as the spec allows.
                    continue
                }
            }
        } catch {
            throw PageError(message: "page at byte \(pageAt): \(error.message)")
        }
        return out
    }

    /// parquet.thrift's names of the encodings and the codecs, by number.
    static let encodingNames = ["PLAIN", "GROUP_VAR_INT", "PLAIN_DICTIONARY", "RLE", "BIT_PACKED", "DELTA_BINARY_PACKED",
                                "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY", "RLE_DICTIONARY", "BYTE_STREAM_SPLIT"]
    static let codecNames = ["UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"]

    static func name(_ code: Int32, in names: [String]) -> String {
        names.indices.contains(Int(code)) ? names[Int(code)] : "\(code)"
    }

    static func decompress(_ body: [UInt8], codec: Int32, size: Int, using d: BlockCompressor) throws(PageError) -> [UInt8] {
        guard size >= 0 else { throw PageError(message: "a negative page size") }
        // An empty page stores nothing, whatever its codec (some writers skip the codec's own empty frame).
        if size == 0 && body.isEmpty { return [] }
        switch codec {
        case 0:
            guard body.count == size else { throw PageError(message: "an uncompressed page of \(body.count) bytes that says \(size)") }
            return body
        case 1:
            guard let out = body.withUnsafeBytes({ Snappy.decompress($0, expected: size) }) else {
                throw PageError(message: "a snappy page that does not decompress to \(size) bytes")
            }
            return out
        case 6:
            guard let out = body.withUnsafeBytes({ ZstdPage.decompress($0, expected: size) }) else {
                throw PageError(message: "a zstd page that does not decompress to \(size) bytes")
            }
            return out
        case 7:
            var out: [UInt8] = []
            guard body.withUnsafeBytes({ d.decompress($0, codec: .lz4, rawLength: size, into: &out) }) else {
                throw PageError(message: "an LZ4_RAW page that does not decompress to \(size) bytes")
            }
            return out
        case 2:
            guard let out = body.withUnsafeBytes({ Gzip.decompress($0, expected: size) }) else {
                throw PageError(message: "a gzip page that does not inflate to \(size) bytes")
            }
            return out
        case 4:
            guard let out = body.withUnsafeBytes({ BrotliPage.decompress($0, expected: size) }) else {
                throw PageError(message: "a brotli page that does not decode to \(size) bytes")
            }
            return out
        case 5:
            // The deprecated LZ4 codec: Hadoop's framing (blocks of a big-endian raw size, compressed
            // size and LZ4 block), or, from older writers, one bare LZ4 block.
            if let out = hadoopLZ4(body, size: size, using: d) { return out }
            var out: [UInt8] = []
            guard body.withUnsafeBytes({ d.decompress($0, codec: .lz4, rawLength: size, into: &out) }) else {
                throw PageError(message: "an LZ4 page that does not decompress to \(size) bytes")
            }
            return out
        default:
            throw PageError(message: "codec \(name(codec, in: codecNames)) is not imported")
        }
    }

    /// Hadoop-framed LZ4, or nil when `body` is not framed so.
    static func hadoopLZ4(_ body: [UInt8], size: Int, using d: BlockCompressor) -> [UInt8]? {
        var out: [UInt8] = []
        var block: [UInt8] = []
        var at = 0
        func be32(_ i: Int) -> Int { Int(body[i]) << 24 | Int(body[i + 1]) << 16 | Int(body[i + 2]) << 8 | Int(body[i + 3]) }
        while at < body.count {
            guard body.count - at >= 8 else { return nil }
            let raw = be32(at), compressed = be32(at + 4)
            at += 8
            guard raw <= size - out.count, compressed <= body.count - at else { return nil }
            let ok = body[at..<(at + compressed)].withUnsafeBytes { d.decompress($0, codec: .lz4, rawLength: raw, into: &block) }
            guard ok else { return nil }
            out += block
            at += compressed
        }
        return out.count == size ? out : nil
    }

    /// A page header's fields that the reader uses.
    struct Header {
        var type: Int32 = -1
        var uncompressed = 0
        var compressed = 0
        var numValues = 0
        var encoding: Int32 = 0
        var dictionaryValues = 0
        var definitionLength = 0
        var repetitionLength = 0
        var definitionEncoding: Int32 = 3
        var repetitionEncoding: Int32 = 3
        var isCompressed = true

        static func parse(_ r: inout ThriftCompactReader) throws(ThriftError) -> Header {
            var h = Header()
            try r.structure { (r: inout ThriftCompactReader, id: Int16, type: ThriftType) throws(ThriftError) in
                switch (id, type) {
                case (1, .i32): h.type = try r.i32()
                case (2, .i32): h.uncompressed = Int(try r.i32())
                case (3, .i32): h.compressed = Int(try r.i32())
                case (5, .structure):
                    try r.structure { (r: inout ThriftCompactReader, id: Int16, type: ThriftType) throws(ThriftError) in
                        switch (id, type) {
                        case (1, .i32): h.numValues = Int(try r.i32())
                        case (2, .i32): h.encoding = try r.i32()
                        case (3, .i32): h.definitionEncoding = try r.i32()
                        case (4, .i32): h.repetitionEncoding = try r.i32()
                        default: try r.skip(type)
                        }
                    }
                case (7, .structure):
                    try r.structure { (r: inout ThriftCompactReader, id: Int16, type: ThriftType) throws(ThriftError) in
                        switch (id, type) {
                        case (1, .i32): h.dictionaryValues = Int(try r.i32())
                        case (2, .i32): h.encoding = try r.i32()
                        default: try r.skip(type)
                        }
                    }
                case (8, .structure):
                    try r.structure { (r: inout ThriftCompactReader, id: Int16, type: ThriftType) throws(ThriftError) in
                        switch (id, type) {
                        case (1, .i32): h.numValues = Int(try r.i32())
                        case (4, .i32): h.encoding = try r.i32()
                        case (5, .i32): h.definitionLength = Int(try r.i32())
                        case (6, .i32): h.repetitionLength = Int(try r.i32())
                        case (7, _): h.isCompressed = try r.bool(type)
                        default: try r.skip(type)
                        }
                    }
                default: try r.skip(type)
                }
            }
            return h
        }
    }
}

/// The RLE / bit-packing hybrid, decoding side.
enum Hybrid {
    /// Decodes `count` values of `bitWidth` bits from `bytes[from..<to]`.
    static func decode(_ bytes: [UInt8], from: Int, to: Int, count: Int, bitWidth: Int) throws(PageError) -> [UInt32] {
        guard from >= 0, from <= to, to <= bytes.count, bitWidth >= 0, bitWidth <= 32, count >= 0 else {
            throw PageError(message: "levels or indices outside the page")
        }
        var out: [UInt32] = []
        out.reserveCapacity(min(count, (to - from) * 8 + 64))
        var i = from
        let valueBytes = (bitWidth + 7) / 8
        while out.count < count {
            guard i < to else { throw PageError(message: "levels or indices end after \(out.count) of \(count)") }
            var header = 0, shift = 0
            while true {
                guard i < to, shift <= 28 else { throw PageError(message: "a bad run header") }
                let b = bytes[i]
                i += 1
                header |= Int(b & 0x7F) << shift
                if b & 0x80 == 0 { break }
                shift += 7
            }
            if header & 1 == 0 {
                let n = header >> 1
                guard valueBytes <= to - i else { throw PageError(message: "an RLE run cut short") }
                var v: UInt32 = 0
                for k in 0..<valueBytes { v |= UInt32(bytes[i + k]) << (8 * UInt32(k)) }
                i += valueBytes
                guard bitWidth == 32 || v < 1 << UInt32(bitWidth) else { throw PageError(message: "an RLE value wider than its bit width") }
                let take = min(n, count - out.count)
                out.append(contentsOf: repeatElement(v, count: take))
            } else {
                let groups = header >> 1
                guard groups <= (to - i) / max(bitWidth, 1) + 1, groups * bitWidth <= to - i else {
                    throw PageError(message: "a bit-packed run past the page")
                }
                var acc: UInt64 = 0, bits = 0
                let mask: UInt64 = bitWidth == 32 ? 0xFFFF_FFFF : (1 << UInt64(bitWidth)) - 1
                for _ in 0..<(groups * 8) {
                    while bits < bitWidth {
                        acc |= UInt64(bytes[i]) << UInt64(bits)
                        i += 1
                        bits += 8
                    }
                    if out.count < count { out.append(UInt32(acc & mask)) }
                    acc >>= UInt64(bitWidth)
                    bits -= bitWidth
                }
            }
        }
        return out
    }
}
