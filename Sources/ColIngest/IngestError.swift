import ColFormat

/// Where in an input something went wrong.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based physical line.
    public var line: Int
    /// 1-based byte column within the line.
    public var column: Int
    /// 0-based byte offset in the (decoded) input, when known.
    public var offset: Int?

    public init(file: String, line: Int, column: Int, offset: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.offset = offset
    }

    /// `file:line:column`, then ` (byte N)` when the offset is known.
    public var description: String {
        let place = "\(file):\(line):\(column)"
        guard let offset else { return place }
        return place + " (byte \(offset))"
    }
}

/// An error converting an input. Each case carries the location and what was expected.
public enum IngestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input is malformed at a location.
    case malformed(SourceLocation, String)
    /// The input cannot be read or the output cannot be written.
    case io(String)
    /// The options do not make sense.
    case usage(String)
    /// Writing or reading the .col file failed.
    case format(ColFileError)

    public var description: String {
        switch self {
        case let .malformed(loc, message): return "\(loc): \(message)"
        case let .io(message): return message
        case let .usage(message): return message
        case let .format(e): return e.description
        }
    }
}
