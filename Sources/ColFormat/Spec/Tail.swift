import ColBytes

/// The head (docs/FORMAT.md §1.1): the magic and the version, 8 bytes at offset 0.
enum Head {
    static func serialize(into w: inout ByteWriter) {
        w.writeRaw(Layout.magic)
        w.write(Layout.majorVersion)
        w.write(Layout.minorVersion)
    }

    /// The version in a head, or nil when the bytes do not start with the magic.
    static func version(_ head: [UInt8]) -> (major: Int, minor: Int)? {
        guard head.count >= Layout.headSize, Array(head[0..<4]) == Layout.magic else { return nil }
        return (Int(head[4]) | Int(head[5]) << 8, Int(head[6]) | Int(head[7]) << 8)
    }
}

/// The 44-byte tail (docs/FORMAT.md §1.2): where the footer and its section
/// table are, the version, the feature flags and two checksums.
struct Tail {
    var footerOffset: UInt64
    var footerLength: UInt64
    var tableLength: UInt32
    var major: UInt16
    var minor: UInt16
    var requiredFeatures: UInt32
    var optionalFeatures: UInt32
    var tableChecksum: UInt32

    /// Appends the tail: its fields, the CRC-32C of bytes 0..35, then the magic.
    func serialize(into w: inout ByteWriter) {
        let start = w.count
        w.write(footerOffset)
        w.write(footerLength)
        w.write(tableLength)
        w.write(major)
        w.write(minor)
        w.write(requiredFeatures)
        w.write(optionalFeatures)
        w.write(tableChecksum)
        w.write(CRC32C.checksum(w.bytes[start...]))
        w.writeRaw(Layout.magic)
    }

    /// Parses the fields of a tail read at file offset `at`, returning the
    /// stored tail checksum beside them. The caller checks the magic, the checksum and the ranges.
    static func parse(_ bytes: [UInt8], at: Int) throws(BinaryDecodingError) -> (tail: Tail, storedChecksum: UInt32) {
        var r = ByteReader(bytes, baseOffset: at)
        let tail = Tail(footerOffset: try r.read(UInt64.self), footerLength: try r.read(UInt64.self),
                        tableLength: try r.read(UInt32.self), major: try r.read(UInt16.self), minor: try r.read(UInt16.self),
                        requiredFeatures: try r.read(UInt32.self), optionalFeatures: try r.read(UInt32.self),
                        tableChecksum: try r.read(UInt32.self))
        return (tail, try r.read(UInt32.self))
    }

    /// The checksum a tail's first 36 bytes should carry.
    static func checksum(_ bytes: [UInt8]) -> UInt32 { CRC32C.checksum(bytes[0..<36]) }
}
