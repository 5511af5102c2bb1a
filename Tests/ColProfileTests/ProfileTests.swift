import ColFormat
import ColIngest
@testable import ColProfile
import Foundation
import TestSupport
import Testing

@Suite("Profiles from footers")
struct ProfileTests {
    @Test("row and null counts, min and max, mean exact; distinct counts within 2% of an exact computation")
    func againstExact() throws {
        let s = Scratch()
        let table = makeTable(rows: 30_000, seed: 7)
        let path = try write(table, to: s, name: "t", chunkRows: 8192)
        let d = try Dataset(paths: [path])
        #expect(d.rowCount == 30_000)
        for name in table.header {
            let values = table.column(name)
            let present = values.filter { !$0.isEmpty }
            let k = try #require(d.column(named: name))
            let st = d.columns[k].statistics
            #expect(st.rowCount == UInt64(values.count), "\(name)")
            #expect(st.nullCount == UInt64(values.count - present.count), "\(name)")
            let distinct = Double(Set(present).count)
            let reported = Double(try #require(ProfileReport.distinct(st)))
            #expect(abs(reported - distinct) / distinct <= 0.02, "\(name): \(reported) vs \(distinct)")
            if d.columns[k].type == .int64 || d.columns[k].type == .float64 {
                let numbers = present.compactMap(Double.init)
                #expect(st.min?.numericValue == numbers.min(), "\(name)")
                #expect(st.max?.numericValue == numbers.max(), "\(name)")
                let mean = numbers.reduce(0, +) / Double(numbers.count)
                #expect(abs((st.moments?.mean ?? .nan) - mean) <= 1e-9 * max(1, abs(mean)), "\(name)")
            } else {
                let sorted = present.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
                #expect(st.min?.description == sorted.first, "\(name)")
                #expect(st.max?.description == sorted.last, "\(name)")
            }
        }
    }

    @Test("a folder of parts merges into the same profile as one file holding all rows")
    func folderMerge() throws {
        let s = Scratch()
        let table = makeTable(rows: 12_000, seed: 3)
        let whole = try write(table, to: s, name: "whole")
        try FileManager.default.createDirectory(atPath: s.file("parts"), withIntermediateDirectories: true)
        for p in 0..<3 {
            let part = Table(header: table.header, rows: Array(table.rows[(p * 4000)..<((p + 1) * 4000)]))
            try write(part, to: s, name: "p\(p)")
            try FileManager.default.moveItem(atPath: s.file("p\(p).col"), toPath: s.file("parts/part-\(p).col"))
        }
        let a = try Dataset(paths: [whole]), b = try Dataset(paths: [s.file("parts")])
        #expect(b.parts.count == 3)
        #expect(a.schema.fingerprint == b.schema.fingerprint)
        #expect(a.rowCount == b.rowCount)
        for (x, y) in zip(a.columns, b.columns) {
            #expect(x.statistics.nullCount == y.statistics.nullCount)
            #expect(x.statistics.min == y.statistics.min && x.statistics.max == y.statistics.max, "\(x.name)")
            let mx = x.statistics.moments?.mean ?? 0, my = y.statistics.moments?.mean ?? 0
            #expect(abs(mx - my) <= 1e-9 * max(1, abs(mx)), "\(x.name)")
            let dx = Double(ProfileReport.distinct(x.statistics) ?? 0), dy = Double(ProfileReport.distinct(y.statistics) ?? 0)
            #expect(abs(dx - dy) / max(dx, 1) <= 0.02, "\(x.name)")
        }
    }

    @Test("the arrow estimate adds up values, offsets and validity exactly for a known column set")
    func memoryArithmetic() throws {
        let s = Scratch()
        let csv = s.file("m.csv")
        try "i,f,s,b\n1,1.5,ab,true\n2,,cde,false\n3,2.5,,true\n".write(toFile: csv, atomically: true, encoding: .utf8)
        _ = try CSVConverter.convert(input: csv, output: s.file("m.col"))
        let d = try Dataset(paths: [s.file("m.col")])
        let arrow = MemoryEstimate(d, layout: .arrow).columns.map(\.bytes)
        // i: 3×8; f: 3×8 + 1 validity byte; s: 4×4 offsets + 5 bytes + 1 validity; b: 1 bit-packed byte.
        #expect(arrow == [24, 25, 22, 1])
        let large = MemoryEstimate(d, layout: .arrowLarge).columns.map(\.bytes)
        #expect(large == [24, 25, 38, 1])
        let swift = MemoryEstimate(d, layout: .swift).columns.map(\.bytes)
        #expect(swift == [32, 32, 29, 11])
    }

    @Test("load advice: eager up to 65% of safe memory, lazy up to 200%, then streaming", arguments: [
        (UInt64(100), UInt64(1000), LoadAdvice.Strategy.eager),
        (UInt64(520), UInt64(1000), LoadAdvice.Strategy.eager),
        (UInt64(521), UInt64(1000), LoadAdvice.Strategy.lazy),
        (UInt64(1600), UInt64(1000), LoadAdvice.Strategy.lazy),
        (UInt64(1601), UInt64(1000), LoadAdvice.Strategy.stream),
    ])
    func advice(needed: UInt64, available: UInt64, expected: LoadAdvice.Strategy) {
        #expect(LoadAdvice(neededBytes: needed, availableBytes: available).strategy == expected)
    }

    @Test("MemAvailable is read from /proc/meminfo")
    func meminfo() {
        let v = LoadAdvice.availableMemory()
        #expect((v ?? 0) > 1 << 20)
    }
}

@Suite("Drift")
struct DriftTests {
    static let base = makeTable(rows: 20_000, seed: 11)

    func compare(_ plant: Plant, seed: UInt64 = 11) throws -> DriftReport {
        let s = Scratch()
        let a = try write(Self.base, to: s, name: "base")
        let b = try write(makeTable(rows: 20_000, seed: seed, plant: plant, firstID: 20_000), to: s, name: "new")
        return try Drift.compare(base: try Dataset(paths: [a]), new: try Dataset(paths: [b]), baseName: "base", newName: "new")
    }

    func flagged(_ r: DriftReport) -> [String: Severity] {
        var out: [String: Severity] = [:]
        for f in r.findings where f.severity > .ok { out[f.column] = max(out[f.column] ?? .ok, f.severity) }
        return out
    }

    @Test("two files from the same generator under different seeds flag nothing")
    func sameGenerator() throws {
        let r = try compare([], seed: 12)
        #expect(r.baseFingerprint == r.newFingerprint)
        #expect(flagged(r).isEmpty, "\(r.findings.filter { $0.severity > .ok }.map { "\($0.column) \($0.metric) \($0.value ?? 0)" })")
    }

    @Test("planted drift fails on the right column and nowhere else", arguments: [
        (Plant.meanShift, "score", "psi"),
        (Plant.newCategory, "city", "js"),
        (Plant.moreNulls, "amount", "null_rate"),
        (Plant.typeChange, "qty", "schema.type"),
        (Plant.removedColumn, "code", "schema.removed"),
    ])
    func planted(plant: Plant, column: String, metric: String) throws {
        let r = try compare(plant, seed: 12)
        #expect(flagged(r) == [column: .fail], "\(r.findings.filter { $0.severity > .ok }.map { "\($0.column) \($0.metric)" })")
        #expect(r.findings.contains { $0.column == column && $0.metric == metric && $0.severity == .fail })
    }

    @Test("the most moved category and bin are named")
    func detail() throws {
        let r = try compare(.newCategory, seed: 12)
        let js = try #require(r.findings.first { $0.column == "city" && $0.metric == "js" })
        #expect(js.detail.hasPrefix("'atlantis' moved most: 0.0% → 10."))
        #expect(js.value.map { $0 > 0.2 } == true)
    }

    @Test("inside one file: a chunk whose values jump is flagged, with the widening's row")
    func withinFile() throws {
        let s = Scratch()
        var t = makeTable(rows: 20_000, seed: 5)
        let shifted = makeTable(rows: 5_000, seed: 6, plant: [.meanShift, .typeChange])
        t.rows += shifted.rows.map { r in var r = r; r[0] = String((Int(r[0]) ?? 0) + 20_000); return r }
        let path = try write(t, to: s, name: "one", chunkRows: 5_000)
        let r = try Drift.withinFile(try Dataset(paths: [path]), name: "one", columns: ["score", "qty", "city"])
        let widening = try #require(r.findings.first { $0.metric == "widening" })
        #expect(widening.column == "qty" && widening.chunk == 4 && widening.detail == "int64 → string from row 20007")
        #expect(r.findings.contains { $0.column == "score" && $0.chunk == 4 && $0.metric == "psi" && $0.severity == .fail })
        #expect(!r.findings.contains { $0.column == "score" && $0.chunk != 4 && $0.severity == .fail })
        #expect(!r.findings.contains { $0.column == "city" && $0.severity > .ok })
    }

    @Test("thresholds are configurable by name, and a bad name is a usage error")
    func thresholds() throws {
        var t = DriftThresholds()
        try t.set("psi.fail=0.5")
        #expect(t.psiFail == 0.5)
        #expect(throws: ProfileError.self) { try t.set("nope.fail=1") }
    }
}
