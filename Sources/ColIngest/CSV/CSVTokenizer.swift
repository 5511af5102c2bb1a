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

import ColBytes

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

    /// Hands the rest of the current block to a reader that goes on from here (the parallel
    /// reader, after the header): the bytes not yet consumed, without the LF of a CRLF whose CR
    /// ended the last record; the decoded offset where they start; and whether that LF may
    /// still come as the next byte read.
    func takeRemainingBlock() -> (bytes: [UInt8], offset: Int, pendingLF: Bool) {
        var rest = Array(block[pos...])
        var start = offset
        var pending = pendingCR
        if pendingCR, let first = rest.first {
            if first == 0x0A {
                rest.removeFirst()
                start += 1
            }
            pending = false
        }
        blockOffset += block.count
        block.removeAll()
        pos = 0
        pendingCR = false
        return (rest, start, pending)
    }

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
                    // The LF of the previous record's CRLF: not part of this record's raw text.
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
                        // Located at the first byte over the limit, wherever the input was cut into blocks.
                        let over = offset - (rec.bytes.count - fieldStart - maxFieldBytes)
                        throw .malformed(location(over), "field longer than \(maxFieldBytes) bytes (raise \(setting: .maxFieldBytes))")
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

    /// The most raw text kept of a rejected record for the rejects file.
    static let maxRejectedRawBytes = 1 << 20

    /// Skips the rest of a malformed record, up to and including the next line break (inside
    /// quotes or not: the record is broken, so its quotes are not trusted). With `keepRaw`, the
    /// bytes skipped are added to `raw`, so a rejected record's text is all of it (up to
    /// `maxRejectedRawBytes`) wherever the input was cut into blocks.
    func skipToLineEnd(raw: inout [UInt8]) throws(IngestError) {
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
            if keepRaw && raw.count < Self.maxRejectedRawBytes { raw.append(b) }
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

// MARK: - Fast path: whole records straight into columns
//
// `next` copies each field into the record arena and the reader copies it
// again into its column, with array bookkeeping per field. Most records are
// plain: they lie wholly inside the current block, have the expected width,
// are valid UTF-8 and end at a line break. `takeRecords` parses runs of such
// records straight from the block into the chunk's columns, scanning 8 bytes
// at a time for the structural bytes. At the first record that is not plain
// (it reaches the end of the block, has the wrong width, is blank, has a byte
// after a closing quote, invalid UTF-8 or an over-long field) it stops before
// that record and leaves it to `next`, the reference, so errors, rejects and
// recovery are exactly those of the scalar path. Record and line counting
// follow the same rules as `next`; `CSVFastPathTests` checks that both paths
// give the same chunks.

/// The reader's per-record settings the fast path needs.
struct CSVFastPathLimits {
    var width: Int
    var rowLimit: Int
    var byteLimit: Int
    var nullTokens: Set<[UInt8]>
    var longestNullToken: Int
}

/// One field of a record the fast path is reading: its bytes in the block.
struct CSVFieldSpan {
    var start = 0
    var end = 0
    /// 0 unquoted, 1 quoted, 2 quoted with doubled quotes to undo.
    var kind: UInt8 = 0
}

extension CSVTokenizer {
    /// Parses plain records from the current block into `chunk`, until the
    /// chunk reaches `limits` (rows, or `chunkBytes` counted as the reader
    /// counts it) or the next record is not plain. Returns the rows taken.
    func takeRecords(into chunk: inout RawChunk, limits: CSVFastPathLimits, chunkBytes: inout Int,
                     spans: inout [CSVFieldSpan], scratch: inout [UInt8]) -> Int {
        if pendingCR || pos >= block.count { return 0 }
        let width = limits.width
        if spans.count < width { spans = [CSVFieldSpan](repeating: CSVFieldSpan(), count: width) }
        let delimiter = dialect.delimiter
        let quote = dialect.quote
        let hasQuote = quote != nil
        let q = quote ?? 0
        let maxField = maxFieldBytes
        var taken = 0
        var cursor = pos
        var line = self.line
        var lineStart = self.lineStart - blockOffset
        block.withUnsafeBytes { p in
            let n = p.count
            spans.withUnsafeMutableBufferPointer { spans in
                records: while chunk.rows < limits.rowLimit && chunkBytes < limits.byteLimit {
                    var i = cursor
                    var recordLines = 0
                    var fields = 0
                    var bytes = 0
                    // Blank lines go to `next`, which skips them.
                    guard i < n, p[i] != 0x0A, p[i] != 0x0D else { break records }
                    var ended = false
                    while !ended {
                        guard fields < width else { break records }
                        if hasQuote && i < n && p[i] == q {
                            // Quoted: runs up to a quote or a line break, 8 bytes at a time.
                            var j = i + 1
                            var escaped = false
                            while true {
                                j = Self.find(q, 0x0A, 0x0D, in: p, from: j)
                                guard j < n else { break records }
                                let b = p[j]
                                if b == q {
                                    guard j + 1 < n else { break records }
                                    if p[j + 1] == q { escaped = true; j += 2; continue }
                                    break
                                }
                                // A line break inside quotes, counted as `next` counts it: CR and
                                // LF each end a line, except an LF right after a CR.
                                if b == 0x0D || p[j - 1] != 0x0D { recordLines += 1 }
                                j += 1
                            }
                            // Longer than the limit before undoing doubled quotes: `next` decides.
                            guard j - i - 1 <= maxField else { break records }
                            spans[fields] = CSVFieldSpan(start: i + 1, end: j, kind: escaped ? 2 : 1)
                            i = j + 1
                            guard i < n else { break records }
                            let after = p[i]
                            if after == delimiter { i += 1 } else if after == 0x0A || after == 0x0D { ended = true } else { break records }
                        } else {
                            let j = Self.find(delimiter, 0x0A, 0x0D, in: p, from: i)
                            guard j < n, j - i <= maxField else { break records }
                            spans[fields] = CSVFieldSpan(start: i, end: j, kind: 0)
                            bytes += j - i
                            i = j
                            if p[j] == delimiter { i += 1 } else { ended = true }
                        }
                        fields += 1
                    }
                    guard fields == width else { break records }
                    // The line break: LF, CRLF, or a CR with its LF unseen (then `next` handles it).
                    if p[i] == 0x0D {
                        guard i + 1 < n else { break records }
                        i += p[i + 1] == 0x0A ? 2 : 1
                    } else {
                        i += 1
                    }
                    // UTF-8, checked over the whole record: its fields are separated by ASCII bytes
                    // (delimiters, quotes, line breaks), so it is valid exactly when every field is.
                    if firstInvalidUTF8(UnsafeRawBufferPointer(rebasing: p[cursor..<i])) != nil { break records }
                    // Escaped fields: their length after undoing the doubled quotes.
                    for k in 0..<width where spans[k].kind != 0 {
                        let s = spans[k]
                        if s.kind == 1 {
                            bytes += s.end - s.start
                        } else {
                            var quotes = 0
                            for x in s.start..<s.end where p[x] == q { quotes += 1 }
                            bytes += s.end - s.start - quotes / 2
                        }
                    }
                    // The record is plain: append it.
                    chunk.columns.withUnsafeMutableBufferPointer { columns in
                        for k in 0..<width {
                            let s = spans[k]
                            let field = UnsafeRawBufferPointer(rebasing: p[s.start..<s.end])
                            switch s.kind {
                            case 0:
                                if field.isEmpty || (!limits.nullTokens.isEmpty && field.count <= limits.longestNullToken
                                                     && limits.nullTokens.contains(Array(field))) {
                                    columns[k].appendNull()
                                } else {
                                    columns[k].append(field)
                                }
                            case 1:
                                columns[k].append(field)
                            default:
                                scratch.removeAll(keepingCapacity: true)
                                var x = s.start
                                while x < s.end {
                                    scratch.append(p[x])
                                    x += p[x] == q ? 2 : 1
                                }
                                scratch.withUnsafeBytes { columns[k].append($0) }
                            }
                        }
                    }
                    chunk.lines.append(line)
                    if chunk.keepsRecordBytes { chunk.recordBytes.append(bytes + 4 * width) }
                    chunk.rows += 1
                    chunkBytes += bytes + 4 * width
                    taken += 1
                    line += recordLines + 1
                    lineStart = i
                    cursor = i
                }
            }
        }
        if taken > 0 {
            pos = cursor
            self.line = line
            self.lineStart = lineStart + blockOffset
            endedAtLineBreak = true
        }
        return taken
    }

    /// The index of the first byte in `p[from...]` equal to `a`, `b` or `c`, or `p.count`.
    @inline(__always)
    private static func find(_ a: UInt8, _ b: UInt8, _ c: UInt8, in p: UnsafeRawBufferPointer, from: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let pa = ones &* UInt64(a), pb = ones &* UInt64(b), pc = ones &* UInt64(c)
        var i = from
        let n = p.count
        while i + 8 <= n {
            let w = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let xa = w ^ pa, xb = w ^ pb, xc = w ^ pc
            // A zero byte in xa, xb or xc marks a match; the lowest flagged byte is exact.
            let m = ((xa &- ones) & ~xa | (xb &- ones) & ~xb | (xc &- ones) & ~xc) & highs
            if m != 0 { return i + m.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < n {
            let x = p[i]
            if x == a || x == b || x == c { return i }
            i += 1
        }
        return n
    }
}
