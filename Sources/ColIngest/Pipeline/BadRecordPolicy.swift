import Synchronization

/// The one interpreter of `ErrorPolicy`: what happens to a bad record or a
/// value that does not fit the type a schema gives. Every record reader and
/// the converting thread go through it, so fail, skip and warn mean the same
/// thing for every input format.
///
/// Records are rejected from the reader's thread and values from the
/// converting thread; the counts are atomic, and the rejects file is written
/// by the reader's thread only.
final class BadRecordPolicy: Sendable {
    let policy: ErrorPolicy
    private let rejects: RejectsFile?
    private let warning: (@Sendable (String) -> Void)?
    private let naming: @Sendable (IngestSetting) -> String
    private let records = Atomic<Int>(0)
    private let values = Atomic<Int>(0)

    init(options: ConversionOptions, rejects: RejectsFile?) {
        policy = options.onError
        self.rejects = rejects
        warning = options.warning
        naming = options.settingName
    }

    /// Records dropped so far.
    var rejectedRecords: Int { records.load(ordering: .relaxed) }
    /// Values set to null so far (they did not fit a given type).
    var nulledValues: Int { values.load(ordering: .relaxed) }

    /// A bad record. Under fail, throws `error`; under skip and warn, counts
    /// it, reports it under warn, and appends it to the rejects file.
    func reject(_ error: IngestError, line: Int, raw: [UInt8]) throws(IngestError) {
        guard policy != .fail else { throw error }
        records.add(1, ordering: .relaxed)
        if policy == .warn { warning?(error.rendered(naming: naming)) }
        try rejects?.add(line: line, error: error.message(naming: naming), record: raw)
    }

    /// `count` values of one column that do not parse as the type given for
    /// it, the first at `location`. Under fail, throws; otherwise they read as
    /// null, are counted, and are reported under warn.
    func nullValues(_ count: Int, at location: SourceLocation, _ message: IngestMessage) throws(IngestError) {
        guard policy != .fail else { throw .malformed(location, message) }
        values.add(count, ordering: .relaxed)
        if policy == .warn {
            warning?("\(location.file):\(location.line): \(message.rendered(naming: naming)); \(count) value(s) set to null")
        }
    }
}
