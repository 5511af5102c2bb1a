// Sortedness of a column inside its chunks (docs/FORMAT.md §2.7): the evidence behind the
// key and event-time roles (docs/PROFILE.md, "Roles").

import ColBytes

/// How a column's values move from one row to the next, counted over the steps between
/// consecutive values (nulls and NaNs skipped) inside each chunk. Steps across a chunk
/// boundary are not counted: chunk ranges judge those (`RoleEvidence`).
///
/// Only int64, float64, date and timestamp columns have steps; for the other types, and for
/// statistics read from a file older than format 1.2, every count is 0 ("no evidence").
public struct ValueOrder: Sendable, Hashable {
    /// Steps between consecutive values.
    public var steps: UInt64 = 0
    /// Steps to a larger value.
    public var ascending: UInt64 = 0
    /// Steps to a smaller value. Steps to an equal value are `steps − ascending − descending`.
    public var descending: UInt64 = 0

    /// No steps.
    public init() {}

    /// Given counts; `ascending + descending` must not exceed `steps`.
    public init(steps: UInt64, ascending: UInt64, descending: UInt64) {
        self.steps = steps
        self.ascending = ascending
        self.descending = descending
    }

    /// Counts the steps of `values`, in order.
    public init(of values: UnsafeBufferPointer<Double>) {
        guard values.count > 1 else { return }
        var up = 0, down = 0
        var previous = values[0]
        for i in 1..<values.count {
            let x = values[i]
            up &+= x > previous ? 1 : 0
            down &+= x < previous ? 1 : 0
            previous = x
        }
        steps = UInt64(values.count - 1)
        ascending = UInt64(up)
        descending = UInt64(down)
    }

    /// Steps to an equal value (0 when saturated merged counts no longer add up).
    public var equal: UInt64 {
        let moved = ascending.addingReportingOverflow(descending)
        return moved.overflow || moved.partialValue > steps ? 0 : steps - moved.partialValue
    }

    /// The share of steps that go up, or nil without steps.
    public var ascendingShare: Double? { steps == 0 ? nil : Double(ascending) / Double(steps) }

    /// The share of steps that do not go down, or nil without steps.
    public var nonDescendingShare: Double? { steps == 0 ? nil : Double(steps - descending) / Double(steps) }

    /// Adds another chunk's counts (saturating, as merged counts do).
    public mutating func merge(_ o: ValueOrder) {
        steps +|= o.steps
        ascending +|= o.ascending
        descending +|= o.descending
    }

    /// Appends the three counts as varints.
    public func serialize(into w: inout ByteWriter) {
        w.writeVarint(steps)
        w.writeVarint(ascending)
        w.writeVarint(descending)
    }

    /// Reads three counts, checking that the ascending and descending steps fit in the steps.
    public static func deserialize(from r: inout ByteReader) throws(BinaryDecodingError) -> ValueOrder {
        let at = r.offset
        let o = ValueOrder(steps: try r.readVarint(), ascending: try r.readVarint(), descending: try r.readVarint())
        guard o.ascending <= o.steps, o.descending <= o.steps - o.ascending else {
            throw .invalid("order counts exceed the steps", offset: at)
        }
        return o
    }
}
