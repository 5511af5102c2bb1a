// ColBytes: little-endian binary buffers shared by the sketches and the .col
// footer, the hashes and checksums, and bit packing.
//
// `ByteWriter` appends fixed-width little-endian integers, LEB128 varints and
// length-prefixed byte strings to one growable array. `ByteReader` reads them
// back with a bounds check on every access and reports the absolute offset of
// any failure, so a hostile or truncated input produces a typed error instead
// of a trap. Every count read from input is checked against the bytes that
// remain before anything is allocated for it.

/// An error found while decoding a binary structure.
public enum BinaryDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended before `needed` more bytes could be read at `offset`.
    case truncated(offset: Int, needed: Int)
    /// A value at `offset` is not valid for its field.
    case invalid(String, offset: Int)

    /// The error in words, with its offset.
    public var description: String {
        switch self {
        case let .truncated(offset, needed):
            return "truncated: needed \(needed) more byte(s) at offset \(offset)"
        case let .invalid(what, offset):
            return "invalid \(what) at offset \(offset)"
        }
    }
}
