import ColBytes

/// The value hashes behind the distinct and frequency sketches (docs/FORMAT.md §5.4).
public enum ValueHash {
    /// The hash of a bool.
    @inlinable public static func bool(_ b: Bool) -> UInt64 { mix64(b ? 0xB001 : 0xB000) }

    /// The hash of an integer: an integer a double holds exactly hashes as that double.
    @inlinable public static func int64(_ v: Int64) -> UInt64 {
        if v >= -(1 << 53) && v <= (1 << 53) { return mix64(Double(v).bitPattern) }
        return mix64(UInt64(bitPattern: v) ^ 0x1A7E_6E21_0000_0000)
    }

    /// The hash of a double, with -0 as +0.
    @inlinable public static func float64(_ v: Double) -> UInt64 {
        mix64((v == 0 ? 0.0 : v).bitPattern)
    }

    /// The hash of a timestamp (and of a date, as its midnight).
    @inlinable public static func timestamp(_ t: Int64) -> UInt64 {
        mix64(UInt64(bitPattern: t) ^ 0x7135_7A3B_0000_0000)
    }
}
