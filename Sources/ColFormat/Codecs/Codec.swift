import CLZ4
import CZstd

/// The compression applied to an encoded block (docs/FORMAT.md §4).
public enum Codec: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Stored as encoded: no compression, or compression did not make it smaller.
    case none = 0
    /// zstd frames (RFC 8878), each with its content size in its header: one for a
    /// data block, one or more concatenated for a footer section.
    case zstd = 1
    /// An LZ4 block (raw block format, no frame); the uncompressed size is in the directory.
    case lz4 = 2

    /// The codec's name on the command line and in reports.
    public var description: String {
        switch self {
        case .none: "none"
        case .zstd: "zstd"
        case .lz4: "lz4"
        }
    }

    /// The codec with this name (`none`, `zstd`, `lz4`).
    public init?(name: String) {
        guard let c = Codec.allCases.first(where: { $0.description == name }) else { return nil }
        self = c
    }
}
