import ColFormat
import ColIngest
import ColProfile
import TestSupport
import Testing

/// Files written at format 1.0 stay readable, and mean what a 1.1 file of the same data means:
/// 1.1 only moved the HyperLogLog sketches out of the file statistics (docs/FORMAT.md §2.6).
@Suite("Format versions")
struct FormatVersionTests {
    static let old = Paths.fixtures + "/format/v1.0-drift-base.col"

    /// A chunk column as canonical text, a row per line, nulls marked.
    static func text(_ v: ColumnVector) -> String {
        var out: [UInt8] = []
        for i in 0..<v.count {
            if v.isValid(i) { v.appendCanonicalText(row: i, to: &out) } else { out += Array("<null>".utf8) }
            out.append(0x0A)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `Fixtures/cli/NAME.csv` converted now, in chunks of 1,000 rows as the 1.0 file was.
    static func convert(_ name: String, in s: Scratch) throws -> String {
        var options = ConversionOptions()
        options.chunkRows = 1000
        _ = try CSVConverter.convert(input: Paths.fixtures + "/cli/\(name).csv", output: s.file("new.col"), options: options)
        return s.file("new.col")
    }

    @Test("a 1.0 file's statistics and sketches equal those of the same data written now; its roles are inferred alike")
    func oldFileMeansTheSame() throws {
        let s = Scratch()
        let path = try Self.convert("drift-base", in: s)
        let old = try ColFileReader(path: Self.old), new = try ColFileReader(path: path)
        #expect(old.minorVersion == 0 && new.minorVersion == Int(Layout.minorVersion))
        // Roles: stored from 1.2 on; a 1.0 file's are inferred from its chunk statistics, to the same roles.
        let oldOrders = try old.chunkOrders()
        #expect(old.storedRoles == nil && oldOrders == nil)
        let oldRoles = try old.roles().map(\.role)
        #expect(oldRoles == new.storedRoles?.map(\.role))
        #expect(old.optionalFeatures & Layout.featureDistinctSketches == 0)
        #expect(new.optionalFeatures & Layout.featureDistinctSketches != 0)
        #expect(old.schema.fingerprint == new.schema.fingerprint)
        #expect(old.directory.chunkCount == 4 && new.directory.chunkCount == 4)
        let oldSketches = try old.distinctSketches(), newSketches = try new.distinctSketches()
        let oldFull = try old.statisticsWithSketches(), newFull = try new.statisticsWithSketches()
        for j in 0..<old.schema.columns.count {
            let a = old.statistics[j], b = new.statistics[j]
            #expect(a.hll != nil && b.hll == nil, "1.0 keeps the sketch in the record, 1.1 apart")
            let same = oldSketches[j] == a.hll && newSketches[j] == a.hll && oldFull[j].hll == newFull[j].hll
            #expect(same, "the same registers either way")
            #expect(a.nullCount == b.nullCount && a.min == b.min && a.max == b.max)
            #expect(a.distinctCount == b.distinctCount && a.distinctExact == b.distinctExact)
            #expect(a.moments?.sum == b.moments?.sum && a.moments?.m2 == b.moments?.m2)
            #expect(a.quantiles?.quantiles([0.05, 0.5, 0.95]) == b.quantiles?.quantiles([0.05, 0.5, 0.95]))
            #expect(a.frequent?.top(10).map(\.count) == b.frequent?.top(10).map(\.count))
        }
        for c in 0..<4 {
            for j in 0..<old.schema.columns.count {
                #expect(try Self.text(old.readColumn(chunk: c, column: j)) == Self.text(new.readColumn(chunk: c, column: j)))
            }
        }
    }

    @Test("a dataset of a 1.0 and a 1.1 part merges their sketches into one distinct estimate")
    func mixedVersionsMerge() throws {
        let s = Scratch()
        let path = try Self.convert("drift-new", in: s)
        let mixed = try Dataset(paths: [Self.old, path])
        let single = try Dataset(paths: [path])
        let id = try #require(mixed.column(named: "id"))
        let old = try ColFileReader(path: Self.old), new = try ColFileReader(path: path)
        var expected = try #require(old.statistics[id].hll)
        expected.merge(try #require(try new.distinctSketches()[id]))
        let merged = mixed.columns[id].statistics.hll == expected  // a Bool: a failure must not print 16,384 registers
        #expect(merged)
        #expect(!mixed.columns[id].statistics.distinctExact)
        #expect(mixed.columns[id].statistics.distinctCount == UInt64(expected.estimate.rounded()))
        #expect(single.columns[id].statistics.hll == nil, "one 1.1 part needs no sketch: its distinct count is stored")
        #expect(mixed.rowCount == old.rowCount + new.rowCount)
    }
}
