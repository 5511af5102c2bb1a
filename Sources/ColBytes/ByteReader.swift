// Reads what `ByteWriter` writes, with a bounds check on every access; see
// BinaryDecodingError.swift for how failures are reported.

/// Reads little-endian values from a byte array with bounds checks.
public struct ByteReader: Sendable {
    /// The bytes being read.
    public let bytes: [UInt8]
    /// The current position within `bytes`.
    public var position: Int
    /// The absolute file offset of `bytes[0]`, added to every reported offset.
    public let baseOffset: Int

    /// A reader at the start of `bytes`, which sit at `baseOffset` in their file.
    public init(_ bytes: [UInt8], baseOffset: Int = 0) {
        self.bytes = bytes
        self.position = 0
        self.baseOffset = baseOffset
    }

    /// The number of unread bytes.
    @inlinable public var remaining: Int { bytes.count - position }
    /// The absolute offset of the next byte to read.
    @inlinable public var offset: Int { baseOffset + position }
    @inlinable public var isAtEnd: Bool { position >= bytes.count }

    /// Throws `.truncated` unless `n` more bytes remain.
    @inlinable public mutating func need(_ n: Int) throws(BinaryDecodingError) {
        if n < 0 || n > remaining { throw .truncated(offset: offset, needed: n) }
    }

    /// Reads one byte.
    @inlinable public mutating func readUInt8() throws(BinaryDecodingError) -> UInt8 {
        try need(1)
        defer { position += 1 }
        return bytes[position]
    }

    /// Reads a little-endian integer.
    @inlinable public mutating func read<T: FixedWidthInteger>(_: T.Type) throws(BinaryDecodingError) -> T {
        let size = MemoryLayout<T>.size
        try need(size)
        let v = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: position, as: T.self) }
        position += size
        return T(littleEndian: v)
    }

    /// Reads an IEEE 754 double from its little-endian bit pattern.
    public mutating func readDouble() throws(BinaryDecodingError) -> Double {
        Double(bitPattern: try read(UInt64.self))
    }

    /// Reads `n` IEEE 754 doubles, little-endian, with one bounds check for all of them.
    public mutating func readDoubles(_ n: Int) throws(BinaryDecodingError) -> [Double] {
        guard n >= 0, n <= Int.max / 8 else { throw .invalid("count \(n)", offset: offset) }
        try need(n * 8)
        let start = position
        let out = [Double](ownedCapacity: n) { buffer, initialized in
            bytes.withUnsafeBytes { raw in
                for i in 0..<n {
                    buffer[i] = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start + 8 * i, as: UInt64.self)))
                }
            }
            initialized = n
        }
        position += n * 8
        return out
    }

    /// Reads an unsigned LEB128 varint of at most 10 bytes; overlong or overflowing ones are invalid.
    @inlinable public mutating func readVarint() throws(BinaryDecodingError) -> UInt64 {
        // One byte is the common case (counts, lengths, register runs).
        if position < bytes.count && bytes[position] < 0x80 {
            position += 1
            return UInt64(bytes[position - 1])
        }
        let start = offset
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try readUInt8()
            if shift == 63 && b > 1 { throw .invalid("varint (overflow)", offset: start) }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw .invalid("varint (too long)", offset: start) }
        }
    }

    /// Reads a zigzag-encoded signed varint.
    public mutating func readSignedVarint() throws(BinaryDecodingError) -> Int64 {
        let u = try readVarint()
        return Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1)
    }

    /// Reads a varint count and checks it against `limit` and, when each
    /// element takes at least `minBytesEach` bytes, against the bytes left.
    public mutating func readCount(limit: Int, minBytesEach: Int = 0) throws(BinaryDecodingError) -> Int {
        let start = offset
        let v = try readVarint()
        guard v <= UInt64(limit) else { throw .invalid("count \(v) (limit \(limit))", offset: start) }
        let n = Int(v)
        if minBytesEach > 0 && n > remaining / minBytesEach {
            throw .truncated(offset: offset, needed: n * minBytesEach)
        }
        return n
    }

    /// Reads a varint length and that many bytes.
    public mutating func readBytes(limit: Int = 1 << 30) throws(BinaryDecodingError) -> ArraySlice<UInt8> {
        let n = try readCount(limit: limit)
        return try readRaw(n)
    }

    /// Reads `n` bytes as they are.
    public mutating func readRaw(_ n: Int) throws(BinaryDecodingError) -> ArraySlice<UInt8> {
        try need(n)
        defer { position += n }
        return bytes[position..<(position + n)]
    }

    /// Reads a length-prefixed UTF-8 string, refusing invalid UTF-8.
    public mutating func readString(limit: Int = 1 << 20) throws(BinaryDecodingError) -> String {
        let start = offset
        let raw = try readBytes(limit: limit)
        guard let s = String(validating: raw, as: UTF8.self) else {
            throw .invalid("UTF-8 string", offset: start)
        }
        return s
    }
}
