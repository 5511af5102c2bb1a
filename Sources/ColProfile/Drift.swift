import ColSketches
import ColFormat
import ColText
#if canImport(Glibc)
import Glibc
#endif

/// How bad a finding is.
public enum Severity: Int, Sendable, Comparable, CustomStringConvertible {
    case ok = 0, warn, fail
    /// Orders by badness: ok < warn < fail.
    public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }
    /// `ok`, `warn` or `fail`, as printed.
    public var description: String { ["ok", "warn", "fail"][rawValue] }
}

/// The thresholds of the drift gate (docs/PROFILE.md, "Drift"). A metric at
/// or above `…Warn` warns; at or above `…Fail` fails.
public struct DriftThresholds: Sendable {
    /// Population stability index over ten bins from the base's deciles.
    public var psiWarn = 0.1, psiFail = 0.25
    /// Kolmogorov–Smirnov statistic (largest gap between the two CDFs).
    public var ksWarn = 0.1, ksFail = 0.2
    /// Jensen–Shannon distance (base 2, in [0, 1]) over the top values plus "other".
    public var jsWarn = 0.1, jsFail = 0.2
    /// Change of the null rate, in percentage points / 100.
    public var nullWarn = 0.025, nullFail = 0.05
    /// Relative change of the distinct count (or, for unique-looking columns, of distinct/values).
    public var distinctWarn = 0.25, distinctFail = 0.5
    /// Share of the new values outside the base's [min, max].
    public var rangeWarn = 0.01, rangeFail = 0.05
    /// Key and event-time columns: the share of new values at or before the base's max.
    public var overlapWarn = 0.01, overlapFail = 0.05
    /// Key columns: keys skipped, as a share of the narrower side's range; event time: whole calendar periods without data.
    public var gapWarn = 0.5, gapFail = 1.0
    /// Key and event-time columns in order: the rise of the share of descending steps.
    public var orderWarn = 0.05, orderFail = 0.2
    /// Identifiers: the relative change of the mean length.
    public var lengthWarn = 0.1, lengthFail = 0.25
    /// Identifiers: the share of new distinct values that the base already had.
    public var duplicatesWarn = 0.05, duplicatesFail = 0.2
    /// Chunks with fewer values than this are not compared inside one file (too noisy).
    public var minimumValues = 1000
    /// The thresholds set by name (`set`), as `metric.level`: these win over thresholds learnt from a history.
    public private(set) var explicit: Set<String> = []

    /// The documented defaults.
    public init() {}

    /// Sets one threshold from `metric.level=value` (e.g. `psi.fail=0.3`).
    public mutating func set(_ assignment: String) throws(ProfileError) {
        let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, let v = Double(parts[1]), v >= 0 else {
            throw .malformedThreshold(assignment)
        }
        switch parts[0] {
        case "psi.warn": psiWarn = v
        case "psi.fail": psiFail = v
        case "ks.warn": ksWarn = v
        case "ks.fail": ksFail = v
        case "js.warn": jsWarn = v
        case "js.fail": jsFail = v
        case "null_rate.warn": nullWarn = v
        case "null_rate.fail": nullFail = v
        case "distinct.warn": distinctWarn = v
        case "distinct.fail": distinctFail = v
        case "range.warn": rangeWarn = v
        case "range.fail": rangeFail = v
        case "overlap.warn": overlapWarn = v
        case "overlap.fail": overlapFail = v
        case "gap.warn": gapWarn = v
        case "gap.fail": gapFail = v
        case "order.warn": orderWarn = v
        case "order.fail": orderFail = v
        case "length.warn": lengthWarn = v
        case "length.fail": lengthFail = v
        case "duplicates.warn": duplicatesWarn = v
        case "duplicates.fail": duplicatesFail = v
        default:
            throw .unknownThreshold(parts[0])
        }
        explicit.insert(parts[0])
    }
}

/// One check of one column.
public struct DriftFinding: Sendable {
    /// The column checked.
    public var column: String
    /// `schema.added`, `schema.removed`, `schema.type`, `schema.nullable`, `schema.order`, `widening`,
    /// `psi`, `ks`, `js`, `null_rate`, `distinct`, `range`; by role: `advance`, `overlap`, `gap`, `order`
    /// (keys and event time), `partition`, `length`, `duplicates` (identifiers).
    public var metric: String
    /// The metric's value, when the check has one.
    public var value: Double?
    /// The threshold at which the value warns.
    public var warn: Double?
    /// The threshold at which the value fails.
    public var fail: Double?
    /// How bad the finding is.
    public var severity: Severity
    /// What moved most, or what changed.
    public var detail: String
    /// The chunk, when comparing chunks of one file.
    public var chunk: Int?

    init(column: String, metric: String, value: Double?, warn: Double?, fail: Double?, detail: String, chunk: Int? = nil) {
        self.column = column
        self.metric = metric
        self.value = value
        self.warn = warn
        self.fail = fail
        self.detail = detail
        self.chunk = chunk
        if let value, let fail, value >= fail {
            severity = .fail
        } else if let value, let warn, value >= warn {
            severity = .warn
        } else {
            severity = .ok
        }
    }

    init(column: String, metric: String, severity: Severity, detail: String, chunk: Int? = nil) {
        self.column = column
        self.metric = metric
        self.severity = severity
        self.detail = detail
        self.chunk = chunk
    }
}

/// The result of a drift comparison.
public struct DriftReport: Sendable {
    /// What was compared against: a path, or a chunk.
    public var base: String
    /// What was compared.
    public var new: String
    /// Rows on the base side.
    public var baseRows: UInt64
    /// Rows on the new side.
    public var newRows: UInt64
    /// The base side's schema fingerprint.
    public var baseFingerprint: Fingerprint
    /// The new side's schema fingerprint.
    public var newFingerprint: Fingerprint
    /// Every check, in column order.
    public var findings: [DriftFinding]
    /// The role of every compared column that has one.
    public var roles: [DriftRole] = []
    /// Where the settings came from and what the base is, when that needs saying (a config file, a history's window).
    public var notes: [String] = []
    /// The worst finding.
    public var severity: Severity { findings.map(\.severity).max() ?? .ok }
}

/// Schema and distribution drift from the footers alone (docs/PROFILE.md, "Drift").
public enum Drift {
    /// Parses `column=role` settings (`--role`), later ones winning.
    public static func roleOverrides(_ settings: [String]) throws(ProfileError) -> [String: ColumnRole] {
        var out: [String: ColumnRole] = [:]
        for setting in settings {
            let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let role = ColumnRole(name: parts[1]) else { throw .malformedRole(setting) }
            out[parts[0]] = role
        }
        return out
    }

    /// The role a comparison gives a column: an override; else the base's declared role; else the
    /// base's inferred role; else what the two sides show as two segments (files that advance,
    /// constants that differ).
    static func role(of name: String, base b: DatasetColumn, new n: DatasetColumn,
                     overrides: [String: ColumnRole]) -> (ColumnRole, RoleOrigin) {
        if let o = overrides[name] { return (o, .declared) }
        if b.role.origin == .declared || b.role.role != .none { return (b.role.role, b.role.origin) }
        var evidence = RoleEvidence(segments: .files)
        evidence.add(b.statistics, order: b.role.order)
        evidence.add(n.statistics, order: n.role.order)
        var merged = b.statistics
        merged.merge(n.statistics, as: b.type)
        return (evidence.role(type: b.type, merged: merged), .inferred)
    }

    /// Compares two datasets. `columns` limits the distribution checks (nil: all); `roles`
    /// overrides the roles the footers give or the rules infer (docs/PROFILE.md, "Roles").
    public static func compare(base: Dataset, new: Dataset, baseName: String, newName: String,
                               thresholds t: DriftThresholds = DriftThresholds(), columns: Set<String>? = nil,
                               roles overrides: [String: ColumnRole] = [:],
                               columnThresholds: [String: DriftThresholds] = [:]) throws(ProfileError) -> DriftReport {
        let bs = base.schema, ns = new.schema
        var report = DriftReport(base: baseName, new: newName, baseRows: base.rowCount, newRows: new.rowCount,
                                 baseFingerprint: bs.fingerprint, newFingerprint: ns.fingerprint, findings: [])
        func wanted(_ name: String) -> Bool { columns.map { $0.contains(name) } ?? true }
        // Schema: the fingerprints answer "nothing changed" at once.
        if bs.fingerprint != ns.fingerprint {
            let baseKeys = Set(base.columns.map { Array($0.name.utf8) })
            for c in base.columns where wanted(c.name) {
                guard let j = new.column(named: c.name) else {
                    report.findings.append(DriftFinding(column: c.name, metric: "schema.removed", severity: .fail,
                                                        detail: "column removed (was \(c.type.name))"))
                    continue
                }
                let n = new.columns[j]
                if n.type != c.type {
                    let numericWidening = (c.type == .int64 && n.type == .float64) || (c.type == .date && n.type == .timestamp)
                        || c.type == .null
                    report.findings.append(DriftFinding(column: c.name, metric: "schema.type", severity: numericWidening ? .warn : .fail,
                                                        detail: "type \(c.type.name) → \(n.type.name)\(numericWidening ? " (a widening)" : "")"))
                }
                if n.nullable != c.nullable {
                    report.findings.append(DriftFinding(column: c.name, metric: "schema.nullable", severity: n.nullable ? .warn : .ok,
                                                        detail: n.nullable ? "now has nulls (was required)" : "now required (had nulls)"))
                }
            }
            for n in new.columns where !baseKeys.contains(Array(n.name.utf8)) && wanted(n.name) {
                report.findings.append(DriftFinding(column: n.name, metric: "schema.added", severity: .warn,
                                                    detail: "column added (\(n.type.name))"))
            }
            let newOrder = new.columns.map { Array($0.name.utf8) }.filter { baseKeys.contains($0) }
            let baseOrder = base.columns.filter { new.column(named: $0.name) != nil }.map { Array($0.name.utf8) }
            if newOrder != baseOrder {
                report.findings.append(DriftFinding(column: "*", metric: "schema.order", severity: .warn,
                                                    detail: "column order changed"))
            }
        }
        // Values, for the columns both sides have with the same type, checked by role.
        for (k, c) in base.columns.enumerated() where wanted(c.name) {
            guard let j = new.column(named: c.name), new.columns[j].type == c.type else { continue }
            let n = new.columns[j]
            let (role, origin) = role(of: c.name, base: c, new: n, overrides: overrides)
            if role != .none || origin == .declared { report.roles.append(DriftRole(column: c.name, role: role, origin: origin)) }
            report.findings += checks(column: c.name, type: c.type, role: role, base: c.statistics, new: n.statistics,
                                      baseOrder: c.role.order, newOrder: n.role.order,
                                      baseSketch: role == .identifier ? try base.distinctSketch(k) : nil,
                                      newSketch: role == .identifier ? try new.distinctSketch(j) : nil,
                                      baseDistinct: c.typicalDistinct, thresholds: columnThresholds[c.name] ?? t)
        }
        return report
    }

    /// The checks of one column of two sides, by role (docs/PROFILE.md, "Drift").
    static func checks(column: String, type: LogicalType, role: ColumnRole, base b: ColumnStatistics, new n: ColumnStatistics,
                       baseOrder: ValueOrder?, newOrder: ValueOrder?, baseSketch: HyperLogLog?, newSketch: HyperLogLog?,
                       baseDistinct: UInt64? = nil, thresholds t: DriftThresholds) -> [DriftFinding] {
        switch role {
        case .none:
            return distribution(column: column, type: type, base: b, new: n, thresholds: t, chunk: nil, baseDistinct: baseDistinct)
        case .key, .eventTime:
            return (nullRate(column: column, base: b, new: n, thresholds: t, chunk: nil).map { [$0] } ?? [])
                + sequence(column: column, type: type, role: role, base: b, new: n, baseOrder: baseOrder, newOrder: newOrder,
                           thresholds: t, chunk: nil)
        case .partition:
            return partition(column: column, type: type, base: b, new: n, thresholds: t, chunk: nil)
        case .identifier:
            return identifier(column: column, base: b, new: n, baseSketch: baseSketch, newSketch: newSketch, thresholds: t, chunk: nil)
        }
    }

    /// Compares each chunk of one file with the rest of the file, and lists its widenings. A key or
    /// event-time column's chunk is compared with the chunk before it instead (docs/PROFILE.md).
    public static func withinFile(_ dataset: Dataset, name: String, thresholds t: DriftThresholds = DriftThresholds(),
                                  columns: Set<String>? = nil, roles overrides: [String: ColumnRole] = [:],
                                  columnThresholds: [String: DriftThresholds] = [:]) throws(ProfileError) -> DriftReport {
        let schema = dataset.schema
        var report = DriftReport(base: name, new: name, baseRows: dataset.rowCount, newRows: dataset.rowCount,
                                 baseFingerprint: schema.fingerprint, newFingerprint: schema.fingerprint, findings: [])
        func wanted(_ name: String) -> Bool { columns.map { $0.contains(name) } ?? true }
        for w in schema.widenings where wanted(schema.columns[w.column].name) {
            report.findings.append(DriftFinding(column: schema.columns[w.column].name, metric: "widening", severity: .warn,
                                                detail: "\(w.from.name) → \(w.to.name) from row \(w.row)", chunk: w.chunk))
        }
        // Every part's chunks, in order, with their order inside (none for a file before format 1.2).
        var perChunk: [[ColumnStatistics]] = []
        var orders: [[ValueOrder]?] = []
        // Per chunk, its part's columns by name (built once per part, not searched per column).
        var names: [[[UInt8]: Int]] = []
        for part in dataset.parts {
            let chunks: [[ColumnStatistics]]
            let partOrders: [[ValueOrder]]?
            do {
                chunks = try part.reader.chunkStatistics()
                partOrders = try part.reader.chunkOrders()
            } catch {
                throw .unreadable(path: part.path, error)
            }
            perChunk += chunks
            orders += chunks.indices.map { partOrders?[$0] }
            names += Array(repeating: part.reader.schema.columnIndexByName, count: chunks.count)
        }
        guard perChunk.count > 1 else { return report }
        for c in dataset.columns where wanted(c.name) {
            let key = Array(c.name.utf8)
            let t = columnThresholds[c.name] ?? t
            let role = overrides[c.name] ?? c.role.role
            if role != .none || overrides[c.name] != nil {
                report.roles.append(DriftRole(column: c.name, role: role, origin: overrides[c.name] != nil ? .declared : c.role.origin))
            }
            // The column's statistics in each chunk, upcast to the column's type (absent: all null).
            var stats: [ColumnStatistics] = []
            for (i, chunk) in perChunk.enumerated() {
                let j = names[i][key]
                var s = j.map { chunk[$0].upcast(to: c.type) } ?? ColumnStatistics(type: c.type)
                if j == nil, let rows = chunk.first?.rowCount {
                    // A part without the column: its rows are null, as a file's chunks from before a column was added.
                    s.rowCount = rows
                    s.nullCount = rows
                }
                if let j, let o = orders[i]?[j], o.steps > 0 { s.order = o }
                stats.append(s)
            }
            // Prefix and suffix merges give "the rest" of each chunk in linear time.
            var prefix: [ColumnStatistics] = [ColumnStatistics(type: c.type)]
            for s in stats {
                var p = prefix[prefix.count - 1]
                p.merge(s, as: c.type)
                prefix.append(p)
            }
            var suffix: [ColumnStatistics] = [ColumnStatistics(type: c.type)]
            for s in stats.reversed() {
                var p = suffix[suffix.count - 1]
                p.merge(s, as: c.type)
                suffix.append(p)
            }
            var previous: Int?
            for i in 0..<stats.count {
                var rest = prefix[i]
                rest.merge(suffix[stats.count - 1 - i], as: c.type)
                switch role {
                case .none:
                    report.findings += distribution(column: c.name, type: c.type, base: rest, new: stats[i], thresholds: t, chunk: i)
                case .key, .eventTime:
                    if let f = nullRate(column: c.name, base: rest, new: stats[i], thresholds: t, chunk: i) { report.findings.append(f) }
                    // Against the chunk before (the order checks against the rest of the file).
                    if let p = previous {
                        report.findings += sequence(column: c.name, type: c.type, role: role, base: stats[p], new: stats[i],
                                                    baseOrder: rest.order, newOrder: stats[i].order, thresholds: t, chunk: i,
                                                    judgeTimeGaps: false)
                    }
                case .partition:
                    if let f = nullRate(column: c.name, base: rest, new: stats[i], thresholds: t, chunk: i) { report.findings.append(f) }
                case .identifier:
                    report.findings += identifier(column: c.name, base: rest, new: stats[i], baseSketch: nil, newSketch: nil,
                                                  thresholds: t, chunk: i)
                }
                if stats[i].valueCount > 0 { previous = i }
            }
        }
        return report
    }

    /// Null rate, distinct count, range and shape checks of one column.
    /// `baseDistinct` replaces the base's distinct count where the base merges several periods (a
    /// history's window): the count of a typical period, which is what one new period compares with.
    static func distribution(column: String, type: LogicalType, base b: ColumnStatistics, new n: ColumnStatistics,
                             thresholds t: DriftThresholds, chunk: Int?, baseDistinct: UInt64? = nil) -> [DriftFinding] {
        var out: [DriftFinding] = []
        guard let nulls = nullRate(column: column, base: b, new: n, thresholds: t, chunk: chunk) else { return out }
        out.append(nulls)
        let bValues = b.valueCount, nValues = n.valueCount
        guard bValues > 0, nValues > 0 else { return out }
        if chunk != nil && (bValues < UInt64(t.minimumValues) || nValues < UInt64(t.minimumValues)) { return out }
        if let bd = baseDistinct ?? b.distinctCount, let nd = n.distinctCount, bd > 0, chunk == nil {
            let bRatio = Double(bd) / Double(bValues), nRatio = Double(nd) / Double(nValues)
            if bRatio > 0.9 {
                out.append(DriftFinding(column: column, metric: "distinct", value: abs(nRatio - bRatio) / bRatio,
                                        warn: t.distinctWarn, fail: t.distinctFail,
                                        detail: "distinct per value \(fixed3(bRatio)) → \(fixed3(nRatio))", chunk: chunk))
            } else {
                // Sides of different sizes: a count between the base's and the base's scaled to the new size
                // (as if every value were new) is explained by the sizes; the change is measured beyond it.
                let scale = baseDistinct == nil ? Double(nValues) / Double(bValues) : 1
                let lo = Double(bd) * min(1, scale), hi = Double(bd) * max(1, scale), x = Double(nd)
                let change = x < lo ? (lo - x) / lo : (x > hi ? (x - hi) / hi : 0)
                let range = scale == 1 ? "" : " (\(compactNumber(lo.rounded()))–\(compactNumber(hi.rounded())) expected at the new size)"
                out.append(DriftFinding(column: column, metric: "distinct", value: change,
                                        warn: t.distinctWarn, fail: t.distinctFail, detail: "distinct \(bd) → \(nd)" + range, chunk: chunk))
            }
        }
        if type.isNumeric, let bq = b.quantiles, let nq = n.quantiles, !bq.isEmpty, !nq.isEmpty {
            out += numeric(column: column, type: type, base: bq, new: nq, thresholds: t, chunk: chunk)
        } else if let bf = b.frequent, let nf = n.frequent {
            out.append(categorical(column: column, base: bf, baseValues: bValues, new: nf, newValues: nValues, thresholds: t, chunk: chunk))
        }
        return out
    }

    static func numeric(column: String, type: LogicalType, base: KLLSketch, new: KLLSketch, thresholds t: DriftThresholds,
                        chunk: Int?) -> [DriftFinding] {
        // PSI over the base's deciles (repeated edges merged; empty bins floored at 1e-4).
        var edges: [Double] = []
        for case let q? in base.quantiles((1..<10).map { Double($0) / 10 }) where edges.last != q && q < base.maximum {
            edges.append(q)
        }
        var psi = 0.0
        var moved = (bin: 0, from: 0.0, to: 0.0, gap: -1.0)
        var lastB = 0.0, lastN = 0.0
        for k in 0...edges.count {
            let cb = k < edges.count ? base.cdf(edges[k]) : 1, cn = k < edges.count ? new.cdf(edges[k]) : 1
            let pb = max(cb - lastB, 1e-4), pn = max(cn - lastN, 1e-4)
            psi += (pn - pb) * log(pn / pb)
            if abs(pn - pb) > moved.gap { moved = (k, cb - lastB, cn - lastN, abs(pn - pb)) }
            lastB = cb
            lastN = cn
        }
        let lower = moved.bin == 0 ? "min" : render(edges[moved.bin - 1], type)
        let upper = moved.bin == edges.count ? "max" : render(edges[moved.bin], type)
        var out = [DriftFinding(column: column, metric: "psi", value: psi, warn: t.psiWarn, fail: t.psiFail,
                                detail: "bin (\(lower), \(upper)] moved most: \(percent(moved.from)) → \(percent(moved.to))", chunk: chunk)]
        // KS: the largest CDF gap at any retained item of either sketch.
        var ks = 0.0, at = 0.0
        for item in base.weightedItems() + new.weightedItems() {
            let gap = abs(base.cdf(item.value) - new.cdf(item.value))
            if gap > ks { ks = gap; at = item.value }
        }
        out.append(DriftFinding(column: column, metric: "ks", value: ks, warn: t.ksWarn, fail: t.ksFail,
                                detail: "largest CDF gap at \(render(at, type)): \(percent(base.cdf(at))) → \(percent(new.cdf(at)))",
                                chunk: chunk))
        // Range: the share of new values outside the base's [min, max].
        let below = base.minimum.isFinite ? new.cdf(base.minimum.nextDown) : 0
        let above = base.maximum.isFinite ? 1 - new.cdf(base.maximum) : 0
        out.append(DriftFinding(column: column, metric: "range", value: below + above, warn: t.rangeWarn, fail: t.rangeFail,
                                detail: "\(percent(below)) below the base min \(render(base.minimum, type)), \(percent(above)) above its max \(render(base.maximum, type))",
                                chunk: chunk))
        return out
    }

    static func categorical(column: String, base: FrequentItems<Scalar>, baseValues: UInt64, new: FrequentItems<Scalar>,
                            newValues: UInt64, thresholds t: DriftThresholds, chunk: Int?) -> DriftFinding {
        // An incomplete sketch knows each listed count only within [count − overcount, count], and an
        // unlisted value's count only up to the list's smallest count. Values whose guaranteed share is
        // at least `heavyShare` on either side are compared by name, each at the point of its two
        // intervals that are closest (so sketch error never shows as drift); the rest are "other".
        let heavyShare = base.isExact && new.isExact ? 0 : 0.05
        let b = Dictionary(base.top(ColumnStatistics.fileTopK).map { ($0.hash, $0) }, uniquingKeysWith: { a, _ in a })
        let n = Dictionary(new.top(ColumnStatistics.fileTopK).map { ($0.hash, $0) }, uniquingKeysWith: { a, _ in a })
        func interval(_ e: FrequentItems<Scalar>.Entry?, _ side: FrequentItems<Scalar>, _ values: UInt64) -> (Double, Double) {
            let v = Double(values)
            if let e { return (Double(e.count - min(e.error, e.count)) / v, Double(e.count) / v) }
            if side.isExact { return (0, 0) }
            return (0, Double(side.top(ColumnStatistics.fileTopK).last?.count ?? 0) / v)
        }
        var p: [UInt64: (item: Scalar, b: Double, n: Double)] = [:]
        for hash in Set(b.keys).union(n.keys) {
            let ib = interval(b[hash], base, baseValues), inew = interval(n[hash], new, newValues)
            guard max(ib.0, inew.0) >= heavyShare, heavyShare > 0 || max(ib.1, inew.1) > 0,
                  let item = b[hash]?.item ?? n[hash]?.item else { continue }
            let pb: Double, pn: Double
            if ib.1 < inew.0 {
                (pb, pn) = (ib.1, inew.0)
            } else if inew.1 < ib.0 {
                (pb, pn) = (ib.0, inew.1)
            } else {
                pb = max(ib.0, inew.0)
                pn = pb
            }
            p[hash] = (item, pb, pn)
        }
        var sb = 0.0, sn = 0.0
        var divergence = 0.0
        var moved: (item: Scalar?, b: Double, n: Double) = (nil, 0, 0)
        func term(_ x: Double, _ y: Double) -> Double {
            let m = (x + y) / 2
            var d = 0.0
            if x > 0 { d += 0.5 * x * log2(x / m) }
            if y > 0 { d += 0.5 * y * log2(y / m) }
            return d
        }
        for (_, v) in p.sorted(by: { $0.key < $1.key }) {
            let b = min(v.b, 1), n = min(v.n, 1)
            sb += b
            sn += n
            divergence += term(b, n)
            if moved.item == nil || abs(n - b) > abs(moved.n - moved.b) { moved = (v.item, b, n) }
        }
        divergence += term(max(0, 1 - sb), max(0, 1 - sn))
        let js = sqrt(max(0, divergence))
        let name = moved.item.map { "'\(String($0.description.prefix(40)))'" } ?? "other"
        return DriftFinding(column: column, metric: "js", value: js, warn: t.jsWarn, fail: t.jsFail,
                            detail: "\(name) moved most: \(percent(moved.b)) → \(percent(moved.n))", chunk: chunk)
    }

    /// A quantile-sketch value in the column's own terms (dates and timestamps as text).
    static func render(_ v: Double, _ type: LogicalType) -> String {
        guard v.isFinite else { return v > 0 ? "+inf" : "-inf" }
        var out: [UInt8] = []
        switch type {
        case .date: CanonicalText.appendDate(Int32(clamping: Int64(exactly: v.rounded()) ?? 0), to: &out)
        case .timestamp: CanonicalText.appendTimestamp(Int64(exactly: v.rounded()) ?? 0, to: &out)
        case .int64: CanonicalText.appendInt(Int64(exactly: v.rounded()) ?? 0, to: &out)
        default: return compactNumber(v)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
