import ColBytes
import ColFormat
import ColProfile
import Foundation
import Testing
import TestSupport

@Suite("Snapshots")
struct SnapshotTests {
    /// Three days in a folder, with a schema that evolves: day 0's delays are whole numbers
    /// (int64, widened to float64 by day 1), and day 2 adds a column.
    static func folder(_ s: Scratch) throws -> String {
        try FileManager.default.createDirectory(atPath: s.file("days"), withIntermediateDirectories: true)
        for d in 0..<3 {
            var lines = makeDay(d, rows: 5_000, seed: UInt64(20 + d)).split(separator: "\n").map(String.init)
            for i in lines.indices {
                var f = lines[i].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                if d == 0 && i > 0 { f[4] = String(Int(Double(f[4]) ?? 0)) }
                if d == 2 { f.append(i == 0 ? "gate" : String(i % 40)) }
                lines[i] = f.joined(separator: ",")
            }
            let path = try convert(lines.joined(separator: "\n") + "\n", to: s, name: "day\(d)")
            try FileManager.default.moveItem(atPath: path, toPath: s.file("days/day\(d).col"))
        }
        return s.file("days")
    }

    func bytes(_ s: ColumnStatistics) -> [UInt8] {
        var w = ByteWriter()
        s.serialize(into: &w)
        return w.bytes
    }

    @Test("a snapshot of a folder equals the merge of its parts, statistic for statistic, chunk for chunk")
    func folderEqualsMerge() throws {
        let s = Scratch()
        let data = try Dataset(paths: [try Self.folder(s)])
        let path = s.file("base.colprof")
        try Snapshot.write(data, to: path, tool: "tests")
        let snap = try Dataset(paths: [path])
        let reader = try #require(snap.parts.first?.reader)
        #expect(reader.isSnapshot)
        #expect(snap.rowCount == data.rowCount && snap.chunkCount == data.chunkCount)
        #expect(snap.schema.fingerprint == data.schema.fingerprint)
        #expect(data.columns.count == 8 && data.columns[4].type == .float64 && data.columns[7].name == "gate")
        for k in data.columns.indices {
            let a = data.columns[k], b = snap.columns[k]
            var full = b.statistics
            full.hll = try snap.distinctSketch(k)
            #expect(bytes(a.statistics) == bytes(full), "\(a.name)")
            #expect(a.storedBytes == b.storedBytes && a.decodedBytes == b.decodedBytes, "\(a.name)")
            #expect(a.chunks == b.chunks && a.chunksWithNulls == b.chunksWithNulls, "\(a.name)")
            #expect(a.role == b.role, "\(a.name)")
            #expect(a.widenings.map { "\($0.row) \($0.from) \($0.to)" } == b.widenings.map { "\($0.row) \($0.from) \($0.to)" }, "\(a.name)")
        }
        #expect(snap.columns[4].widenings.map(\.row) == [5_000])
        // Chunk by chunk: the parts' chunk statistics, in the dataset's columns.
        var chunks: [[ColumnStatistics]] = []
        for part in data.parts { chunks += try part.reader.chunkStatistics() }
        let stored = try reader.chunkStatistics()
        #expect(stored.count == chunks.count)
        for (c, row) in stored.enumerated() {
            let partColumns = chunks[c].count
            for k in 0..<partColumns { #expect(bytes(row[k]) == bytes(chunks[c][k]), "chunk \(c) column \(k)") }
            for k in partColumns..<row.count { #expect(row[k].nullCount == row[k].rowCount) }
        }
        // A snapshot of the snapshot is the same snapshot.
        let again = s.file("again.colprof")
        try Snapshot.write(snap, to: again, tool: "tests")
        let twice = try Dataset(paths: [again])
        for k in data.columns.indices { #expect(bytes(twice.columns[k].statistics) == bytes(snap.columns[k].statistics)) }
    }

    @Test("drift against a snapshot gives the verdicts of drift against the data")
    func driftVerdicts() throws {
        let s = Scratch()
        let folder = try Self.folder(s)
        let data = try Dataset(paths: [folder])
        try Snapshot.write(data, to: s.file("base.colprof"), tool: "tests")
        let snap = try Dataset(paths: [s.file("base.colprof")])
        let ordinary = try convert(makeDay(3, rows: 5_000, seed: 40, firstID: 15_000), to: s, name: "next")
        let skipped = try convert(makeDay(5, rows: 5_000, seed: 41, firstID: 25_000), to: s, name: "skipped")
        for new in [ordinary, skipped] {
            let n = try Dataset(paths: [new])
            let a = try Drift.compare(base: data, new: n, baseName: "base", newName: "new")
            let b = try Drift.compare(base: snap, new: n, baseName: "base", newName: "new")
            #expect(a.findings.map { "\($0.column) \($0.metric) \($0.severity) \($0.detail)" }
                    == b.findings.map { "\($0.column) \($0.metric) \($0.severity) \($0.detail)" })
            #expect(a.roles.map(\.role) == b.roles.map(\.role))
        }
        // The next day lacks day 2's new column; that is all that fails. The day after skips a day.
        let next = try Drift.compare(base: snap, new: try Dataset(paths: [ordinary]), baseName: "b", newName: "n")
        #expect(next.findings.filter { $0.severity > .ok }.map { "\($0.column) \($0.metric)" } == ["gate schema.removed"])
        let gap = try Drift.compare(base: snap, new: try Dataset(paths: [skipped]), baseName: "b", newName: "n")
        #expect(gap.findings.filter { $0.severity == .fail }.map { "\($0.column) \($0.metric)" } == ["gate schema.removed", "id gap", "at gap"])
        // Inside: the snapshot's chunks are the data's.
        let inA = try Drift.withinFile(data, name: "x"), inB = try Drift.withinFile(snap, name: "x")
        #expect(inA.findings.map { "\($0.column) \($0.chunk ?? -1) \($0.metric) \($0.severity)" }
                == inB.findings.map { "\($0.column) \($0.chunk ?? -1) \($0.metric) \($0.severity)" })
    }

    @Test("a snapshot holds no data: reading a column is refused by name, and older readers refuse it by its required flag")
    func noData() throws {
        let s = Scratch()
        let col = try convert(makeDay(0, rows: 1_000, seed: 1), to: s, name: "d")
        try Snapshot.write(try Dataset(paths: [col]), to: s.file("d.colprof"), tool: "tests")
        let r = try ColFileReader(path: s.file("d.colprof"))
        #expect(throws: ColFileError.snapshotHasNoData(path: s.file("d.colprof"))) { try r.readColumn(chunk: 0, column: 0) }
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: s.file("d.colprof"))))
        #expect(bytes.count < 16_000)
        let tail = bytes.count - Layout.tailSize
        #expect(bytes[tail + 24] == 1, "required feature bit 0")
    }
}

@Suite("Histories")
struct HistoryTests {
    /// A day whose `load` column alternates between two distributions from one day to the next.
    static func day(_ d: Int, storm: Bool = false) -> String {
        var g = SeededRandom(seed: UInt64(300 + d))
        var lines = makeDay(d, rows: 4_000, seed: UInt64(200 + d)).split(separator: "\n").map(String.init)
        for i in lines.indices {
            if i == 0 { lines[i] += ",load"; continue }
            var f = lines[i].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if storm {
                f[4] = g.chance(0.2) ? "" : String(format: "%.1f", 50 + 25 * g.gauss())
            }
            let mean = d % 2 == 0 ? 100.0 : 130.0
            lines[i] = f.joined(separator: ",") + "," + String(format: "%.2f", mean + 10 * g.gauss())
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func history(_ s: Scratch, days: Range<Int>, keep: Int = 30) throws -> String {
        let path = s.file("history.colprof")
        for d in days {
            let col = try convert(Self.day(d), to: s, name: "day\(d)")
            try History.append(try Dataset(paths: [col]), to: path, label: "day \(d)", keep: keep, tool: "tests",
                               exists: d != days.lowerBound)
        }
        return path
    }

    @Test("appending keeps the last entries; each entry keeps its statistics whole")
    func rolling() throws {
        let s = Scratch()
        let path = try history(s, days: 0..<5, keep: 3)
        let h = try History(path: path)
        #expect(h.count == 3 && h.labels == ["day 2", "day 3", "day 4"])
        let day4 = try Dataset(paths: [s.file("day4.col")])
        for (j, c) in day4.columns.enumerated() {
            let e = h.entries[2][j]
            #expect(e.rowCount == 4_000 && e.nullCount == c.statistics.nullCount && e.min == c.statistics.min && e.max == c.statistics.max)
            #expect(e.quantiles?.quantiles([0.1, 0.5, 0.9]) == c.statistics.quantiles?.quantiles([0.1, 0.5, 0.9]), "\(c.name)")
        }
        // The history's roles come from its entries, as from files.
        let roles = try h.reader.roles().map(\.role)
        #expect(roles == [.key, .eventTime, .partition, .none, .none, .identifier, .partition, .none])
        #expect(throws: ProfileError.self) { try History(path: s.file("day4.col")) }
    }

    @Test("drift against a history: the next day passes, a stormy day fails on its delays only; thresholds follow the day-to-day variation")
    func gate() throws {
        let s = Scratch()
        let path = try history(s, days: 0..<6)
        let h = try History(path: path)
        let t = DriftThresholds()
        let learnt = h.learntThresholds(last: nil, thresholds: t, roles: [:])
        // `load` moves by a whole standard deviation every day: its psi threshold is raised.
        let load = try #require(learnt["load"]?["psi"])
        #expect(load.fail > 1)
        for (name, storm) in [("next", false), ("storm", true)] {
            let col = try convert(Self.day(6, storm: storm), to: s, name: name)
            var r = try Drift.compare(base: h.window(last: nil), new: try Dataset(paths: [col]), baseName: "h", newName: name)
            let before = r.findings.contains { $0.column == "load" && $0.severity == .fail }
            r.apply(learnt: learnt, thresholds: t)
            let failing = Set(r.findings.filter { $0.severity == .fail }.map(\.column))
            #expect(before, "the static thresholds fail the alternating column")
            #expect(failing == (storm ? ["delay"] : []), "\(r.findings.filter { $0.severity > .ok }.map { "\($0.column) \($0.metric) \($0.value ?? 0)" })")
        }
        // A threshold set by name wins over the learnt one.
        var explicit = DriftThresholds()
        try explicit.set("psi.fail=0.25")
        let col = try convert(Self.day(6), to: s, name: "again")
        var r = try Drift.compare(base: h.window(last: nil), new: try Dataset(paths: [col]), baseName: "h", newName: "again")
        r.apply(learnt: learnt, thresholds: explicit)
        #expect(r.findings.contains { $0.column == "load" && $0.metric == "psi" && $0.severity == .fail })
    }
}

@Suite("docs/API.md")
struct ProfileAPIExample {
    @Test("the ColProfile example runs as written (with scratch paths)")
    func example() throws {
        let s = Scratch()
        let baseCol = try convert(makeDay(0, seed: 1), to: s, name: "base")
        let todayCol = try convert(makeDay(1, seed: 2), to: s, name: "today")
        try Snapshot.write(try Dataset(paths: [baseCol]), to: s.file("baseline.colprof"), tool: "tests")

        let base = try Dataset(paths: [s.file("baseline.colprof")])
        let today = try Dataset(paths: [todayCol])
        #expect(today.columns.map(\.role.role) == [.key, .eventTime, .partition, .none, .none, .identifier, .partition])

        var thresholds = DriftThresholds()
        try thresholds.set("psi.fail=0.3")
        let report = try Drift.compare(base: base, new: today, baseName: "baseline", newName: "today",
                                       thresholds: thresholds, roles: try Drift.roleOverrides(["id=key"]))
        #expect(report.severity < .fail, "\(report.render(.table, all: false, failOn: .fail))")

        try Snapshot.write(today, to: s.file("today.colprof"), tool: "nightly 1.0")
        try History.append(base, to: s.file("history.colprof"), label: "2026-11-28", keep: 30, tool: "nightly 1.0", exists: false)
        try History.append(today, to: s.file("history.colprof"), label: "2026-11-29", keep: 30, tool: "nightly 1.0", exists: true)
        let history = try History(path: s.file("history.colprof"))
        var gated = try Drift.compare(base: history.window(last: 7), new: today, baseName: "last 7 days", newName: "today")
        gated.apply(learnt: history.learntThresholds(last: 7, thresholds: DriftThresholds(), roles: [:]), thresholds: DriftThresholds())
        #expect(history.count == 2 && history.labels == ["2026-11-28", "2026-11-29"])
    }
}
