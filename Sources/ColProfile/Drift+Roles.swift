// Drift checks by role (docs/PROFILE.md, "Roles" and "Drift").
//
// Design note. A key or an event-time column moves by construction, so its distribution is
// not compared: what matters is the order — did the new data go backwards, overlap the old,
// skip a period, or stop increasing? A partition is expected to change value. An identifier
// is compared by its null rate, its length, and how many of its values the base already had
// (from the HyperLogLog registers), never by its value distribution. Every check works from
// the footers' statistics alone, like the distribution checks.

import ColFormat
import ColSketches
import ColText

/// A column's role as a drift report used it.
public struct DriftRole: Sendable {
    /// The column.
    public var column: String
    /// The role.
    public var role: ColumnRole
    /// Declared by the user (`--role`, `colprof.toml`, or at conversion) or inferred.
    public var origin: RoleOrigin
}

/// The calendar period of a time column's files: the smallest unit longer than one side's span.
enum CalendarPeriod: Int, CaseIterable, CustomStringConvertible {
    case second, minute, hour, day, week, month, year

    static let microsPerDay = CanonicalText.microsPerDay

    /// The period's longest length, in microseconds.
    var length: Int64 {
        switch self {
        case .second: 1_000_000
        case .minute: 60_000_000
        case .hour: 3_600_000_000
        case .day: Self.microsPerDay
        case .week: 7 * Self.microsPerDay
        case .month: 31 * Self.microsPerDay
        case .year: 366 * Self.microsPerDay
        }
    }

    var description: String { ["second", "minute", "hour", "day", "week", "month", "year"][rawValue] }

    /// The smallest period longer than `span` microseconds (a year at most).
    init(covering span: Int64) {
        self = Self.allCases.first { $0.length > span } ?? .year
    }

    /// The number of the period holding `micros` (consecutive periods have consecutive numbers).
    func index(_ micros: Int64) -> Int64 {
        func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a / b - (a % b < 0 ? 1 : 0) }  // no negation: Int64.min is a valid time
        let days = floorDiv(micros, Self.microsPerDay)
        switch self {
        case .second, .minute, .hour: return floorDiv(micros, length)
        case .day: return days
        case .week: return floorDiv(days + 3, 7)  // weeks from Monday; 1970-01-01 was a Thursday
        case .month:
            let (y, m, _) = CanonicalText.civil(fromDays: days)
            return y * 12 + Int64(m - 1)
        case .year: return CanonicalText.civil(fromDays: days).year
        }
    }
}

extension Drift {
    /// Microseconds since the epoch of a date or timestamp bound.
    static func micros(_ s: Scalar?) -> Int64? {
        switch s {
        case let .date(d)?: Int64(d) * CanonicalText.microsPerDay
        case let .timestamp(t)?: t
        default: nil
        }
    }

    /// `b − a` in microseconds, saturated (timestamps span all of Int64, their differences do not fit).
    static func span(from a: Int64, to b: Int64) -> Int64 {
        let d = b.subtractingReportingOverflow(a)
        return d.overflow ? (b > a ? .max : .min) : d.partialValue
    }

    /// A signed length of time, in the largest unit that keeps it readable (`+1 d`, `-6 h`, `+90 s`).
    static func duration(_ micros: Int64) -> String {
        let sign = micros < 0 ? "-" : "+"
        let m = Double(micros.magnitude)
        let (value, unit): (Double, String)
        switch m {
        case ..<1_000_000: (value, unit) = (m, "µs")
        case ..<60_000_000: (value, unit) = (m / 1e6, "s")
        case ..<3_600_000_000: (value, unit) = (m / 6e7, "min")
        case ..<Double(CanonicalText.microsPerDay): (value, unit) = (m / 3.6e9, "h")
        default: (value, unit) = (m / Double(CanonicalText.microsPerDay), "d")
        }
        return sign + compactNumber((value * 100).rounded() / 100) + " " + unit
    }

    /// The null-rate check every role gets.
    static func nullRate(column: String, base b: ColumnStatistics, new n: ColumnStatistics, thresholds t: DriftThresholds,
                         chunk: Int?) -> DriftFinding? {
        guard b.rowCount > 0, n.rowCount > 0 else { return nil }
        let bNull = Double(b.nullCount) / Double(b.rowCount), nNull = Double(n.nullCount) / Double(n.rowCount)
        return DriftFinding(column: column, metric: "null_rate", value: abs(nNull - bNull), warn: t.nullWarn, fail: t.nullFail,
                            detail: "null rate \(percent(bNull)) → \(percent(nNull))", chunk: chunk)
    }

    /// Order checks of a key or event-time column: NEW should follow BASE (its null rate is checked
    /// apart). `judgeTimeGaps` is false inside a file, where a quiet hour between chunks is no gap.
    static func sequence(column: String, type: LogicalType, role: ColumnRole, base b: ColumnStatistics, new n: ColumnStatistics,
                         baseOrder: ValueOrder?, newOrder: ValueOrder?, thresholds t: DriftThresholds, chunk: Int?,
                         judgeTimeGaps: Bool = true) -> [DriftFinding] {
        var out: [DriftFinding] = []
        guard b.valueCount > 0, n.valueCount > 0, let bLo = b.min?.numericValue, let bHi = b.max?.numericValue,
              let nLo = n.min?.numericValue, let nHi = n.max?.numericValue else { return out }
        let isKey = role == .key
        // How far the new data reaches beyond the old (information).
        let moved: String
        if let bt = micros(b.max), let nt = micros(n.max) {
            moved = duration(span(from: bt, to: nt))
        } else {
            moved = (nHi >= bHi ? "+" : "") + compactNumber(nHi - bHi)
        }
        if chunk == nil {
            out.append(DriftFinding(column: column, metric: "advance", severity: .ok,
                                    detail: "\(role) max \(render(bHi, type)) → \(render(nHi, type)) (\(moved))", chunk: chunk))
        }
        // Overlap: the share of new values at or before the base's max (a key repeats; a time may tie).
        // New data that starts where the base starts and reaches at least as far is a full extract,
        // not an overlap: it is information.
        let other = chunk == nil ? "the base" : "the previous chunk"
        if chunk == nil, nLo <= bLo, nHi >= bHi {
            out.append(DriftFinding(column: column, metric: "overlap", severity: .ok,
                                    detail: "new values cover the base's range \(render(bLo, type))–\(render(bHi, type)): a full extract"))
        } else {
            let share: Double, before: Double
            if nHi < bLo {
                (share, before) = (1, 1)
            } else if isKey ? nLo > bHi : nLo >= bHi {
                (share, before) = (0, 0)
            } else {
                let cdf = { (x: Double) -> Double in n.quantiles?.cdf(x) ?? (x >= nHi ? 1 : 0) }
                share = isKey ? cdf(bHi) : cdf(bHi.nextDown)
                before = cdf(bLo.nextDown)
            }
            let backwards = before > 0 ? "; \(percent(before)) before its min \(render(bLo, type)) (went backwards)" : ""
            out.append(DriftFinding(column: column, metric: "overlap", value: share, warn: t.overlapWarn, fail: t.overlapFail,
                                    detail: "\(percent(share)) of new values \(isKey ? "at or before" : "before") \(other)'s max \(render(bHi, type))"
                                        + backwards, chunk: chunk))
        }
        // Gap: what is missing between the base's max and the new min.
        if isKey, nLo > bHi {
            let missing = nLo - bHi - 1
            let span = min(bHi - bLo, nHi - nLo) + 1
            out.append(DriftFinding(column: column, metric: "gap", value: missing / span, warn: t.gapWarn, fail: t.gapFail,
                                    detail: "\(compactNumber(missing)) keys skipped after \(render(bHi, type)) (the narrower side spans \(compactNumber(span)))",
                                    chunk: chunk))
        } else if !isKey, judgeTimeGaps, let bt0 = micros(b.min), let bt1 = micros(b.max), let nt0 = micros(n.min),
                  let nt1 = micros(n.max), nt0 > bt1 {
            // The period is that of the narrower side: a base of many days and a new day are judged in days.
            let period = CalendarPeriod(covering: min(span(from: bt0, to: bt1), span(from: nt0, to: nt1)))
            let skipped = max(0, period.index(nt0) - period.index(bt1) - 1)
            out.append(DriftFinding(column: column, metric: "gap", value: Double(skipped), warn: t.gapWarn, fail: t.gapFail,
                                    detail: "\(skipped) whole \(period)\(skipped == 1 ? "" : "s") without data between \(render(bHi, type)) and \(render(nLo, type))",
                                    chunk: chunk))
        }
        // Order: a column that was in order inside its chunks should stay so.
        let sorted = isKey ? (baseOrder?.ascendingShare ?? 0) >= 0.95 : (baseOrder?.nonDescendingShare ?? 0) >= 0.9
        if sorted, let bo = baseOrder, let no = newOrder, no.steps > 0 {
            let bDown = Double(bo.descending) / Double(bo.steps), nDown = Double(no.descending) / Double(no.steps)
            out.append(DriftFinding(column: column, metric: "order", value: max(0, nDown - bDown), warn: t.orderWarn, fail: t.orderFail,
                                    detail: "descending steps \(percent(bDown)) → \(percent(nDown))", chunk: chunk))
        }
        return out
    }

    /// Checks of a partition column: a new value is expected; several values are not.
    static func partition(column: String, type: LogicalType, base b: ColumnStatistics, new n: ColumnStatistics,
                          thresholds t: DriftThresholds, chunk: Int?) -> [DriftFinding] {
        var out: [DriftFinding] = []
        if let f = nullRate(column: column, base: b, new: n, thresholds: t, chunk: chunk) { out.append(f) }
        guard chunk == nil, let bLo = b.min, let bHi = b.max, let nLo = n.min, let nHi = n.max else { return out }
        let text = { (s: Scalar) in "'" + String(s.description.prefix(40)) + "'" }
        if Scalar.compare(nLo, nHi) == 0 && n.minExact && n.maxExact {
            let same = Scalar.compare(bLo, bHi) == 0 && Scalar.compare(bLo, nLo) == 0
            out.append(DriftFinding(column: column, metric: "partition", severity: .ok,
                                    detail: same ? "the same partition value \(text(nLo))"
                                        : "partition \(Scalar.compare(bLo, bHi) == 0 ? text(bLo) : "\(text(bLo))…\(text(bHi))") → \(text(nLo))"))
        } else {
            out.append(DriftFinding(column: column, metric: "partition", severity: .warn,
                                    detail: "a partition column holds several values: \(text(nLo)) to \(text(nHi)) (\(n.distinctCount.map(String.init) ?? "?") distinct)"))
        }
        return out
    }

    /// Checks of an identifier: null rate, distinct per value, length, and values already in the base.
    static func identifier(column: String, base b: ColumnStatistics, new n: ColumnStatistics, baseSketch: HyperLogLog?,
                           newSketch: HyperLogLog?, thresholds t: DriftThresholds, chunk: Int?) -> [DriftFinding] {
        var out: [DriftFinding] = []
        if let f = nullRate(column: column, base: b, new: n, thresholds: t, chunk: chunk) { out.append(f) }
        let bValues = b.valueCount, nValues = n.valueCount
        guard bValues > 0, nValues > 0 else { return out }
        if chunk == nil, let bd = b.distinctCount, let nd = n.distinctCount, bd > 0 {
            let bRatio = min(1, Double(bd) / Double(bValues)), nRatio = min(1, Double(nd) / Double(nValues))
            out.append(DriftFinding(column: column, metric: "distinct", value: abs(nRatio - bRatio) / bRatio,
                                    warn: t.distinctWarn, fail: t.distinctFail,
                                    detail: "distinct per value \(fixed3(bRatio)) → \(fixed3(nRatio))", chunk: chunk))
        }
        if let bt = b.lengthTotal, let nt = n.lengthTotal, bt > 0 {
            let bMean = Double(bt) / Double(bValues), nMean = Double(nt) / Double(nValues)
            let range = { (s: ColumnStatistics) in "\(s.lengthMin ?? 0)–\(s.lengthMax ?? 0)" }
            out.append(DriftFinding(column: column, metric: "length", value: abs(nMean - bMean) / bMean, warn: t.lengthWarn,
                                    fail: t.lengthFail,
                                    detail: "length \(range(b)) (mean \(fixed(bMean, 1))) → \(range(n)) (mean \(fixed(nMean, 1)))", chunk: chunk))
        }
        // Values the base already had: |B| + |N| − |B ∪ N|, from the registers.
        if let bs = baseSketch, let ns = newSketch, ns.estimate > 0 {
            var union = bs
            union.merge(ns)
            let shared = max(0, bs.estimate + ns.estimate - union.estimate)
            let share = min(1, shared / ns.estimate)
            let newDistinct = min(ns.estimate, Double(nValues))
            out.append(DriftFinding(column: column, metric: "duplicates", value: share, warn: t.duplicatesWarn, fail: t.duplicatesFail,
                                    detail: "≈\(compactNumber((share * newDistinct).rounded())) of \(compactNumber(newDistinct.rounded())) new distinct values are in the base",
                                    chunk: chunk))
        }
        return out
    }
}
