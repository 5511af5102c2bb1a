import ColBytes

/// A 64-bit fingerprint: XXH64 (seed 0) of a canonical text (docs/FORMAT.md §6).
public struct Fingerprint: Sendable, Hashable, CustomStringConvertible {
    /// The 64-bit hash.
    public let value: UInt64
    /// A fingerprint with a known value.
    public init(_ value: UInt64) { self.value = value }
    /// The fingerprint of a canonical text.
    public init(text: String) { value = XXH64.hash(Array(text.utf8)) }
    /// 16 lowercase hex digits.
    public var description: String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
