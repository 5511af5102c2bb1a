import ColFormat
@testable import ColProfile
import Testing
import TestSupport

@Suite("Roles and role-aware drift")
struct RoleTests {
    func dataset(_ path: String) throws -> Dataset { try Dataset(paths: [path]) }

    func roles(_ d: Dataset) -> [String: ColumnRole] {
        Dictionary(uniqueKeysWithValues: d.columns.map { ($0.name, $0.role.role) })
    }

    func failing(_ r: DriftReport) -> [String] {
        r.findings.filter { $0.severity > .ok }.map { "\($0.column) \($0.metric) \($0.value ?? -1)" }
    }

    @Test("conversion records the roles: key, event time, partition, identifier; measures and categories have none")
    func recorded() throws {
        let s = Scratch()
        let d = try dataset(try convert(makeDay(0, seed: 1), to: s, name: "d0"))
        #expect(roles(d) == ["id": .key, "at": .eventTime, "day": .partition, "carrier": .none, "delay": .none, "ref": .identifier,
                             "dom": .partition])
        let reader = try ColFileReader(path: s.file("d0.col"))
        #expect(reader.minorVersion == 2)
        #expect(reader.storedRoles?.map(\.origin) == Array(repeating: .inferred, count: 7))
        // The order behind the key: every step inside a chunk goes up.
        let id = try #require(reader.storedRoles?.first)
        #expect(id.order == ValueOrder(steps: 8_000 - 4, ascending: 8_000 - 4, descending: 0))
        let chunks = try #require(try reader.chunkOrders())
        #expect(chunks.count == 4 && chunks.allSatisfy { $0[0] == ValueOrder(steps: 1_999, ascending: 1_999, descending: 0) })
    }

    @Test("an unsorted time is no event time inside one file, and is one across files that advance")
    func advancingFiles() throws {
        let s = Scratch()
        let a = try convert(makeDay(0, seed: 1, shape: .shuffled), to: s, name: "a")
        let b = try convert(makeDay(1, seed: 2, shape: .shuffled), to: s, name: "b")
        #expect(roles(try dataset(a))["at"] == ColumnRole.none)
        #expect(roles(try Dataset(paths: [a, b]))["at"] == .eventTime)
        let r = try Drift.compare(base: try dataset(a), new: try dataset(b), baseName: "a", newName: "b")
        #expect(r.severity == .ok, "\(failing(r))")
        #expect(r.roles.contains { $0.column == "at" && $0.role == .eventTime })
    }

    @Test("consecutive days pass with no options; the key, the time and the partition advance as information")
    func consecutiveDays() throws {
        let s = Scratch()
        let days = try (0..<3).map { try convert(makeDay($0, seed: UInt64(10 + $0)), to: s, name: "day\($0)") }
        for (a, b) in zip(days, days.dropFirst()) {
            let r = try Drift.compare(base: try dataset(a), new: try dataset(b), baseName: a, newName: b)
            #expect(r.severity == .ok, "\(failing(r))")
            #expect(r.findings.contains { $0.column == "at" && $0.metric == "advance" && $0.detail.hasSuffix("(+24 h)") || $0.detail.contains("(+23.") })
            #expect(r.findings.contains { $0.column == "day" && $0.metric == "partition" && $0.severity == .ok })
            #expect(r.findings.contains { $0.column == "dom" && $0.metric == "partition" && $0.severity == .ok })
        }
        // A folder of days: the date column is a partition over the files, the time an event time.
        let d = try Dataset(paths: days)
        #expect(roles(d)["day"] == .partition && roles(d)["at"] == .eventTime && roles(d)["id"] == .key)
    }

    @Test("a time or key that goes backwards, overlaps, or skips a day fails", arguments: [
        ("backwards", "overlap"), ("overlap", "overlap"), ("gap", "gap"),
    ])
    func broken(_ kind: String, _ metric: String) throws {
        let s = Scratch()
        let base = try convert(makeDay(5, seed: 1), to: s, name: "base")
        let csv = switch kind {
        case "backwards": makeDay(4, seed: 2)
        case "overlap": makeDay(5, seed: 2, firstID: 44_000)
        default: makeDay(7, seed: 2, firstID: 56_000)
        }
        let new = try convert(csv, to: s, name: "new")
        let r = try Drift.compare(base: try dataset(base), new: try dataset(new), baseName: "base", newName: "new")
        #expect(r.findings.contains { $0.column == "at" && $0.metric == metric && $0.severity == .fail }, "\(failing(r))")
        #expect(r.findings.contains { $0.column == "id" && $0.metric == metric && $0.severity == .fail }, "\(failing(r))")
        #expect(!r.findings.contains { ["carrier", "delay", "ref"].contains($0.column) && $0.severity > .ok }, "\(failing(r))")
    }

    @Test("an identifier is judged by its duplicates and length, not its values")
    func identifiers() throws {
        let s = Scratch()
        let base = try convert(makeDay(0, seed: 1, refPrefix: "x"), to: s, name: "base")
        // The same references again (same seed for the random part): every one is a duplicate.
        let again = try convert(makeDay(1, seed: 1, refPrefix: "x"), to: s, name: "again")
        let r = try Drift.compare(base: try dataset(base), new: try dataset(again), baseName: "base", newName: "again")
        let dup = try #require(r.findings.first { $0.column == "ref" && $0.metric == "duplicates" })
        #expect(dup.severity == .fail && (dup.value ?? 0) > 0.9)
        #expect(!r.findings.contains { $0.column == "ref" && ["js", "psi"].contains($0.metric) })
        // Fresh references of another length: a length warning, no duplicates.
        let longer = try convert(makeDay(1, seed: 2, refPrefix: "longer-prefix"), to: s, name: "longer")
        let l = try Drift.compare(base: try dataset(base), new: try dataset(longer), baseName: "base", newName: "longer")
        #expect(l.findings.contains { $0.column == "ref" && $0.metric == "length" && $0.severity == .fail })
        #expect(l.findings.contains { $0.column == "ref" && $0.metric == "duplicates" && $0.severity == .ok })
    }

    @Test("--role overrides win: a key taken as an ordinary column drifts by distribution")
    func overrides() throws {
        let s = Scratch()
        let a = try convert(makeDay(0, seed: 1), to: s, name: "a")
        let b = try convert(makeDay(1, seed: 2), to: s, name: "b")
        let roles = try Drift.roleOverrides(["id=none", "carrier=partition"])
        let r = try Drift.compare(base: try dataset(a), new: try dataset(b), baseName: "a", newName: "b", roles: roles)
        #expect(r.findings.contains { $0.column == "id" && $0.metric == "psi" && $0.severity == .fail })
        #expect(r.roles.contains { $0.column == "carrier" && $0.role == .partition && $0.origin == .declared })
        #expect(r.findings.contains { $0.column == "carrier" && $0.metric == "partition" && $0.severity == .warn })
        #expect(throws: ProfileError.self) { try Drift.roleOverrides(["id=primary"]) }
        #expect(throws: ProfileError.self) { try Drift.roleOverrides(["=key"]) }
    }

    @Test("inside one file: a sequential id does not fail; a widening and a null-rate jump in one chunk still do")
    func withinFile() throws {
        let s = Scratch()
        var csv = makeDay(0, rows: 10_000, seed: 3)
        // Chunk 4 (rows 8,000–9,999): no carrier in 30% of rows, and a delay that is text once.
        var lines = csv.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var g = SeededRandom(seed: 9)
        for i in 8_001...10_000 {
            var f = lines[i].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if g.chance(0.3) { f[3] = "" }
            if i == 9_000 { f[4] = "late" }
            lines[i] = f.joined(separator: ",")
        }
        csv = lines.joined(separator: "\n")
        let path = try convert(csv, to: s, name: "one")
        let r = try Drift.withinFile(try dataset(path), name: "one")
        #expect(!r.findings.contains { ["id", "at", "day"].contains($0.column) && $0.severity > .ok }, "\(failing(r))")
        #expect(r.findings.contains { $0.column == "carrier" && $0.chunk == 4 && $0.metric == "null_rate" && $0.severity == .fail })
        #expect(r.findings.contains { $0.column == "delay" && $0.chunk == 4 && $0.metric == "widening" })
        // Keys that restart inside the file do fail.
        let restart = try convert(makeDay(0, rows: 4_000, seed: 3) + makeDay(0, rows: 4_000, seed: 4).split(separator: "\n").dropFirst()
            .joined(separator: "\n") + "\n", to: s, name: "restart")
        let rr = try Drift.withinFile(try dataset(restart), name: "restart", roles: ["id": .key])
        #expect(rr.findings.contains { $0.column == "id" && $0.chunk == 2 && $0.metric == "overlap" && $0.severity == .fail }, "\(failing(rr))")
    }
}

@Suite("Role checks at the edges")
struct RoleEdgeTests {
    @Test("timestamps at the ends of Int64 give a finding, not a trap; calendar periods count from Monday weeks and months")
    func extremes() {
        var b = ColumnStatistics(type: .timestamp), n = ColumnStatistics(type: .timestamp)
        b.rowCount = 2; n.rowCount = 2
        b.min = .timestamp(Int64.min); b.max = .timestamp(Int64.min + 1)
        n.min = .timestamp(Int64.max - 1); n.max = .timestamp(Int64.max)
        let found = Drift.sequence(column: "t", type: .timestamp, role: .eventTime, base: b, new: n, baseOrder: nil, newOrder: nil,
                                   thresholds: DriftThresholds(), chunk: nil)
        #expect(found.contains { $0.metric == "gap" && ($0.value ?? 0) > 1 })
        #expect(Drift.span(from: Int64.min, to: Int64.max) == .max && Drift.span(from: Int64.max, to: Int64.min) == .min)
        let day = CanonicalText.microsPerDay
        // 1970-01-04 was a Sunday, 1970-01-05 a Monday.
        #expect(CalendarPeriod.week.index(3 * day) == 0 && CalendarPeriod.week.index(4 * day) == 1)
        #expect(CalendarPeriod.month.index(-1) == 1969 * 12 + 11 && CalendarPeriod.month.index(0) == 1970 * 12)
        #expect(CalendarPeriod.day.index(-1) == -1 && CalendarPeriod(covering: 18 * 3_600_000_000) == .day)
        #expect(CalendarPeriod.second.index(Int64.min) < 0)
    }
}
