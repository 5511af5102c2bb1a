import ColBytes
@testable import ColFormat
import TestSupport
import Testing

/// The read path's block decoders (`BitPacking.unpack(count:width:from:into:)`, each encoding's
/// `decode(_:type:count:into:)`, PageDecoder's in-place expansion of nulls and its string gather)
/// against reference decoders written here from docs/FORMAT.md §3.3, one bit and one value at a
/// time. Every bit width, random lengths (most of them ending inside a 64-bit word), nulls
/// anywhere, every encoding of every type.
@Suite("Decoders against the reference")
struct DecoderPropertyTests {
    /// Value i of `width` bits is bits [i·width, (i+1)·width) of the bytes, least significant first.
    static func referenceUnpack(_ bytes: [UInt8], count: Int, width: Int) -> [UInt64] {
        (0..<count).map { i in
            var v: UInt64 = 0
            for b in 0..<width {
                let bit = i * width + b
                if (bytes[bit >> 3] >> UInt8(bit & 7)) & 1 == 1 { v |= 1 << UInt64(b) }
            }
            return v
        }
    }

    /// A page's values (after its validity) read by the layout of FORMAT.md §3.3.
    static func referenceValues(_ r: inout ByteReader, encoding: Encoding, type: LogicalType, count k: Int) throws -> [UInt64] {
        func plain() throws -> UInt64 {
            type == .date ? UInt64(bitPattern: Int64(try r.read(Int32.self))) : try r.read(UInt64.self)
        }
        func packed(_ n: Int, _ width: Int) throws -> [UInt64] {
            referenceUnpack(Array(try r.readRaw((n * width + 7) / 8)), count: n, width: width)
        }
        switch encoding {
        case .plain:
            return try (0..<k).map { _ in try plain() }
        case .dictionary:
            let d = Int(try r.readVarint())
            let dictionary = try (0..<d).map { _ in try plain() }
            let width = Int(try r.readUInt8())
            return try packed(k, width).map { dictionary[Int($0)] }
        case .rle:
            let runs = Int(try r.readVarint())
            let lengths = try (0..<runs).map { _ in Int(try r.readVarint()) }
            var out: [UInt64] = []
            for length in lengths { out += repeatElement(try plain(), count: length) }
            return out
        case .bitPacked:
            let minimum = try r.read(Int64.self)
            let width = Int(try r.readUInt8())
            return try packed(k, width).map { UInt64(bitPattern: minimum &+ Int64(bitPattern: $0)) }
        case .delta:
            let first = try r.read(Int64.self), smallest = try r.read(Int64.self)
            let width = Int(try r.readUInt8())
            var out = [UInt64(bitPattern: first)]
            var previous = first
            for d in try packed(k - 1, width) {
                previous = previous &+ smallest &+ Int64(bitPattern: d)
                out.append(UInt64(bitPattern: previous))
            }
            return out
        case .decimal:
            let e = Int(try r.readUInt8())
            let minimum = try r.read(Int64.self)
            let width = Int(try r.readUInt8())
            var scale = 1.0
            for _ in 0..<e { scale *= 10 }
            return try packed(k, width).map { (Double(minimum &+ Int64(bitPattern: $0)) / scale).bitPattern }
        }
    }

    @Test("bit unpacking: every width from 0 to 64, lengths ending anywhere in a word, between other bytes")
    func unpack() throws {
        var g = SeededRandom(seed: 64)
        for width in 0...64 {
            for round in 0..<16 {
                let count = round < 4 ? round : g.int(400)
                let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) - 1
                let values = (0..<count).map { _ in g.next() & mask }
                var w = ByteWriter()
                w.write(UInt8(0xAB))
                BitPacking.pack(count: count, width: width, into: &w) { values[$0] }
                w.write(UInt8(0xCD))
                var r = ByteReader(w.bytes)
                _ = try r.readUInt8()
                var out = [UInt64](repeating: 0xDEAD, count: count)
                try out.withUnsafeMutableBufferPointer { buffer in
                    guard let base = buffer.baseAddress else { return }
                    try BitPacking.unpack(count: count, width: width, from: &r, into: base)
                }
                #expect(out == values, "width \(width), \(count) values")
                #expect(Self.referenceUnpack(Array(w.bytes[1..<(w.bytes.count - 1)]), count: count, width: width) == values)
                #expect(r.remaining == 1, "width \(width), \(count) values: the packed bytes, no more")
            }
        }
    }

    /// A random column of `type` whose values need about `bits` bits around a random base.
    static func column(_ type: LogicalType, rows: Int, bits: Int, nulls: Double, _ g: inout SeededRandom) -> ColumnVector {
        var v = ColumnVector(type: type)
        let span: UInt64 = bits >= 63 ? UInt64(Int64.max) : (1 << UInt64(bits))
        let base = Int64(g.int(2_000_000)) - 1_000_000
        let runLength = 1 + g.int(4)
        var current = base
        for i in 0..<rows {
            if g.chance(nulls) { v.appendNull(); continue }
            if i % runLength == 0 { current = base &+ Int64(bitPattern: g.next() % max(span, 1)) }
            switch type {
            case .int64, .timestamp: v.append(current)
            case .date: v.append(date: Int32(truncatingIfNeeded: current % Int64(Layout.maxDateDays)))
            case .float64: v.append(bits < 40 ? Double(current) / 100 : Double(bitPattern: UInt64(bitPattern: current)).isNaN ? 0.5 : Double(current) * 1.5)
            case .bool: v.append(current & 1 == 0)
            case .string, .json:
                let length = Int(UInt64(bitPattern: current) % 13)
                v.append(string: String(repeating: ["a", "é", "z", "€"][Int(UInt64(bitPattern: current) % 4)], count: length))
            case .null: v.appendNull()
            }
        }
        return v
    }

    @Test("every encoding of every type: the block decoders give the values, and agree with the reference value by value")
    func pages() throws {
        var g = SeededRandom(seed: 33)
        let encoder = PageEncoder()
        var checked = 0
        var usedEncodings: Set<String> = []
        var wanted: Set<String> = []
        for type in [LogicalType.int64, .timestamp, .date, .float64, .bool, .string, .json] {
            for encoding in Encoding.candidates(for: type) {
                wanted.insert("\(type) \(encoding)")
                for round in 0..<60 {
                    let rows = round < 3 ? round + 1 : 1 + g.int(700)
                    let bits = g.int(64)
                    let nulls = [0, 0.02, 0.3, 0.97][round % 4]
                    let input = Self.column(type, rows: rows, bits: bits, nulls: nulls, &g)
                    let used = encoder.encode(input, forcing: encoding)
                    usedEncodings.insert("\(type) \(used)")
                    let page = encoder.page.bytes
                    let decoded = try PageDecoder.decode(page, type: type, rows: rows, encoding: used)
                    #expect(sameValues(decoded, input), "\(type) \(used) (forced \(encoding)), \(rows) rows, \(bits) bits")
                    #expect(decoded.validityWords == input.validityWords)
                    if type != .bool && type != .string && type != .json && input.nullCount < rows {
                        var r = ByteReader(page)
                        _ = try Validity.read(&r, rows: rows)
                        let reference = try Self.referenceValues(&r, encoding: used, type: type, count: rows - input.nullCount)
                        #expect(r.isAtEnd)
                        let expected: [UInt64] = (0..<rows).filter { input.isValid($0) }.map { i in
                            switch type {
                            case .float64: input.float64s[i].bitPattern
                            case .date: UInt64(bitPattern: Int64(input.dates[i]))
                            default: UInt64(bitPattern: input.int64s[i])
                            }
                        }
                        #expect(reference == expected, "\(type) \(used): the reference reads the page as the spec lays it out")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked > 600)
        #expect(usedEncodings == wanted, "every encoding of every type was decoded")
    }

    @Test("a string page whose values cut a character in two is refused, in every string encoding")
    func valuesCutInsideACharacter() throws {
        // "a" + C3 | A9 + "b": the text "aéb" is UTF-8, its two values are not.
        var cut = ColumnVector(type: .string)
        [0x61, 0xC3].withUnsafeBytes { cut.append(bytes: $0) }
        [0xA9, 0x62].withUnsafeBytes { cut.append(bytes: $0) }
        var whole = ColumnVector(type: .string)
        whole.append(string: "aé")
        whole.append(string: "b")
        let encoder = PageEncoder()
        for encoding in Encoding.candidates(for: .string) {
            let used = encoder.encode(cut, forcing: encoding)
            #expect(throws: BinaryDecodingError.self, "\(used)") {
                _ = try PageDecoder.decode(encoder.page.bytes, type: .string, rows: 2, encoding: used)
            }
            let fine = encoder.encode(whole, forcing: encoding)
            #expect(sameValues(try PageDecoder.decode(encoder.page.bytes, type: .string, rows: 2, encoding: fine), whole))
        }
        // The writer refuses such a column through either way in, so it never writes a file its reader refuses.
        let s = Scratch()
        let cutColumn = cut
        for byRows in [false, true] {
            let path = s.file("cut-\(byRows).col")
            let writer = try ColFileWriter(path: path, columns: [ColumnDescriptor(name: "s")])
            #expect(throws: ColFileError.self) {
                if byRows {
                    try writer.append(rows: 2) { _ in ColFileWriter.ChunkColumn(vector: cutColumn) }
                } else {
                    try writer.append([cutColumn])
                }
            }
            writer.abort()
            let good = try ColFileWriter(path: path, columns: [ColumnDescriptor(name: "s")])
            try good.append([whole])
            try good.finish()
            #expect(sameValues(try ColFileReader(path: path).readColumn(chunk: 0, column: 0), whole))
        }
    }
}
