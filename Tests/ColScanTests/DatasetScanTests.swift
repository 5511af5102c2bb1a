@testable import ColFormat
@testable import ColScan
import Foundation
import TestSupport
import Testing

/// One chunk of one part: a vector per column the part has.
private typealias Chunk = [String: ColumnVector]

/// Random parts that differ as real parts do: each has its own subset of the columns, in its
/// own order; `w` is int64 in some parts and float64 in others; `x` is int64 in the early
/// parts and text in the later ones; `i` rises from part to part (so parts prune on it);
/// one part may have no rows. Returns each part's columns and chunks.
private func makeParts(_ g: inout SeededRandom) -> [(columns: [String], chunks: [Chunk])] {
    let words = ["apple", "banana", "cherry", "date", "elder", "fig", "grape", ""]
    var parts: [(columns: [String], chunks: [Chunk])] = []
    var row = 0
    let count = 4 + g.int(4)
    for p in 0..<count {
        var columns = ["f", "s", "b", "d", "t", "w", "x"].filter { _ in g.chance(0.7) } + ["i"]
        columns.shuffle(using: &g)
        let chunkCount = p == 2 && g.chance(0.5) ? 0 : 1 + g.int(3)
        var chunks: [Chunk] = []
        for _ in 0..<chunkCount {
            let rows = 1 + g.int(120)
            var chunk: Chunk = [:]
            for name in columns {
                let type: LogicalType = switch name {
                case "i": .int64
                case "f": .float64
                case "s": .string
                case "b": .bool
                case "d": .date
                case "t": .timestamp
                case "w": p % 2 == 0 ? .int64 : .float64
                default: p < count / 2 ? .int64 : .string
                }
                var v = ColumnVector(type: type)
                for r in 0..<rows {
                    if g.chance(0.1) { v.appendNull(); continue }
                    switch name {
                    case "i": v.append(Int64((row + r) * 3 + g.int(3)))
                    case "f": if g.chance(0.05) { v.append(Double.nan) } else { v.append(Double(g.int(2000)) / 8 - 50) }
                    case "s": v.append(string: words[g.int(words.count)] + (p == count - 1 ? "!" : ""))
                    case "b": v.append(p == 1 ? true : g.chance(0.5))
                    case "d": v.append(date: Int32(19_000 + p * 40 + g.int(40)))
                    case "t": v.append(Int64(1_700_000_000_000_000 + (row + r) * 1_000_000 + g.int(1000)))
                    case "w": if type == .int64 { v.append(Int64(g.int(100))) } else { v.append(Double(g.int(400)) / 4) }
                    default: if type == .int64 { v.append(Int64(g.int(50))) } else { v.append(string: "k\(g.int(50))") }
                    }
                }
                chunk[name] = v
            }
            row += rows
            chunks.append(chunk)
        }
        parts.append((columns, chunks))
    }
    return parts
}

/// Writes each part to `folder/part-N.col`, and the concatenation of every part's chunks, in part
/// order, to `whole` (columns in the order first seen; a part's missing columns as nulls).
private func writeDataset(_ parts: [(columns: [String], chunks: [Chunk])], folder: String, whole: String) throws {
    var order: [String] = []
    for (p, part) in parts.enumerated() {
        let writer = try ColFileWriter(path: folder + "/part-\(p).col", columns: part.columns.map { ColumnDescriptor(name: $0) })
        for chunk in part.chunks { try writer.append(part.columns.map { chunk[$0] ?? ColumnVector(type: .null) }) }
        try writer.finish()
        for c in part.columns where !order.contains(c) { order.append(c) }
    }
    let writer = try ColFileWriter(path: whole, columns: order.map { ColumnDescriptor(name: $0) })
    for part in parts {
        for chunk in part.chunks {
            let rows = chunk.values.first?.count ?? 0
            try writer.append(order.map { chunk[$0] ?? ColumnVector.nulls(type: .null, count: rows) })
        }
    }
    try writer.finish()
}

private func rows(_ columns: [ColumnVector]) -> [[String?]] {
    let count = columns.first?.count ?? 0
    return (0..<count).map { i in columns.map { $0.scalar(at: i)?.description } }
}

@Suite("Dataset scans")
struct DatasetScanTests {
    @Test("a dataset scan returns what a scan of the parts' concatenation returns (columns added, types widened, parts pruned)",
          arguments: [1, 2, 3, 4] as [UInt64])
    func agreesWithConcatenation(seed: UInt64) throws {
        let s = Scratch()
        var g = SeededRandom(seed: seed &* 104_729)
        let parts = makeParts(&g)
        try FileManager.default.createDirectory(atPath: s.file("parts"), withIntermediateDirectories: true)
        try writeDataset(parts, folder: s.file("parts"), whole: s.file("whole.col"))
        let dataset = try ColDataset(path: s.file("parts"))
        let whole = try ColFileReader(path: s.file("whole.col"))
        #expect(dataset.parts.count == parts.count)
        #expect(dataset.rowCount == whole.rowCount)
        #expect(dataset.schema.columns.map(\.name) == whole.schema.columns.map(\.name))
        #expect(dataset.schema.columns.map(\.type) == whole.schema.columns.map(\.type))
        var partsPruned = 0, checked = 0
        for k in 0..<120 {
            var names = whole.schema.columns.map(\.name).filter { _ in g.chance(0.5) }
            if names.isEmpty { names = ["i"] }
            var p = randomPredicate(&g, depth: 3)
            // Half the time, a range on `i`, which parts prune on.
            if g.chance(0.5) { p = .and(.compare("i", g.chance(0.5) ? .less : .greaterOrEqual, .int64(Int64(g.int(2500)))), p) }
            let scan: DatasetScan
            do { scan = try dataset.scan(columns: names, where: p, batchSize: 1 + g.int(150)) } catch {
                // A literal that no longer fits a widened column fails both ways alike.
                #expect(throws: ScanError.self) { try whole.scan(columns: names, where: p) }
                continue
            }
            let expected = try collect(try whole.scan(columns: names, where: p))
            if k % 2 == 0 {
                var got: [[String?]] = []
                var it = scan.makeIterator()
                var lastPart = -1
                while let b = try it.next() {
                    #expect(b.part >= lastPart && b.part < dataset.parts.count)
                    lastPart = b.part
                    got += rows(b.columns).prefix(b.count)
                }
                #expect(got == expected, "\(p)")
            } else {
                #expect(rows(try scan.readAll()) == expected, "\(p)")
            }
            let m = scan.metrics
            #expect(m.rowsMatched == expected.count)
            #expect(m.parts == dataset.parts.count)
            #expect(m.chunks == dataset.chunkCount)
            partsPruned += m.partsPruned
            checked += 1
        }
        #expect(checked > 60)
        #expect(partsPruned > 0, "no predicate pruned a part")
    }

    @Test("a pruned part's blocks and chunk statistics are never read")
    func prunedPartsAreNotRead() throws {
        let s = Scratch()
        try FileManager.default.createDirectory(atPath: s.file("d"), withIntermediateDirectories: true)
        for p in 0..<4 {
            let writer = try ColFileWriter(path: s.file("d/p\(p).col"), columns: [ColumnDescriptor(name: "k"), ColumnDescriptor(name: "v")])
            for c in 0..<3 {
                var k = ColumnVector(type: .int64), v = ColumnVector(type: .string)
                for r in 0..<100 {
                    k.append(Int64(p * 1000 + c * 100 + r))
                    v.append(string: "value \(r)")
                }
                try writer.append([k, v])
            }
            try writer.finish()
        }
        let dataset = try ColDataset(path: s.file("d"))
        let opened = dataset.parts.map(\.bytesRead)
        let scan = try dataset.scan(columns: ["v"], where: try RowFilter.parse("k >= 2150 and k < 2160"))
        let got = try scan.readAll()
        #expect(got[0].count == 10)
        let m = scan.metrics
        #expect(m.partsPruned == 3 && m.chunksInPrunedParts == 9)
        #expect(m.chunksPruned == 2 && m.chunksRead == 1)
        for (p, part) in dataset.parts.enumerated() where p != 2 { #expect(part.bytesRead == opened[p], "part \(p) was read") }
        #expect(dataset.parts[2].bytesRead > opened[2])
    }

    @Test("the AsyncSequence form of a dataset scan gives the iterator's rows, and a cancelled scan stops")
    func asyncBatches() async throws {
        let s = Scratch()
        var g = SeededRandom(seed: 99)
        try FileManager.default.createDirectory(atPath: s.file("parts"), withIntermediateDirectories: true)
        try writeDataset(makeParts(&g), folder: s.file("parts"), whole: s.file("whole.col"))
        let dataset = try ColDataset(path: s.file("parts"))
        var expected = 0
        var it = try dataset.scan(batchSize: 7).makeIterator()
        while let b = try it.next() { expected += b.count }
        var got = 0
        for try await b in try dataset.scan(batchSize: 7).batches { got += b.count }
        #expect(got == expected && got == Int(dataset.rowCount))
        let scan = try dataset.scan(batchSize: 7)
        scan.cancel()
        await #expect(throws: ScanError.cancelled) { for try await _ in scan.batches {} }
    }

    @Test("opening refuses a folder without parts, a snapshot, and an unknown column even when every part is pruned")
    func refusals() throws {
        let s = Scratch()
        try FileManager.default.createDirectory(atPath: s.file("empty"), withIntermediateDirectories: true)
        #expect(throws: ScanError.notFound(s.file("empty"))) { try ColDataset(path: s.file("empty")) }
        #expect(throws: ScanError.notFound(s.file("nope"))) { try ColDataset(paths: [s.file("nope")]) }
        let path = s.file("one.col")
        let writer = try ColFileWriter(path: path, columns: [ColumnDescriptor(name: "k")])
        var k = ColumnVector(type: .int64)
        k.append(Int64(1))
        try writer.append([k])
        try writer.finish()
        let dataset = try ColDataset(path: path)
        #expect(throws: ScanError.unknownColumn("z", available: ["k"])) { try dataset.scan(where: try RowFilter.parse("k > 5 and z = 1")) }
        #expect(try dataset.scan(where: try RowFilter.parse("k > 5")).metrics.partsPruned == 1)
    }

    @Test("the docs/API.md example compiles and runs: a sum over a dataset, its first part pruned")
    func example() throws {
        let s = Scratch()
        try FileManager.default.createDirectory(atPath: s.file("dataset"), withIntermediateDirectories: true)
        var expected = 0.0
        for (p, day) in ["2026-10-31", "2026-11-01", "2026-11-02"].enumerated() {
            var text = Array(day.utf8)
            let days = try #require(parseISODate(&text))
            let writer = try ColFileWriter(path: s.file("dataset/part\(p).col"),
                                           columns: ["day", "shop", "price"].map { ColumnDescriptor(name: $0) })
            var d = ColumnVector(type: .date), shop = ColumnVector(type: .string), price = ColumnVector(type: .float64)
            for r in 0..<50 {
                d.append(date: days)
                shop.append(string: "shop\(r % 7)")
                let x = Double(r * 5 + p)
                price.append(x)
                if p > 0 && x > 100 { expected += x }
            }
            try writer.append([d, shop, price])
            try writer.finish()
        }
        let path = s.file("dataset")
        // The example:
        let dataset = try ColDataset(path: path)
        let scan = try dataset.scan(columns: ["shop", "price"],
                                    where: try RowFilter.parse("day >= '2026-11-01' and price > 100"))
        var total = 0.0
        var batches = scan.makeIterator()
        while let batch = try batches.next() {
            let price = batch.columns[1]
            for row in 0..<batch.count where price.isValid(row) { total += price.float64s[row] }
        }
        let m = scan.metrics
        // Checked:
        #expect(total == expected)
        #expect(m.parts == 3 && m.partsPruned == 1)
    }
}
