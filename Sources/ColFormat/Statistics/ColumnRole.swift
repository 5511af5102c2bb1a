// Column roles (docs/PROFILE.md, "Roles"; docs/FORMAT.md §2.8).
//
// Design note. Some columns move by construction: an auto-increment key, the time of an
// event, the month of a file per month. Comparing their distributions between two days says
// "drift" every day, and a gate that cries wolf is switched off. A role says what a column
// is, so that drift checks what matters for it (did the key go backwards? is a day missing?)
// and reports the rest as information.
//
// Roles are inferred from statistics only, so the same rules run in the writer (over the
// chunks as they are written) and in a reader (over the chunks or files of a dataset, or
// for a file older than format 1.2, which has no roles section). The evidence is folded one
// segment at a time — a chunk of a file, or a file of a dataset — in O(1) memory per column.

/// What a column is, as drift understands it.
public enum ColumnRole: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// An ordinary column (a measure or a category): compared by its distribution.
    case none = 0
    /// A sequential key: unique integers that increase, chunk after chunk.
    case key = 1
    /// The time of an event: dates or timestamps whose chunks or files advance.
    case eventTime = 2
    /// Constant within a file and different between files, like `month` in a file per month.
    case partition = 3
    /// Nearly every value distinct text, like UUIDs.
    case identifier = 4

    /// The name printed and accepted on the command line.
    public var description: String {
        switch self {
        case .none: "none"
        case .key: "key"
        case .eventTime: "event_time"
        case .partition: "partition"
        case .identifier: "identifier"
        }
    }

    /// The role named `name` (`key`, `event_time`, `partition`, `identifier` or `none`).
    public init?(name: String) {
        guard let r = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = r
    }
}

/// Where a role came from.
public enum RoleOrigin: UInt8, Sendable, CustomStringConvertible {
    /// Inferred from the statistics by the rules of docs/PROFILE.md.
    case inferred = 0
    /// Given by the user (`colconv --role`, `colprof --role`, or `colprof.toml`).
    case declared = 1

    /// `inferred` or `declared`.
    public var description: String { self == .inferred ? "inferred" : "declared" }
}

/// A column's role as stored in the roles section, with the column's order summed over its chunks.
public struct ColumnRoleRecord: Sendable, Hashable {
    /// The role.
    public var role: ColumnRole
    /// How the role was decided.
    public var origin: RoleOrigin
    /// The column's steps inside its chunks, summed over the chunks.
    public var order: ValueOrder

    /// A record.
    public init(role: ColumnRole, origin: RoleOrigin, order: ValueOrder = ValueOrder()) {
        self.role = role
        self.origin = origin
        self.order = order
    }
}

/// The evidence for one column's role, folded over its segments in order: the chunks of a
/// file, or the files of a dataset.
public struct RoleEvidence: Sendable {
    /// What a segment is.
    public enum Segments: Sendable {
        /// Chunks of one file: a partition column is constant over the whole file.
        case chunks
        /// Files of a dataset: a partition column is constant in each file, and may differ between them.
        case files
    }

    /// What the segments are.
    public let segments: Segments
    /// Segments with at least one value.
    public private(set) var segmentsWithValues = 0
    /// Steps inside the segments.
    public private(set) var order = ValueOrder()
    /// Consecutive segments where the later one starts above the earlier one's maximum.
    public private(set) var strictlyFollowing = 0
    /// Consecutive segments where neither the minimum nor the maximum went down.
    public private(set) var advancing = 0
    /// Segments whose values are all one value, with no null.
    public private(set) var constantSegments = 0
    /// Whether two constant segments hold different values.
    public private(set) var constantsDiffer = false
    /// A role given by a segment (a file's declared role), which wins over the rules.
    public private(set) var declared: ColumnRole?
    private var firstRange: (min: Double, max: Double)?
    private var lastRange: (min: Double, max: Double)?
    private var constant: Scalar?

    /// No segments yet.
    public init(segments: Segments) { self.segments = segments }

    /// A bound on the one scale that every orderable type shares: numbers as they are,
    /// dates and timestamps in microseconds (a column widened from date to timestamp stays comparable).
    public static func position(_ s: Scalar?) -> Double? {
        switch s {
        case let .int64(v)?: Double(v)
        case let .float64(v)?: v
        case let .date(d)?: Double(d) * Double(CanonicalText.microsPerDay)
        case let .timestamp(t)?: Double(t)
        default: nil
        }
    }

    /// Adds the next segment: its statistics, its order inside (nil or no steps: unknown),
    /// and a role declared for it (the first declared role wins).
    public mutating func add(_ s: ColumnStatistics, order o: ValueOrder?, declared role: ColumnRole? = nil) {
        if declared == nil, let role { declared = role }
        guard s.valueCount > 0 else { return }
        segmentsWithValues += 1
        if let o { order.merge(o) }
        if s.nullCount == 0, s.nanCount == 0, s.minExact, s.maxExact, let lo = s.min, let hi = s.max, Scalar.compare(lo, hi) == 0 {
            constantSegments += 1
            if let c = constant {
                if Scalar.compare(c, lo) != 0 { constantsDiffer = true }
            } else {
                constant = lo
            }
        }
        guard let lo = Self.position(s.min), let hi = Self.position(s.max) else { return }
        if let last = lastRange {
            if lo > last.max { strictlyFollowing += 1 }
            if lo >= last.min && hi >= last.max { advancing += 1 }
        } else {
            firstRange = (lo, hi)
        }
        lastRange = (lo, hi)
    }

    /// The role the rules give a column of type `type` whose merged statistics are `merged`
    /// (docs/PROFILE.md, "Roles"). A declared role wins.
    public func role(type: LogicalType, merged: ColumnStatistics) -> ColumnRole {
        if let declared { return declared }
        let values = merged.valueCount
        guard values >= 2, segmentsWithValues > 0 else { return .none }
        let boundaries = segmentsWithValues - 1
        // Partition: one value per file, no nulls; over the chunks of one file, that is one value in
        // the file. Text and bools are partitions only when files are seen to differ; a constant
        // number, date or timestamp is one on its own.
        if constantSegments == segmentsWithValues, merged.nullCount == 0 {
            let ordinal = type == .int64 || type == .date || type == .timestamp
            if constantsDiffer ? segments == .files : ordinal { return .partition }
        }
        // Key: unique integers, ascending inside segments, each segment above the one before.
        if type == .int64, merged.nullCount == 0 {
            let unique = merged.distinctCount.map { Double($0) >= 0.95 * Double(values) } ?? true
            let inside = order.ascendingShare.map { $0 >= 0.95 } ?? true
            let across = boundaries == 0 || Double(strictlyFollowing) >= 0.95 * Double(boundaries)
            if unique, inside, across, order.steps > 0 || boundaries > 0 { return .key }
        }
        // Event time: dates or timestamps whose segments advance, or that do not go down inside one segment.
        if type == .date || type == .timestamp {
            if boundaries > 0, let first = firstRange, let last = lastRange {
                if Double(advancing) >= 0.9 * Double(boundaries), last.min > first.max { return .eventTime }
            } else if let share = order.nonDescendingShare, share >= 0.9 {
                return .eventTime
            }
        }
        // Identifier: text with nearly every value distinct.
        if type == .string, values >= 100, let d = merged.distinctCount, Double(d) >= 0.95 * Double(values) {
            return .identifier
        }
        return .none
    }
}
