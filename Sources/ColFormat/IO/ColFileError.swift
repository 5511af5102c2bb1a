import ColBytes
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An error reading or writing a .col file. Every case names the file and,
/// where there is one, the byte offset at which the problem was found.
public enum ColFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A system call failed.
    case io(path: String, operation: String, errno: Int32)
    /// The bytes are not a .col file (wrong magic at `offset`).
    case notAColFile(path: String, offset: Int)
    /// The file ends before a structure it declares; `needed` is the end offset required.
    case truncated(path: String, fileSize: Int, needed: Int)
    /// The file is of a major version this reader does not know.
    case unsupportedVersion(path: String, major: Int, minor: Int)
    /// The file sets required feature flags this reader does not implement.
    case unknownRequiredFeatures(path: String, flags: UInt32)
    /// A stored checksum does not match the bytes: `what` names the block or section.
    case checksumMismatch(path: String, what: String, offset: Int, expected: UInt32, actual: UInt32)
    /// A structure is malformed: `what` names the block or section.
    case corrupt(path: String, what: String, offset: Int, detail: String)
    /// A declared size or count exceeds what the file or a sane limit allows.
    case limitExceeded(path: String, what: String, value: UInt64, limit: UInt64)
    /// The caller asked for something the file does not have.
    case invalidArgument(String)
    /// Data was asked of a snapshot, which holds statistics and sketches only.
    case snapshotHasNoData(path: String)

    /// The error in words: the file, what failed, and where.
    public var description: String {
        switch self {
        case let .io(path, op, e): return "\(path): \(op) failed: \(String(cString: strerror(e)))"
        case let .notAColFile(path, offset): return "\(path): not a .col file (bad magic at byte \(offset))"
        case let .truncated(path, size, needed):
            return "\(path): truncated: the file has \(size) bytes but its structure needs \(needed)"
        case let .unsupportedVersion(path, major, minor): return "\(path): unsupported .col version \(major).\(minor)"
        case let .unknownRequiredFeatures(path, flags):
            return "\(path): requires unknown features (flags 0x\(String(flags, radix: 16)))"
        case let .checksumMismatch(path, what, offset, expected, actual):
            return "\(path): corrupt \(what) at byte \(offset): checksum \(hex32(actual)) does not match stored \(hex32(expected))"
        case let .corrupt(path, what, offset, detail): return "\(path): corrupt \(what) at byte \(offset): \(detail)"
        case let .limitExceeded(path, what, value, limit): return "\(path): \(what) \(value) exceeds the limit \(limit)"
        case let .invalidArgument(s): return s
        case let .snapshotHasNoData(path):
            return "\(path): a snapshot holds the statistics and sketches of its data, not the data; read the .col files it was taken from"
        }
    }

    static func from(_ e: BinaryDecodingError, path: String, what: String) -> ColFileError {
        switch e {
        case let .truncated(offset, needed): return .corrupt(path: path, what: what, offset: offset, detail: "ends \(needed) byte(s) early")
        case let .invalid(detail, offset): return .corrupt(path: path, what: what, offset: offset, detail: "invalid \(detail)")
        }
    }
}

func hex32(_ v: UInt32) -> String {
    let h = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - h.count) + h
}
