@testable import ColFormat
import ColIngest
@testable import ColScan
import Foundation
import TestSupport
import Testing



/// A file with every type, nulls, NaN and widened chunks: 6 chunks of 150 rows.
/// `i` rises with the row (so chunks prune on it); `w` is int64 in even chunks and
/// float64 in odd ones; `x` is int64 in the first chunks and string later.
func makeFile(_ path: String, seed: UInt64) throws {
    var g = SeededRandom(seed: seed)
    let names = ["i", "f", "s", "b", "d", "t", "w", "x", "n"]
    let writer = try ColFileWriter(path: path, columns: names.map { ColumnDescriptor(name: $0) })
    let words = ["apple", "banana", "cherry", "date", "elder", "fig", "grape", ""]
    for chunk in 0..<6 {
        var v = [ColumnVector(type: .int64), ColumnVector(type: .float64), ColumnVector(type: .string), ColumnVector(type: .bool),
                 ColumnVector(type: .date), ColumnVector(type: .timestamp), ColumnVector(type: chunk % 2 == 0 ? .int64 : .float64),
                 ColumnVector(type: chunk < 3 ? .int64 : .string), ColumnVector(type: .null)]
        for r in 0..<150 {
            let row = chunk * 150 + r
            if g.chance(0.1) { v[0].appendNull() } else { v[0].append(Int64(row * 3 + g.int(3))) }
            if g.chance(0.1) { v[1].appendNull() } else if g.chance(0.05) { v[1].append(Double.nan) } else { v[1].append(Double(g.int(2000)) / 8 - 50) }
            if g.chance(0.1) { v[2].appendNull() } else { v[2].append(string: words[g.int(words.count)] + (chunk == 5 ? "!" : "")) }
            if g.chance(0.1) { v[3].appendNull() } else { v[3].append(chunk == 2 ? true : g.chance(0.5)) }
            if g.chance(0.1) { v[4].appendNull() } else { v[4].append(date: Int32(19_000 + chunk * 40 + g.int(40))) }
            if g.chance(0.1) { v[5].appendNull() } else { v[5].append(Int64(1_700_000_000_000_000 + row * 1_000_000 + g.int(1000))) }
            if g.chance(0.1) { v[6].appendNull() } else if chunk % 2 == 0 { v[6].append(Int64(g.int(100))) } else { v[6].append(Double(g.int(400)) / 4) }
            if g.chance(0.1) { v[7].appendNull() } else if chunk < 3 { v[7].append(Int64(g.int(50))) } else { v[7].append(string: "k\(g.int(50))") }
            v[8].appendNull()
        }
        try writer.append(v)
    }
    try writer.finish()
}

/// A random literal that can be compared with column `name`.
func literal(_ name: String, _ g: inout SeededRandom) -> Scalar {
    switch name {
    case "i": .int64(Int64(g.int(2800)) - 10)
    case "f": g.chance(0.5) ? .float64(Double(g.int(2000)) / 8 - 50) : .int64(Int64(g.int(200)) - 50)
    case "s": .string(Array((["apple", "banana", "cherry", "zzz", "", "fig!", "a"][g.int(7)]).utf8))
    case "b": .bool(g.chance(0.5))
    case "d": .date(Int32(18_990 + g.int(260)))
    case "t": .timestamp(Int64(1_700_000_000_000_000 + g.int(950) * 1_000_000))
    case "w": g.chance(0.5) ? .int64(Int64(g.int(100))) : .float64(Double(g.int(400)) / 4)
    case "x": .string(Array((g.chance(0.5) ? "k\(g.int(50))" : "\(g.int(50))").utf8))
    default: .int64(0)
    }
}

func randomPredicate(_ g: inout SeededRandom, depth: Int) -> RowFilter {
    let names = ["i", "f", "s", "b", "d", "t", "w", "x", "n"]
    if depth > 0 && g.chance(0.45) {
        switch g.int(3) {
        case 0: return .and(randomPredicate(&g, depth: depth - 1), randomPredicate(&g, depth: depth - 1))
        case 1: return .or(randomPredicate(&g, depth: depth - 1), randomPredicate(&g, depth: depth - 1))
        default: return .not(randomPredicate(&g, depth: depth - 1))
        }
    }
    let c = names[g.int(names.count - 1)]
    switch g.int(8) {
    case 0: return g.chance(0.5) ? .isNull(c) : .isNotNull(c)
    case 1: return .isIn(c, (0..<(1 + g.int(3))).map { _ in literal(c, &g) })
    default: return .compare(c, Comparison.allCases[g.int(6)], literal(c, &g))
    }
}

/// The brute-force answer: every row of every chunk, filtered by a plain recursive evaluation.
func bruteForce(_ path: String, columns: [String], predicate: RowFilter) throws -> [[String?]] {
    let r = try ColFileReader(path: path)
    let names = r.schema.columns.map(\.name)
    var out: [[String?]] = []
    for chunk in 0..<r.directory.chunkCount {
        let all = try (0..<names.count).map { try r.readColumn(chunk: chunk, column: $0) }
        for row in 0..<Int(r.directory.chunkRowCounts[chunk]) {
            func value(_ c: String) -> Scalar? { all[names.firstIndex(of: c) ?? 0].scalar(at: row) }
            func truth(_ p: RowFilter) -> Bool? {
                switch p {
                case let .isNull(c): return value(c) == nil
                case let .isNotNull(c): return value(c) != nil
                case let .compare(c, op, lit):
                    guard let v = value(c), let l = convert(lit, to: r.schema.columns[names.firstIndex(of: c) ?? 0].type) else { return nil }
                    if case let .float64(d) = v, d.isNaN { return nil }
                    guard let o = Scalar.compare(v, l) else { return nil }
                    return op.holds(o)
                case let .isIn(c, lits):
                    var unknown = false
                    for l in lits {
                        let t = truth(.compare(c, .equal, l))
                        if t == true { return true }
                        if t == nil { unknown = true }
                    }
                    return unknown ? nil : false
                case let .and(a, b):
                    let x = truth(a), y = truth(b)
                    if x == false || y == false { return false }
                    return x == true && y == true ? true : nil
                case let .or(a, b):
                    let x = truth(a), y = truth(b)
                    if x == true || y == true { return true }
                    return x == false && y == false ? false : nil
                case let .not(a): return truth(a).map { !$0 }
                }
            }
            if truth(predicate) == true {
                out.append(columns.map { c in value(c).map(\.description) })
            }
        }
    }
    return out
}

func convert(_ v: Scalar, to type: LogicalType) -> Scalar? {
    if let u = v.upcast(to: type) { return u }
    return nil
}

func collect(_ scan: Scan) throws -> [[String?]] {
    var out: [[String?]] = []
    var it = scan.makeIterator()
    while let b = try it.next() {
        for i in 0..<b.count { out.append(b.columns.map { $0.scalar(at: i)?.description }) }
    }
    return out
}

@Suite("Lazy scans")
struct ScanTests {
    @Test("random columns and predicates give the brute-force answer (nulls, NaN, widened chunks, every type)",
          arguments: [1, 2, 3] as [UInt64])
    func property(seed: UInt64) throws {
        let s = Scratch()
        let path = s.file("p.col")
        try makeFile(path, seed: seed)
        let reader = try ColFileReader(path: path)
        var g = SeededRandom(seed: seed * 7919)
        var pruned = 0
        for _ in 0..<150 {
            let names = ["i", "f", "s", "b", "d", "t", "w", "x", "n"].filter { _ in g.chance(0.5) }
            let columns = names.isEmpty ? ["i"] : names
            let p = randomPredicate(&g, depth: 3)
            let scan = try reader.scan(columns: columns, where: p, batchSize: 1 + g.int(200))
            let got = try collect(scan)
            let expected = try bruteForce(path, columns: columns, predicate: p)
            #expect(got == expected, "\(p)")
            pruned += scan.metrics.chunksPruned
        }
        #expect(pruned > 0, "no predicate pruned a chunk")
    }

    @Test("reading one column of a 16-column file reads that column's blocks plus the footer and tail, no more")
    func bytesRead() throws {
        let s = Scratch()
        let csv = s.file("wide.csv")
        var text = (0..<16).map { "c\($0)" }.joined(separator: ",") + "\n"
        for r in 0..<20_000 { text += (0..<16).map { "\(r * ($0 + 1) % 9973)" }.joined(separator: ",") + "\n" }
        try text.write(toFile: csv, atomically: true, encoding: .utf8)
        var o = ConversionOptions()
        o.chunkRows = 4096
        _ = try CSVConverter.convert(input: csv, output: s.file("wide.col"), options: o)
        let reader = try ColFileReader(path: s.file("wide.col"))
        let afterOpen = reader.bytesRead
        let footerAndTail = reader.fileSize - reader.footerOffset
        #expect(afterOpen <= footerAndTail + 8)
        var sum = 0.0
        var it = try reader.scan(columns: ["c7"]).makeIterator()
        while let b = try it.next() { for v in b.columns[0].int64s { sum += Double(v) } }
        let column = (0..<reader.directory.chunkCount).reduce(0) { $0 + Int(reader.directory.entry(chunk: $1, column: 7).storedLength) }
        #expect(reader.bytesRead - afterOpen == column)
        #expect(reader.bytesRead <= column + footerAndTail + 8)
        #expect(sum == Double((0..<20_000).reduce(0) { $0 + $1 * 8 % 9973 }))
    }

    @Test("a selective filter on sorted data prunes chunks and reads only what survives")
    func pruning() throws {
        let s = Scratch()
        let path = s.file("p.col")
        try makeFile(path, seed: 9)
        let reader = try ColFileReader(path: path)
        let scan = try reader.scan(columns: ["i", "s"], where: try RowFilter.parse("i >= 400 and i < 500"))
        let rows = try collect(scan)
        #expect(scan.metrics.chunksPruned == 4)
        #expect(scan.metrics.chunksRead == 2)
        #expect(rows == (try bruteForce(path, columns: ["i", "s"], predicate: .and(.compare("i", .greaterOrEqual, .int64(400)), .compare("i", .less, .int64(500))))))
    }

    @Test("the chunk cache serves repeated scans without reading, and stays within its bound")
    func cache() throws {
        let s = Scratch()
        let path = s.file("p.col")
        try makeFile(path, seed: 4)
        let reader = try ColFileReader(path: path)
        let cache = ChunkCache(capacityBytes: 1 << 20)
        let first = try collect(try reader.scan(columns: ["s", "f"], where: .compare("f", .greater, .int64(10)), cache: cache))
        let before = reader.bytesRead
        let again = try reader.scan(columns: ["s", "f"], where: .compare("f", .greater, .int64(10)), cache: cache)
        #expect(try collect(again) == first)
        #expect(reader.bytesRead == before)
        #expect(again.metrics.cacheHits > 0)
        let small = ChunkCache(capacityBytes: 4096)
        _ = try collect(try reader.scan(cache: small))
        #expect(small.bytes <= 4096)
    }

    @Test("the AsyncSequence form gives the same batches, and a cancelled scan stops")
    func async() async throws {
        let s = Scratch()
        let path = s.file("p.col")
        try makeFile(path, seed: 5)
        let reader = try ColFileReader(path: path)
        var rows = 0
        for try await batch in try reader.scan(columns: ["t"], batchSize: 100).batches { rows += batch.count }
        #expect(UInt64(rows) == reader.rowCount)
        let scan = try reader.scan(batchSize: 10)
        var it = scan.makeIterator()
        _ = try it.next()
        scan.cancel()
        #expect(throws: ScanError.cancelled) { _ = try it.next() }
    }

    @Test("--where errors point at the offending character", arguments: [
        ("price > ", 8, "expected a value"),
        ("price >> 3", 7, "expected a value (a number, \"text\", true, false or null)"),
        ("(a = 1", 6, "expected ')'"),
        ("a = 1 b = 2", 6, "expected 'and', 'or' or the end"),
        ("a in (1, 2", 10, "expected ',' or ')' in the list"),
        ("a is nul", 5, "expected 'null' after 'is'"),
        ("city = \"Zürich", 14, "unclosed quote"),
    ])
    func parseErrors(text: String, at: Int, message: String) {
        #expect(throws: ScanError.syntax(message, at: at)) { _ = try RowFilter.parse(text) }
    }

    @Test("the grammar: precedence, in, is null, quoting and literals")
    func grammar() throws {
        let p = try RowFilter.parse("a = 1 or b < 2.5 and not `odd name` in ('x', \"y\") or c is not null and d = true")
        #expect(p.description == "((a = 1 or (b < 2.5 and not odd name in (\"x\", \"y\"))) or (c is not null and d = true))")
        #expect(throws: ScanError.self) { _ = try RowFilter.parse("a = null") }
    }

    @Test("the README example compiles and runs: sum one float column where another passes a filter")
    func example() throws {
        let s = Scratch()
        let path = s.file("p.col")
        try makeFile(path, seed: 6)
        // The example:
        let reader = try ColFileReader(path: path)                   // reads the footer only
        let scan = try reader.scan(columns: ["f"], where: .compare("i", .less, .int64(900)) && .isNotNull("s"))
        var total = 0.0
        var batches = scan.makeIterator()
        while let batch = try batches.next() {
            let f = batch.columns[0]
            for row in 0..<batch.count where f.isValid(row) && !f.float64s[row].isNaN { total += f.float64s[row] }
        }
        // Checked against the brute force.
        let expected = try bruteForce(path, columns: ["f"], predicate: .and(.compare("i", .less, .int64(900)), .isNotNull("s")))
            .compactMap { $0[0].flatMap(Double.init) }.filter { !$0.isNaN }.reduce(0, +)
        #expect(total == expected)
        #expect(scan.metrics.chunksPruned > 0)
    }

    @Test("whole columns: readAll joins every chunk on every core into one contiguous column each, the rows the batches give",
          arguments: [4, 5] as [UInt64])
    func wholeColumns(seed: UInt64) throws {
        let s = Scratch()
        let path = s.file("p.col")
        try makeFile(path, seed: seed)
        let reader = try ColFileReader(path: path)
        var g = SeededRandom(seed: seed * 104_729)
        for round in 0..<40 {
            let names = ["i", "f", "s", "b", "d", "t", "w", "x", "n"].filter { _ in g.chance(0.6) }
            let columns = names.isEmpty ? ["s"] : names
            let p: RowFilter? = round % 4 == 0 ? nil : randomPredicate(&g, depth: 2)
            let expected = try collect(reader.scan(columns: columns, where: p, batchSize: 1 + g.int(100)))
            let scan = try reader.scan(columns: columns, where: p)
            let whole = try scan.readAll()
            #expect(whole.map(\.type) == columns.map { reader.schema.columns[reader.schema.columnIndexByName[Array($0.utf8)] ?? 0].type })
            #expect(whole.allSatisfy { $0.count == expected.count })
            var rows: [[String?]] = []
            for r in 0..<(whole.first?.count ?? 0) { rows.append(whole.map { $0.scalar(at: r)?.description }) }
            #expect(rows == expected, "\(p.map { "\($0)" } ?? "no filter")")
            #expect(scan.metrics.rowsMatched == expected.count)
            // The chunks come in file order.
            var seen: [Int] = []
            try reader.scan(columns: columns, where: p).forEachChunk { chunk, _, _ in seen.append(chunk) }
            #expect(seen == seen.sorted())
        }
    }

    @Test("joining columns in bulk gives what appending row by row gives: every type, nulls, lengths off the 64-row words")
    func join() throws {
        var g = SeededRandom(seed: 31)
        let types: [LogicalType] = [.null, .bool, .int64, .float64, .date, .timestamp, .string, .json]
        for type in types {
            for _ in 0..<40 {
                var joined = ColumnVector(type: type)
                var reference = ColumnVector(type: type)
                for _ in 0..<(1 + g.int(5)) {
                    var part = ColumnVector(type: type)
                    for _ in 0..<g.int(150) {
                        if g.chance(0.3) || type == .null { part.appendNull(); continue }
                        switch type {
                        case .bool: part.append(g.chance(0.5))
                        case .int64, .timestamp: part.append(Int64(g.int(1_000_000)) - 500_000)
                        case .float64: part.append(Double(g.int(1000)) / 7)
                        case .date: part.append(date: Int32(g.int(30_000)))
                        default: part.append(string: String(repeating: "x", count: g.int(9)))
                        }
                    }
                    let appended = joined.append(contentsOf: part)
                    #expect(appended)
                    for r in 0..<part.count { reference.appendRow(r, of: part) }
                }
                #expect(joined.count == reference.count)
                #expect(joined.nullCount == reference.nullCount)
                #expect(joined.validityWords == reference.validityWords)
                #expect((0..<joined.count).map { joined.scalar(at: $0) } == (0..<reference.count).map { reference.scalar(at: $0) })
                #expect(joined.decodedBytes == reference.decodedBytes)
            }
        }
    }
}
