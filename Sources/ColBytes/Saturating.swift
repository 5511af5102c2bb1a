/// Saturating arithmetic for counts that come from files.
///
/// Counts read from a footer are checked against the file's own limits when
/// they are read, but merging many files can still add them past the type's
/// range. A merged count that would overflow stays at the type's maximum
/// instead of trapping; the spec's limits make that unreachable in one file.
extension FixedWidthInteger where Self: UnsignedInteger {
    /// `self + other`, or `Self.max` when that overflows.
    @inlinable
    package func saturatingAdding(_ other: Self) -> Self {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }

    /// `self * other`, or `Self.max` when that overflows.
    @inlinable
    package func saturatingMultiplying(by other: Self) -> Self {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? .max : product
    }

    /// Adds `other` in place, saturating.
    @inlinable
    package static func +|= (lhs: inout Self, rhs: Self) {
        lhs = lhs.saturatingAdding(rhs)
    }
}

infix operator +|=: AssignmentPrecedence
