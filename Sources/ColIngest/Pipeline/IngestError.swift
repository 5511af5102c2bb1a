import ColFormat

/// Where in an input something went wrong.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    /// The input's name as given (a path, or "-").
    public var file: String
    /// 1-based physical line, or 0 when the error comes before lines exist
    /// (undecodable UTF-16; `offset` then counts bytes of the raw input).
    public var line: Int
    /// 1-based byte column within the line.
    public var column: Int
    /// 0-based byte offset in the (decoded) input, when known.
    public var offset: Int?

    /// A location; `offset` is the byte offset when known.
    public init(file: String, line: Int, column: Int, offset: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.offset = offset
    }

    /// `file:line:column`, then ` (byte N)` when the offset is known.
    public var description: String {
        if line == 0, let offset { return "\(file) (byte \(offset))" }
        let place = "\(file):\(line):\(column)"
        guard let offset else { return place }
        return place + " (byte \(offset))"
    }
}

/// A conversion setting that an error message can point to. The library
/// names a setting by its API name (`CSVOptions.maxFieldBytes`); a command
/// line names it by its flag (see `IngestMessage.rendered(naming:)`).
public enum IngestSetting: String, Sendable, CaseIterable {
    /// `CSVOptions.maxFieldBytes`, `JSONOptions.maxRecordBytes`.
    case maxFieldBytes
    /// `JSONOptions.maxNesting`.
    case maxNesting
    /// `JSONOptions.maxDepth`.
    case maxDepth
    /// `JSONOptions.maxColumns`.
    case maxColumns
    /// `InvalidUTF8Policy.replace`, through `CSVOptions.invalidUTF8` or `JSONOptions.invalidUTF8`.
    case invalidUTF8Replace
    /// `CSVOptions.schemaOverrides`.
    case schema
    /// `JSONOptions.flattenSeparator`.
    case flattenSeparator

    /// The setting's name in the Swift API.
    public var apiName: String {
        switch self {
        case .maxFieldBytes: "the maxFieldBytes option"
        case .maxNesting: "the maxNesting option"
        case .maxDepth: "the maxDepth option"
        case .maxColumns: "the maxColumns option"
        case .invalidUTF8Replace: "the invalidUTF8 policy .replace"
        case .schema: "the schema overrides"
        case .flattenSeparator: "the flattenSeparator option"
        }
    }
}

/// A message that may name conversion settings. Write it as a string, with
/// `\(setting: .maxFieldBytes)` where a setting is named; `description`
/// names settings as the API does, `rendered(naming:)` as the caller likes.
public struct IngestMessage: Sendable, Equatable, CustomStringConvertible, ExpressibleByStringInterpolation {
    enum Piece: Sendable, Equatable {
        case text(String)
        case setting(IngestSetting)
    }

    var pieces: [Piece]

    /// A message with no setting in it.
    public init(stringLiteral value: String) { pieces = [.text(value)] }

    /// A message built by interpolation.
    public init(stringInterpolation: StringInterpolation) { pieces = stringInterpolation.pieces }

    /// The interpolation behind `IngestMessage` literals.
    public struct StringInterpolation: StringInterpolationProtocol {
        var pieces: [Piece] = []
        /// An empty message.
        public init(literalCapacity: Int, interpolationCount: Int) {}
        /// Appends text.
        public mutating func appendLiteral(_ literal: String) { appendText(literal) }
        /// Appends a value's description.
        public mutating func appendInterpolation<T>(_ value: T) { appendText("\(value)") }

        /// Adjacent text is kept as one piece, so equal messages have equal pieces.
        private mutating func appendText(_ text: String) {
            guard !text.isEmpty else { return }
            if case let .text(last)? = pieces.last {
                pieces[pieces.count - 1] = .text(last + text)
            } else {
                pieces.append(.text(text))
            }
        }
        /// Names a setting, as the renderer chooses.
        public mutating func appendInterpolation(setting: IngestSetting) { pieces.append(.setting(setting)) }
    }

    /// The text, with each setting named by `naming`.
    public func rendered(naming: (IngestSetting) -> String) -> String {
        var out = ""
        for p in pieces {
            switch p {
            case let .text(t): out += t
            case let .setting(s): out += naming(s)
            }
        }
        return out
    }

    /// The text, with settings named as in the Swift API.
    public var description: String { rendered { $0.apiName } }

    /// True when the text starts with `prefix` (settings do not count).
    func starts(with prefix: String) -> Bool {
        if case let .text(t)? = pieces.first { return t.hasPrefix(prefix) }
        return false
    }
}

/// An error converting an input. Each case carries the location and what was expected.
public enum IngestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input is malformed at a location.
    case malformed(SourceLocation, IngestMessage)
    /// The input cannot be read or the output cannot be written.
    case io(String)
    /// The options do not make sense.
    case usage(IngestMessage)
    /// Writing or reading the .col file failed.
    case format(ColFileError)

    /// The error with settings named as in the Swift API.
    public var description: String { rendered { $0.apiName } }

    /// The error with each setting named by `naming` (a command line names its flags).
    public func rendered(naming: (IngestSetting) -> String) -> String {
        switch self {
        case let .malformed(loc, message): return "\(loc): \(message.rendered(naming: naming))"
        case let .io(message): return message
        case let .usage(message): return message.rendered(naming: naming)
        case let .format(e): return e.description
        }
    }

    /// The message without its location, settings named by `naming`.
    func message(naming: (IngestSetting) -> String) -> String {
        if case let .malformed(_, m) = self { return m.rendered(naming: naming) }
        return rendered(naming: naming)
    }
}

extension IngestError {
    /// The error with its line moved `lines` further (a slice of the parallel CSV reader counts
    /// its lines from 1).
    func shifted(lines: Int) -> IngestError {
        guard case .malformed(var location, let message) = self, location.line > 0 else { return self }
        location.line += lines
        return .malformed(location, message)
    }
}
