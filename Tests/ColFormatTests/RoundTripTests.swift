import ColFormat
import TestSupport
import Testing

@Suite("Round trips")
struct RoundTripTests {
    static let types: [LogicalType] = [.bool, .int64, .float64, .string, .date, .timestamp, .json]

    static var typeEncodingCodec: [(LogicalType, Encoding, Codec)] {
        var out: [(LogicalType, Encoding, Codec)] = []
        for t in types { for e in Encoding.candidates(for: t) { for c in Codec.allCases { out.append((t, e, c)) } } }
        return out
    }

    @Test("every type × encoding × codec round-trips", arguments: typeEncodingCodec)
    func roundTrip(type: LogicalType, encoding: Encoding, codec: Codec) throws {
        let dir = Scratch()
        let path = dir.file("t.col")
        let columns = [
            makeColumn(type, rows: 3000, nullEvery: 0, seed: 7),
            makeColumn(type, rows: 3000, nullEvery: 5, seed: 8),
            makeColumn(type, rows: 3000, nullEvery: 0, seed: 9, lowCardinality: true),
            ColumnVector.nulls(type: type, count: 3000),
        ]
        let writer = try ColFileWriter(path: path, columns: (0..<4).map { ColumnDescriptor(name: "c\($0)") },
                                       options: WriterOptions(codec: codec, level: 3, forcedEncoding: encoding))
        try writer.append(columns)
        try writer.append(columns.map { col in
            var v = ColumnVector(type: type)
            v.append(col.scalar(at: 1))
            return v
        })
        try writer.finish()
        let reader = try ColFileReader(path: path)
        #expect(reader.rowCount == 3001)
        for j in 0..<4 {
            let entry = reader.directory.entry(chunk: 0, column: j)
            if j < 3 && entry.physicalType == type && type != .bool {
                // The forced encoding is used where it applies (all-null pages are plain by definition;
                // these floats include NaN and -0, which are not exact decimals, so forced decimal is plain).
                let applies = !(encoding == .decimal && entry.encoding == .plain)
                #expect(entry.encoding == encoding || columns[j].nullCount == columns[j].count || !applies)
            }
            let back = try reader.readColumn(chunk: 0, column: j)
            #expect(sameValues(back, columns[j].upcast(to: reader.schema.columns[j].type)), "column \(j)")
        }
    }

    @Test("automatic encoding choice round-trips and picks compact encodings", arguments: types)
    func automatic(type: LogicalType) throws {
        let dir = Scratch()
        let path = dir.file("a.col")
        let cols = [makeColumn(type, rows: 20000, nullEvery: 3, seed: 3), makeColumn(type, rows: 20000, seed: 4, lowCardinality: true)]
        let w = try ColFileWriter(path: path, columns: [ColumnDescriptor(name: "x"), ColumnDescriptor(name: "y")])
        try w.append(cols)
        try w.finish()
        let r = try ColFileReader(path: path)
        for j in 0..<2 { #expect(sameValues(try r.readColumn(chunk: 0, column: j), cols[j])) }
        let low = r.directory.entry(chunk: 0, column: 1)
        #expect(low.encoding != .plain, "low-cardinality \(type) should not be plain")
        #expect(low.storedLength < low.rawLength || low.codec == .none)
    }

    @Test("one row, and Int64 and float edge values")
    func edges() throws {
        let dir = Scratch()
        let path = dir.file("e.col")
        var ints = ColumnVector(type: .int64)
        for v: Int64 in [.min, .max, 0, -1] { ints.append(v) }
        var floats = ColumnVector(type: .float64)
        for v: Double in [.nan, -0.0, 0.0, .infinity] { floats.append(v) }
        var strs = ColumnVector(type: .string)
        for s in ["", "ß", "👩‍👩‍👧", ""] { strs.append(string: s) }
        let w = try ColFileWriter(path: path, columns: ["i", "f", "s"].map { ColumnDescriptor(name: $0) })
        try w.append([ints, floats, strs])
        try w.finish()
        let r = try ColFileReader(path: path)
        #expect(sameValues(try r.readColumn(chunk: 0, column: 0), ints))
        #expect(sameValues(try r.readColumn(chunk: 0, column: 1), floats))
        #expect(sameValues(try r.readColumn(chunk: 0, column: 2), strs))
        let f = r.statistics[1]
        #expect(f.nanCount == 1)
        #expect(f.min == .float64(0), "\(String(describing: f.min))")
        #expect(f.max == .float64(.infinity), "\(String(describing: f.max))")
        #expect(f.distinctCount == 2) // -0 and +0 count once; NaN excluded
        #expect(r.statistics[0].min == .int64(.min) && r.statistics[0].max == .int64(.max))
        #expect(r.statistics[2].lengthMin == 0)
    }

    @Test("widening across chunks is upcast and recorded; late columns read as null")
    func widening() throws {
        let dir = Scratch()
        let path = dir.file("w.col")
        let w = try ColFileWriter(path: path, columns: [ColumnDescriptor(name: "n")])
        var a = ColumnVector(type: .int64)
        a.append(Int64(1)); a.append(Int64(2))
        try w.append([a])
        var b = ColumnVector(type: .float64)
        b.append(2.5); b.append(3.5)
        let late = try w.addColumn(ColumnDescriptor(name: "late"))
        var l = ColumnVector(type: .string)
        l.append(string: "x"); l.appendNull()
        try w.append([b, l], firstRowOfType: [1, 0])
        var c = ColumnVector(type: .string)
        c.append(string: "n/a"); c.append(string: "4")
        try w.append([c, l], firstRowOfType: [0, 0])
        try w.finish()
        let r = try ColFileReader(path: path)
        #expect(r.schema.columns.map(\.type) == [.string, .string])
        #expect(r.schema.widenings == [
            WideningEvent(column: 0, chunk: 1, row: 3, from: .int64, to: .float64),
            WideningEvent(column: 0, chunk: 2, row: 4, from: .float64, to: .string),
        ])
        #expect(r.directory.entry(chunk: 0, column: 0).physicalType == .int64)
        let first = try r.readColumn(chunk: 0, column: 0)
        #expect(first.string(at: 1) == "2")
        #expect(try r.readColumn(chunk: 1, column: 0).string(at: 0) == "2.5")
        let absent = try r.readColumn(chunk: 0, column: late)
        #expect(absent.nullCount == 2 && absent.type == .string)
        #expect(r.statistics[late].nullCount == 4)
        #expect(r.schema.columns[late].nullable)
        #expect(r.statistics[0].min == nil) // numeric bounds say nothing about text order
    }

    @Test("a million rows in several chunks")
    func millionRows() throws {
        let dir = Scratch()
        let path = dir.file("m.col")
        let w = try ColFileWriter(path: path, columns: [ColumnDescriptor(name: "id"), ColumnDescriptor(name: "v")])
        var expectedSum = 0.0
        for chunk in 0..<8 {
            var ids = ColumnVector(type: .int64), vs = ColumnVector(type: .float64)
            for i in 0..<125_000 {
                let row = chunk * 125_000 + i
                ids.append(Int64(row))
                let x = Double(row % 1000) / 10
                vs.append(x)
                expectedSum += x
            }
            try w.append([ids, vs])
        }
        try w.finish()
        let r = try ColFileReader(path: path)
        #expect(r.rowCount == 1_000_000)
        #expect(r.directory.entry(chunk: 3, column: 0).encoding == .delta)
        #expect(r.statistics[0].distinctCount == 1_000_000 || !r.statistics[0].distinctExact)
        let est = Double(r.statistics[0].distinctCount ?? 0)
        #expect(abs(est - 1e6) / 1e6 < 0.02)
        #expect(abs((r.statistics[1].moments?.sum ?? 0) - expectedSum) < 1e-3)
        var sum = 0.0
        for c in 0..<r.directory.chunkCount {
            let v = try r.readColumn(chunk: c, column: 1)
            for x in v.float64s { sum += x }
        }
        #expect(abs(sum - expectedSum) < 1e-6)
    }

    @Test("a date chunk widened to timestamp merges its moments and quantiles in microseconds, not days")
    func dateWidenedToTimestamp() throws {
        let dir = Scratch()
        let path = dir.file("widened.col")
        let w = try ColFileWriter(path: path, columns: [ColumnDescriptor(name: "when")])
        let jan1 = Int32(19723)  // 2024-01-01
        var dates = ColumnVector(type: .date)
        for d in 0..<50 { dates.append(date: jan1 + Int32(d % 28)) }
        try w.append([dates])
        var stamps = ColumnVector(type: .timestamp)
        for d in 0..<50 { _ = stamps.append(.timestamp((Int64(jan1) + Int64(d % 28)) * 86_400_000_000 + 36_000_000_000)) }
        try w.append([stamps])
        try w.finish()
        let s = try ColFileReader(path: path).statistics[0]
        let january = Double(jan1) * 86_400e6...Double(jan1 + 31) * 86_400e6
        #expect(s.type == .timestamp)
        #expect(january.contains(try #require(s.moments?.mean)))
        #expect(january.contains(try #require(s.quantiles?.quantile(0.05))))
        #expect(january.contains(try #require(s.quantiles?.quantile(0.95))))
    }
}
