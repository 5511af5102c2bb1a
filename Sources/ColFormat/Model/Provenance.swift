/// Where the data came from and how it was converted.
public struct Provenance: Sendable, Equatable {
    /// The source's name as given (a path, or "-" for standard input).
    public var source: String
    /// The source's size in bytes.
    public var sourceSize: UInt64?
    /// XXH64 of the source's bytes.
    public var sourceHash: UInt64?
    /// The tool and its version, e.g. "colconv 0.1.0".
    public var tool: String
    /// ISO 8601 UTC time of creation.
    public var createdAt: String
    /// Options as given, in order.
    public var options: [(key: String, value: String)]
    /// Decisions made by inference (dialect, header, types), in order.
    public var decisions: [(subject: String, decision: String)]

    /// A provenance record; every field is optional.
    public init(source: String = "", sourceSize: UInt64? = nil, sourceHash: UInt64? = nil, tool: String = "",
                createdAt: String = "", options: [(key: String, value: String)] = [],
                decisions: [(subject: String, decision: String)] = []) {
        self.source = source
        self.sourceSize = sourceSize
        self.sourceHash = sourceHash
        self.tool = tool
        self.createdAt = createdAt
        self.options = options
        self.decisions = decisions
    }

    /// Field-by-field equality.
    public static func == (a: Provenance, b: Provenance) -> Bool {
        a.source == b.source && a.sourceSize == b.sourceSize && a.sourceHash == b.sourceHash && a.tool == b.tool
            && a.createdAt == b.createdAt && a.options.elementsEqual(b.options, by: { $0 == $1 })
            && a.decisions.elementsEqual(b.decisions, by: { $0 == $1 })
    }

    /// The current time as `YYYY-MM-DDTHH:MM:SSZ`.
    public static func now() -> String {
        var out: [UInt8] = []
        let seconds = Int64(SystemClock.wallSeconds())
        CanonicalText.appendTimestamp(seconds * CanonicalText.microsPerSecond, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
