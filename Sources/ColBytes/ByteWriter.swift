// Appends fixed-width little-endian integers, LEB128 varints and
// length-prefixed byte strings to one growable array (docs/FORMAT.md, preamble).

/// Appends little-endian values to a reusable byte array.
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    public var bytes: [UInt8]

    /// Creates an empty writer with room for `capacity` bytes.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// The number of bytes written so far.
    @inlinable public var count: Int { bytes.count }

    /// Removes the content but keeps the storage for reuse.
    public mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    /// Appends one byte.
    @inlinable public mutating func write(_ v: UInt8) { bytes.append(v) }

    /// Appends a little-endian integer.
    @inlinable public mutating func write<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends a double as its little-endian bit pattern.
    @inlinable public mutating func write(_ v: Double) { write(v.bitPattern) }

    /// Writes an unsigned LEB128 varint.
    @inlinable public mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Writes a non-negative Int as an unsigned varint.
    @inlinable public mutating func writeVarint(_ value: Int) { writeVarint(UInt64(value)) }

    /// Writes a zigzag-encoded signed varint.
    @inlinable public mutating func writeSignedVarint(_ value: Int64) {
        writeVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// Writes a varint length followed by the bytes.
    @inlinable public mutating func writeBytes<C: Collection>(_ b: C) where C.Element == UInt8 {
        writeVarint(b.count)
        bytes.append(contentsOf: b)
    }

    /// Writes a string as a varint length and its UTF-8 bytes.
    public mutating func writeString(_ s: String) { writeBytes(Array(s.utf8)) }

    /// Appends bytes as they are, with no length.
    @inlinable public mutating func writeRaw<C: Collection>(_ b: C) where C.Element == UInt8 {
        bytes.append(contentsOf: b)
    }

    /// Overwrites a little-endian value at an absolute position written earlier.
    public mutating func patch<T: FixedWidthInteger>(_ v: T, at position: Int) {
        withUnsafeBytes(of: v.littleEndian) { raw in
            for i in 0..<raw.count { bytes[position + i] = raw[i] }
        }
    }
}
