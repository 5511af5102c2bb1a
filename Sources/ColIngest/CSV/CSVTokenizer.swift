// CSV tokenizer.
//
// Design. The input arrives as 1 MiB blocks of UTF-8 from `ByteSource`. The
// tokenizer is a four-state machine (field start, unquoted, quoted, after a
// quote inside a quoted field) that copies each field's unescaped bytes into
// one reusable record arena, so a field or record that crosses a block
// boundary needs no special case: the state simply carries over to the next
// block. Inside a field the inner loops scan runs of ordinary bytes with a
// 256-entry class table and append the whole run at once.
//
// Rules (RFC 4180 plus what real files do):
// - the delimiter and quote are configurable; records end at LF, CRLF or a bare CR;
// - a quoted field may contain delimiters, doubled quotes and line breaks;
// - a quote inside an unquoted field is an ordinary character;
// - after a closing quote only the delimiter or a line end may follow, else
//   the record is malformed ("unexpected character after closing quote");
// - an unclosed quote at the end of input is malformed, located at the opening quote;
// - blank lines are skipped; a missing final newline is fine;
// - a field longer than `maxFieldBytes` is an error, not unbounded growth.
// Lines and columns are physical and 1-based; columns count bytes.

/// The CSV dialect.
public struct CSVDialect: Sendable, Equatable {
    /// The field delimiter.
    public var delimiter: UInt8 = UInt8(ascii: ",")
    /// The quote character, or nil for none.
    public var quote: UInt8? = UInt8(ascii: "\"")
    /// True when the first record names the columns.
    public var hasHeader = true

    /// A dialect; by default RFC 4180 with a header.
    public init(delimiter: UInt8 = UInt8(ascii: ","), quote: UInt8? = UInt8(ascii: "\""), hasHeader: Bool = true) {
        self.delimiter = delimiter
        self.quote = quote
        self.hasHeader = hasHeader
    }
}

/// One record's fields, reused from record to record.
struct CSVRecord {
    /// The unescaped bytes of every field, one after another.
    var bytes: [UInt8] = []
    /// The end of each field in `bytes`.
    var ends: [Int] = []
    /// Whether each field was quoted.
    var quoted: [Bool] = []
    /// The 1-based byte column where each field starts.
    var columns: [Int] = []
    /// The 1-based physical line where the record starts.
    var line = 1
    /// The record's raw text (only collected when asked, for a rejects file).
    var raw: [UInt8] = []

    var count: Int { ends.count }

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        quoted.removeAll(keepingCapacity: true)
        columns.removeAll(keepingCapacity: true)
        raw.removeAll(keepingCapacity: true)
    }

    @inline(__always) func range(_ i: Int) -> Range<Int> { (i == 0 ? 0 : ends[i - 1])..<ends[i] }
}

final class CSVTokenizer {
    let source: ByteSource
    let dialect: CSVDialect
    let maxFieldBytes: Int
    var keepRaw = false

    private var block: [UInt8] = []
    private var pos = 0
    private var blockOffset = 0
    private var eof = false
    /// The source threw (a failed read, undecodable UTF-16): the input ended early, and the
    /// reader must fail rather than skip it as a bad record.
    private(set) var sourceFailed = false
    private var pendingCR = false
    /// Inside quotes: whether the byte before was a CR (then an LF does not start another line).
    private var previousWasCR = false
    /// True when the last record or skipped line ended at a line break, false when it ended at
    /// the end of the input: a slice of a parallel split must end at a line break (CSVBlockSplitter).
    private(set) var endedAtLineBreak = true
    /// The current physical line and the decoded offset where it started.
    private(set) var line = 1
    private var lineStart = 0
    private var classes = [UInt8](repeating: 0, count: 256)

    private static let plain: UInt8 = 0, delimiter: UInt8 = 1, lf: UInt8 = 2, cr: UInt8 = 3, quote: UInt8 = 4

    /// A tokenizer for `source`; `line` and `offset` are where the source starts in the
    /// whole input (a slice of a parallel split starts at a record boundary further in).
    init(source: ByteSource, dialect: CSVDialect, maxFieldBytes: Int, firstBlock: [UInt8]? = nil, line: Int = 1, offset: Int = 0) {
        self.line = line
        blockOffset = offset
        lineStart = offset
        self.source = source
        self.dialect = dialect
        self.maxFieldBytes = maxFieldBytes
        classes[Int(dialect.delimiter)] = Self.delimiter
        classes[0x0A] = Self.lf
        classes[0x0D] = Self.cr
        if let q = dialect.quote { classes[Int(q)] = Self.quote }
        if let firstBlock { block = firstBlock }
    }

    /// Decoded bytes consumed so far.
    var offset: Int { blockOffset + pos }

    private func refill() throws(IngestError) -> Bool {
        if eof { return false }
        blockOffset += block.count
        pos = 0
        let next: ArraySlice<UInt8>
        do { next = try source.nextBlock() } catch {
            // The source cannot go on (a read failed, or UTF-16 ended mid-character): the input
            // ends here. Keeping the old block would make `--on-error skip` read it again forever.
            block.removeAll(keepingCapacity: true)
            eof = true
            sourceFailed = true
            throw error
        }
        if next.isEmpty {
            block.removeAll(keepingCapacity: true)
            eof = true
            return false
        }
        block.removeAll(keepingCapacity: true)
        block.append(contentsOf: next)
        return true
    }

    private func location(_ at: Int) -> SourceLocation {
        SourceLocation(file: source.name, line: line, column: at - lineStart + 1, offset: at)
    }

    private enum State { case fieldStart, unquoted, quoted, afterQuote }

    /// Reads the next record into `rec`; returns false at the end of the input.
    func next(_ rec: inout CSVRecord) throws(IngestError) -> Bool {
        rec.reset()
        var state = State.fieldStart
        var fieldStart = 0
        var quoteLocation = location(offset)
        rec.line = line
        while true {
            if pos >= block.count {
                if try !refill() {
                    switch state {
                    case .quoted:
                        throw .malformed(quoteLocation, "unclosed quote: the quoted field that starts here never ends")
                    case .fieldStart:
                        if rec.ends.isEmpty { return false }
                        endField(&rec, quoted: false)
                    case .unquoted:
                        endField(&rec, quoted: false)
                    case .afterQuote:
                        endField(&rec, quoted: true)
                    }
                    endedAtLineBreak = false
                    return true
                }
            }
            if pendingCR {
                pendingCR = false
                if block[pos] == 0x0A {
                    if keepRaw { rec.raw.append(0x0A) }
                    pos += 1
                    lineStart = offset
                    continue
                }
            }
            let b = block[pos]
            let cls = classes[Int(b)]
            switch state {
            case .fieldStart:
                fieldStart = rec.bytes.count
                rec.columns.append(offset - lineStart + 1)
                if cls == Self.quote {
                    quoteLocation = location(offset)
                    state = .quoted
                    consume(&rec, 1)
                } else if cls == Self.delimiter {
                    endField(&rec, quoted: false)
                    consume(&rec, 1)
                } else if cls == Self.lf || cls == Self.cr {
                    if rec.ends.isEmpty {
                        // A blank line: skip it.
                        rec.columns.removeAll(keepingCapacity: true)
                        consume(&rec, 1)
                        newLine(cr: cls == Self.cr)
                        rec.raw.removeAll(keepingCapacity: true)
                        rec.line = line
                        continue
                    }
                    endField(&rec, quoted: false)
                    consume(&rec, 1)
                    newLine(cr: cls == Self.cr)
                    endedAtLineBreak = true
                    return true
                } else {
                    state = .unquoted
                }
            case .unquoted:
                // Append the run of ordinary bytes at once (quotes are ordinary here).
                let start = pos
                var i = pos
                block.withUnsafeBufferPointer { p in
                    while i < p.count {
                        let c = classes[Int(p[i])]
                        if c == Self.delimiter || c == Self.lf || c == Self.cr { break }
                        i += 1
                    }
                }
                if i > start {
                    rec.bytes.append(contentsOf: block[start..<i])
                    consume(&rec, i - start)
                    if rec.bytes.count - fieldStart > maxFieldBytes {
                        throw .malformed(location(offset), "field longer than \(maxFieldBytes) bytes (raise \(setting: .maxFieldBytes))")
                    }
                    continue
                }
                if cls == Self.delimiter {
                    endField(&rec, quoted: false)
                    consume(&rec, 1)
                    state = .fieldStart
                } else {
                    endField(&rec, quoted: false)
                    consume(&rec, 1)
                    newLine(cr: cls == Self.cr)
                    endedAtLineBreak = true
                    return true
                }
            case .quoted:
                let start = pos
                var i = pos
                var sawLine = false
                block.withUnsafeBufferPointer { p in
                    while i < p.count {
                        let c = classes[Int(p[i])]
                        if c == Self.quote { break }
                        if c == Self.lf || c == Self.cr { sawLine = true; break }
                        i += 1
                    }
                }
                if i > start {
                    previousWasCR = false
                    rec.bytes.append(contentsOf: block[start..<i])
                    consume(&rec, i - start)
                    if rec.bytes.count - fieldStart > maxFieldBytes {
                        throw .malformed(quoteLocation, "field longer than \(maxFieldBytes) bytes (raise \(setting: .maxFieldBytes))")
                    }
                    continue
                }
                if sawLine || cls == Self.lf || cls == Self.cr {
                    rec.bytes.append(b)
                    consume(&rec, 1)
                    // A line break inside quotes: CR and LF each end a line, except an LF right
                    // after a CR (CRLF is one). Decided by the byte before, never the byte after,
                    // so the count does not depend on where the input was cut into blocks.
                    if cls == Self.cr || !previousWasCR { line += 1 }
                    lineStart = offset
                    previousWasCR = cls == Self.cr
                } else {
                    previousWasCR = false
                    consume(&rec, 1)
                    state = .afterQuote
                }
            case .afterQuote:
                if cls == Self.quote {
                    rec.bytes.append(b)
                    consume(&rec, 1)
                    state = .quoted
                } else if cls == Self.delimiter {
                    endField(&rec, quoted: true)
                    consume(&rec, 1)
                    state = .fieldStart
                } else if cls == Self.lf || cls == Self.cr {
                    endField(&rec, quoted: true)
                    consume(&rec, 1)
                    newLine(cr: cls == Self.cr)
                    endedAtLineBreak = true
                    return true
                } else {
                    throw .malformed(location(offset),
                                     "unexpected character '\(printable(b))' after closing quote; expected the delimiter '\(printable(dialect.delimiter))' or a line end")
                }
            }
        }
    }

    @inline(__always) private func consume(_ rec: inout CSVRecord, _ n: Int) {
        if keepRaw { rec.raw.append(contentsOf: block[pos..<(pos + n)]) }
        pos += n
    }

    @inline(__always) private func endField(_ rec: inout CSVRecord, quoted: Bool) {
        rec.ends.append(rec.bytes.count)
        rec.quoted.append(quoted)
        if rec.columns.count < rec.ends.count { rec.columns.append(offset - lineStart + 1) }
    }

    @inline(__always) private func newLine(cr: Bool) {
        line += 1
        lineStart = offset
        if cr { pendingCR = true }
    }

    /// Skips the rest of a malformed record: up to the next line end outside quotes, best effort.
    func skipToLineEnd() throws(IngestError) {
        while true {
            if pos >= block.count {
                if try !refill() {
                    endedAtLineBreak = false
                    return
                }
            }
            let b = block[pos]
            pos += 1
            endedAtLineBreak = true
            if b == 0x0A { line += 1; lineStart = offset; return }
            if b == 0x0D { line += 1; lineStart = offset; pendingCR = true; return }
        }
    }
}

func printable(_ b: UInt8) -> String {
    switch b {
    case 0x09: return "\\t"
    case 0x0A: return "\\n"
    case 0x0D: return "\\r"
    case 0x20...0x7E: return String(UnicodeScalar(b))
    default: return String(format: b)
    }
}

private func String(format b: UInt8) -> String {
    let h = Swift.String(b, radix: 16)
    return "\\x" + (h.count == 1 ? "0" + h : h)
}
