// One Parquet column chunk read into a ColumnVector: its pages' headers, decompression,
// definition levels and values (docs/PARQUET.md, "Import").

import ColBytes
import ColFormat

/// A malformed or unsupported page, in words (the caller adds the file, row group and column).
struct PageError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

enum ColumnChunkReader {
    /// Reads the column chunk `c` of `rows` rows.
    static func read(_ c: ParquetMetadata.Chunk, leaf: ParquetImport.Leaf, rows: Int, file: RandomAccessFile) throws(PageError) -> ColumnVector {
        // Values are decoded by the schema's physical type: a chunk that says otherwise is corrupt
        // (decoding by one and storing by the other would build an inconsistent column).
        guard c.type == leaf.element.type else {
            throw PageError(message: "the column chunk's physical type \(c.type) differs from the schema's \(leaf.element.type.map(String.init) ?? "none")")
        }
        // The chunk's bytes: from its first page (the dictionary's, when there is one).
        var start = c.dataPageOffset
        if let d = c.dictionaryPageOffset, d > 0, d < start { start = d }
        guard start >= 4, c.totalCompressedSize > 0, c.totalCompressedSize <= Int64(Layout.maxBlockBytes),
              start <= Int64(file.size) - c.totalCompressedSize else {
            throw PageError(message: "a column chunk at byte \(start) of \(c.totalCompressedSize) bytes lies outside the file")
        }
        // What the rows will take decoded, checked before anything is decoded: levels and indices
        // of a few bytes per row, and the values (text by the bytes its pages hold, checked as it grows).
        let width = leaf.type == .bool ? 1 : (leaf.type == .date ? 4 : (leaf.type == .null ? 0 : 8))
        let cost = rows.multipliedReportingOverflow(by: width + 6)
        guard !cost.overflow, cost.partialValue <= DecodeLimit.bytes else {
            throw PageError(message: "\(rows) rows would decode to more than \(DecodeLimit.bytes) bytes (COL_DECODE_LIMIT)")
        }
        let bytes: [UInt8]
        do { bytes = try file.read(at: Int(start), count: Int(c.totalCompressedSize)) } catch { throw PageError(message: error.description) }
        var dictionary: ColumnVector?
        var out = ColumnVector(type: leaf.type, capacity: rows)
        var at = 0
        var values = 0
        let decompressor = BlockCompressor()
        while values < rows {
            guard at < bytes.count else { throw PageError(message: "the pages end after \(values) of \(rows) values") }
            var r = ThriftCompactReader(bytes, base: Int(start), at: at)
            let header: Header
            do { header = try Header.parse(&r) } catch { throw PageError(message: "page header: \(error)") }
            let bodyAt = r.position
            guard header.compressed >= 0, header.uncompressed >= 0, header.compressed <= bytes.count - bodyAt,
                  header.uncompressed <= DecodeLimit.bytes else {
                throw PageError(message: "a page of \(header.compressed) bytes (\(header.uncompressed) uncompressed) at byte \(Int(start) + bodyAt) does not fit")
            }
            let body = Array(bytes[bodyAt..<(bodyAt + header.compressed)])
            at = bodyAt + header.compressed
            switch header.type {
            case 2:  // dictionary page
                let plain = try decompress(body, codec: c.codec, size: header.uncompressed, using: decompressor)
                // Every dictionary value takes at least a bit of the page.
                guard header.dictionaryValues >= 0, header.dictionaryValues <= plain.count * 8 else {
                    throw PageError(message: "a dictionary of \(header.dictionaryValues) values in \(plain.count) bytes")
                }
                var d = ColumnVector(type: leaf.type, capacity: header.dictionaryValues)
                var pos = 0
                try decodePlain(plain, at: &pos, count: header.dictionaryValues, physical: c.type, leaf: leaf, into: &d, definitions: nil)
                dictionary = d
            case 0, 3:  // data page v1, v2
                let n = header.numValues
                guard n >= 0, n <= rows - values else { throw PageError(message: "a page of \(n) values where \(rows - values) remain") }
                var page: [UInt8]
                var levelsEnd = 0
                var definitions: [Bool]?
                if header.type == 0 {
                    page = try decompress(body, codec: c.codec, size: header.uncompressed, using: decompressor)
                    if leaf.optional {
                        guard page.count >= 4 else { throw PageError(message: "definition levels cut short") }
                        let length = Int(page[0]) | Int(page[1]) << 8 | Int(page[2]) << 16 | Int(page[3]) << 24
                        guard length <= page.count - 4 else { throw PageError(message: "definition levels of \(length) bytes past the page") }
                        definitions = try Hybrid.decode(page, from: 4, to: 4 + length, count: n, bitWidth: 1).map { $0 != 0 }
                        levelsEnd = 4 + length
                    }
                } else {
                    // v2: levels uncompressed first, then the values, compressed unless said otherwise.
                    let levels = header.definitionLength + header.repetitionLength
                    guard header.repetitionLength == 0 else { throw PageError(message: "repetition levels in a flat column") }
                    guard header.definitionLength >= 0, levels <= body.count else { throw PageError(message: "levels past the page") }
                    if leaf.optional {
                        definitions = try Hybrid.decode(body, from: 0, to: header.definitionLength, count: n, bitWidth: 1).map { $0 != 0 }
                    }
                    let rest = Array(body[levels...])
                    page = header.isCompressed ? try decompress(rest, codec: c.codec, size: header.uncompressed - levels, using: decompressor) : rest
                }
                let present = definitions.map { $0.reduce(0) { $0 + ($1 ? 1 : 0) } } ?? n
                var pos = levelsEnd
                switch header.encoding {
                case 0:
                    try decodePlain(page, at: &pos, count: present, physical: c.type, leaf: leaf, into: &out, definitions: definitions)
                case 2, 8:
                    guard let dictionary else { throw PageError(message: "a dictionary-encoded page without a dictionary page") }
                    guard pos < page.count || present == 0 else { throw PageError(message: "dictionary indices missing") }
                    let width = present == 0 ? 0 : Int(page[pos])
                    guard width <= 32 else { throw PageError(message: "dictionary indices of \(width) bits") }
                    let indices = present == 0 ? [] : try Hybrid.decode(page, from: pos + 1, to: page.count, count: present, bitWidth: width)
                    var k = 0
                    for i in 0..<n {
                        if let definitions, !definitions[i] { out.appendNull(); continue }
                        let index = Int(indices[k])
                        k += 1
                        guard index < dictionary.count else { throw PageError(message: "dictionary index \(index) of \(dictionary.count)") }
                        // Text copied from a dictionary can grow far past the page: checked as it grows.
                        if dictionary.type.isVariableLength, out.bytes.count + dictionary.byteRange(index).count > min(DecodeLimit.bytes, Int(UInt32.max)) {
                            throw PageError(message: "dictionary text that would decode to more than \(min(DecodeLimit.bytes, Int(UInt32.max))) bytes")
                        }
                        out.appendRow(index, of: dictionary)
                    }
                case 3 where leaf.type == .bool:
                    // Booleans in RLE (v2 pages): a 4-byte length, then the hybrid of 1-bit values.
                    guard page.count >= pos + 4 else { throw PageError(message: "boolean RLE cut short") }
                    let length = Int(page[pos]) | Int(page[pos + 1]) << 8 | Int(page[pos + 2]) << 16 | Int(page[pos + 3]) << 24
                    guard length <= page.count - pos - 4 else { throw PageError(message: "boolean RLE past the page") }
                    let bits = try Hybrid.decode(page, from: pos + 4, to: pos + 4 + length, count: present, bitWidth: 1)
                    var k = 0
                    for i in 0..<n {
                        if let definitions, !definitions[i] { out.appendNull(); continue }
                        out.append(bits[k] != 0)
                        k += 1
                    }
                default:
                    throw PageError(message: "encoding \(name(header.encoding, in: encodingNames)) is not imported yet")
                }
                values += n
            default:
                throw PageError(message: "a page of type \(header.type) (not a data or dictionary page)")
            }
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
        switch codec {
        case 0:
            guard body.count == size else { throw PageError(message: "an uncompressed page of \(body.count) bytes that says \(size)") }
            return body
        case 1:
            guard let out = body.withUnsafeBytes({ Snappy.decompress($0, expected: size) }) else {
                throw PageError(message: "a snappy page that does not decompress to \(size) bytes")
            }
            return out
        case 6, 7:
            var out: [UInt8] = []
            let ok = body.withUnsafeBytes { d.decompress($0, codec: codec == 6 ? .zstd : .lz4, rawLength: size, into: &out) }
            guard ok else { throw PageError(message: "a \(codec == 6 ? "zstd" : "LZ4_RAW") page that does not decompress to \(size) bytes") }
            return out
        default:
            throw PageError(message: "codec \(name(codec, in: codecNames)) is not imported yet")
        }
    }

    /// Decodes `count` PLAIN values from `page` at `pos`; with `definitions`, nulls are placed where a level is 0.
    static func decodePlain(_ page: [UInt8], at pos: inout Int, count: Int, physical: Int32, leaf: ParquetImport.Leaf,
                            into out: inout ColumnVector, definitions: [Bool]?) throws(PageError) {
        let rows = definitions?.count ?? count
        func need(_ n: Int) throws(PageError) {
            guard n <= page.count - pos else { throw PageError(message: "PLAIN values past the end of the page") }
        }
        func le(_ width: Int) -> UInt64 {
            var v: UInt64 = 0
            for k in 0..<width { v |= UInt64(page[pos + k]) << (8 * UInt64(k)) }
            pos += width
            return v
        }
        var bit = 0
        for i in 0..<rows {
            if let definitions, !definitions[i] { out.appendNull(); continue }
            switch (physical, leaf.type) {
            case (_, .null): out.appendNull()
            case (0, _):
                if bit == 0 { try need(1) }
                out.append(page[pos] >> UInt8(bit) & 1 == 1)
                bit += 1
                if bit == 8 { bit = 0; pos += 1 }
            case (1, .date):
                try need(4)
                let days = Int32(bitPattern: UInt32(truncatingIfNeeded: le(4)))
                // A .col date widens to a timestamp without overflow: ±106,751,991 days (docs/FORMAT.md §8).
                guard days.magnitude <= Layout.maxDateDays.magnitude else {
                    throw PageError(message: "a DATE of \(days) days, past the ±\(Layout.maxDateDays) a .col date holds")
                }
                out.append(date: days)
            case (1, _):
                try need(4)
                let bits = UInt32(truncatingIfNeeded: le(4))
                out.append(leaf.unsigned32 ? Int64(bits) : Int64(Int32(bitPattern: bits)))
            case (2, .timestamp):
                try need(8)
                let v = Int64(bitPattern: le(8))
                switch leaf.unit {
                case 1:
                    let m = v.multipliedReportingOverflow(by: 1000)
                    guard !m.overflow else { throw PageError(message: "a millisecond timestamp out of range") }
                    out.append(m.partialValue)
                case 3: out.append(v / 1000 - (v % 1000 < 0 ? 1 : 0))
                default: out.append(v)
                }
            case (2, _):
                try need(8)
                out.append(Int64(bitPattern: le(8)))
            case (4, _):
                try need(4)
                out.append(Double(Float(bitPattern: UInt32(truncatingIfNeeded: le(4)))))
            case (5, _):
                try need(8)
                out.append(Double(bitPattern: le(8)))
            case (6, _):
                try need(4)
                let n = Int(le(4))
                try need(n)
                guard out.bytes.count + n <= min(DecodeLimit.bytes, Int(UInt32.max)) else {
                    throw PageError(message: "text that would decode to more than \(min(DecodeLimit.bytes, Int(UInt32.max))) bytes")
                }
                if leaf.type == .string {
                    guard String(validating: page[pos..<(pos + n)], as: UTF8.self) != nil else {
                        throw PageError(message: "a STRING value that is not UTF-8")
                    }
                }
                out.append(utf8: page[pos..<(pos + n)])
                pos += n
            default:
                throw PageError(message: "physical type \(physical) is not imported yet")
            }
        }
        if bit > 0 { pos += 1 }
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
                        default: try r.skip(type)
                        }
                    }
                case (7, .structure):
                    try r.structure { (r: inout ThriftCompactReader, id: Int16, type: ThriftType) throws(ThriftError) in
                        if id == 1, type == .i32 { h.dictionaryValues = Int(try r.i32()) } else { try r.skip(type) }
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
